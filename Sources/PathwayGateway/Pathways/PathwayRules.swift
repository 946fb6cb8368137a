/// Maps a message's coded values to a pathway event (spec §5), built from the pathway data in a
/// `PathwayCatalog`: every event's own code in each of its code systems (the gateway's OID unless
/// `pathwayCodeSystems` names others), plus its `matches`
/// (clinical-decision codes such as D11CK and partners' own codes).
///
/// A coded value is looked for first in `SakstypeKodet`, then in `TemaKodet` and
/// `KodetOpplysning` (the order of `Dialogmelding.codedValues`); the first that matches wins.
struct PathwayRules: Sendable, Hashable {
    /// A coded value that means an event, with the pathway type it tells, if any.
    struct Rule: Sendable, Hashable {
        var system: String
        var value: String
        var event: String
        var type: String?
    }

    /// What a message carries: the event and, when the matched code tells it, the pathway type.
    struct Match: Sendable, Hashable {
        var event: PathwayEvent
        var type: String?
        /// The code system the event was told in.
        var system: String = KITHCodeSystem.pathwayEvents
    }

    let catalog: PathwayCatalog
    let rules: [Rule]
    private let index: [String: Rule]

    init(_ catalog: PathwayCatalog) {
        self.catalog = catalog
        var rules: [Rule] = []
        for event in catalog.definitions.flatMap(\.events) {
            rules += catalog.codeSystems.map { Rule(system: $0, value: event.code, event: event.code) }
            rules += event.matches.map { Rule(system: $0.system, value: $0.value, event: event.code, type: $0.type) }
        }
        self.rules = rules
        index = Dictionary(rules.map { ($0.system + "|" + $0.value, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The bundled definitions of spec §5 (`PathwayCatalog.bundled`).
    static let bundled = PathwayRules(.bundled)

    var events: [PathwayEvent] { catalog.definitions.flatMap(\.events) }

    func event(code: String) -> PathwayEvent? { catalog.event(code: code) }

    /// The event a message carries, or nil for plain dialog.
    func event(for dialogmelding: Dialogmelding?) -> PathwayEvent? { match(for: dialogmelding)?.event }

    func match(for dialogmelding: Dialogmelding?) -> Match? {
        guard let dialogmelding else { return nil }
        for value in dialogmelding.codedValues {
            guard let v = value.v, let rule = index[(value.s ?? "") + "|" + v], let event = event(code: rule.event)
            else { continue }
            return Match(event: event, type: rule.type, system: rule.system)
        }
        return nil
    }
}
