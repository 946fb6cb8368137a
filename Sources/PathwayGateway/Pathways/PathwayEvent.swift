/// One interaction point of a pathway, as the gateway recognises it in a message (spec §5), and
/// what the pathway expects of it: whether it starts a patient's pathway, when it is due, whether
/// it completes the pathway. Part of the pathway data (`PathwayCatalog`), never hard-coded.
struct PathwayEvent: Sendable, Hashable {
    /// The event code, e.g. `PFH-SP1`. It also matches itself in the gateway's code system.
    var code: String
    /// The pathway it belongs to, e.g. `pakkeforlop-hjem`; contact points are looked up by it.
    var pathway: String
    var meaning: String
    /// Whether the message must go on to the patient's kommune's contact point.
    var routesToKommune: Bool
    /// Whether the event needs a patient identity (E30 without one).
    var needsPatient: Bool
    /// Starts a patient's pathway: its date (or the diagnosis date it carries) anchors the windows.
    var starts: Bool
    /// Completes the pathway: later start events begin a new one (a relapse).
    var completes: Bool
    /// Closes the patient's episode early with a reason (`PFH-AVSLUTTET`): nothing of it is due
    /// any more; later start events begin a new one.
    var closes: Bool
    /// The reasons a closing event may carry (a coded value in the same code system), code →
    /// Norwegian label: `DOD` → "Død".
    var reasons: [String: String]
    /// When the event is due relative to the anchor date; nil for events without a time limit.
    var due: DueWindow?
    /// Other coded values that mean this event (e.g. clinical-decision code D11CK → NPF-KOMMUNE).
    var matches: [CodeMatch]

    init(
        code: String, pathway: String, meaning: String, routesToKommune: Bool, needsPatient: Bool = true,
        starts: Bool = false, completes: Bool = false, closes: Bool = false, reasons: [String: String] = [:],
        due: DueWindow? = nil, matches: [CodeMatch] = []
    ) {
        self.code = code
        self.pathway = pathway
        self.meaning = meaning
        self.routesToKommune = routesToKommune
        self.needsPatient = needsPatient
        self.starts = starts
        self.completes = completes
        self.closes = closes
        self.reasons = reasons
        self.due = due
        self.matches = matches
    }
}

/// A coded value (Dialogmelding `SakstypeKodet`, `TemaKodet` or `KodetOpplysning`) that maps to
/// an event, optionally naming the pathway type it tells (D11CK → type D11).
struct CodeMatch: Sendable, Hashable {
    /// Code system OID (the coded value's `S`).
    var system: String
    /// Code value (`V`).
    var value: String
    /// A type of the pathway (e.g. `D11`), recorded with the event.
    var type: String?

    init(system: String = KITHCodeSystem.pathwayEvents, value: String, type: String? = nil) {
        self.system = system
        self.value = value
        self.type = type
    }
}
