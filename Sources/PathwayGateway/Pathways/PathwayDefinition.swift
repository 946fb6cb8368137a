/// One pathway as data: its events and time limits, and where its anchor date comes from. The
/// bundled ones (Pakkeforløp hjem; psykisk helse og rus) are in `PathwayCatalog.bundledJSON`; a
/// config's `pathways` key adds or replaces them in the same shape.
struct PathwayDefinition: Sendable, Hashable {
    /// Id used by contact points (`pakkeforlop-hjem`).
    var id: String
    var name: String
    /// Sub-types a matching code may name (`D11` → "Psykisk helsevern voksne"), code → name.
    var types: [String: String]
    /// Where the anchor (diagnosis) date is read from; nil: the start event's date is the anchor.
    var diagnosisDate: DiagnosisDateSource?
    /// After `anchor + closeAfter` an episode is over: what was not done is missed, no longer
    /// overdue, and a new start event begins a new episode. Nil: every start event begins one.
    var closeAfter: PathwayPeriod?
    var events: [PathwayEvent]

    init(
        id: String, name: String, types: [String: String] = [:], diagnosisDate: DiagnosisDateSource? = nil,
        closeAfter: PathwayPeriod? = nil, events: [PathwayEvent]
    ) {
        self.id = id
        self.name = name
        self.types = types
        self.diagnosisDate = diagnosisDate
        self.closeAfter = closeAfter
        self.events = events
    }

    func event(code: String) -> PathwayEvent? { events.first { $0.code == code } }

    /// Events with a due window, in definition order (SP2, SP3).
    var dueEvents: [PathwayEvent] { events.filter { $0.due != nil } }
}

/// How a message states the diagnosis date (spec §5: "read from a KodetOpplysning/text field").
/// Either a coded value `<KodetOpplysning V="{code}" S="{system}" OT="2026-09-14"/>` (Dialogmelding
/// 1.1), or a line `{label}: 2026-09-14` (or `14.09.2026`) in the note text or the question, which
/// every EPJ template can produce in 1.0 and 1.1 alike.
struct DiagnosisDateSource: Sendable, Hashable {
    var code: String
    var system: String
    var textLabels: [String]

    init(code: String, system: String = KITHCodeSystem.pathwayEvents, textLabels: [String]) {
        self.code = code
        self.system = system
        self.textLabels = textLabels
    }
}
