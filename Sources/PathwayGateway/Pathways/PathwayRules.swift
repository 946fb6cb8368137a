/// Maps a message's coded values to a pathway event: data, not code, so that adding a pathway or an
/// event (or a partner's own codes, such as clinical-decision codes D11CK) is a configuration change.
///
/// A rule matches a coded value by its code system and value, looked for first in `SakstypeKodet`,
/// then in `TemaKodet` and `KodetOpplysning` (spec §5).
public struct PathwayRules: Sendable, Hashable, Codable {
    public struct Rule: Sendable, Hashable, Codable {
        /// Code system OID (the coded value's `S`).
        public var system: String
        /// Code value (`V`).
        public var value: String
        /// The event code this maps to.
        public var event: String

        public init(system: String = KITHCodeSystem.pathwayEvents, value: String, event: String) {
            self.system = system
            self.value = value
            self.event = event
        }
    }

    public var events: [PathwayEvent]
    public var rules: [Rule]

    public init(events: [PathwayEvent], rules: [Rule]) {
        self.events = events
        self.rules = rules
    }

    /// The bundled definitions of spec §5: Pakkeforløp hjem (SP1 routed, SP2 and SP3 recorded) and
    /// the mental-health and substance-use pathways' municipal follow-up, with the clinical-decision
    /// codes for follow-up by the GP or municipality (D01CK, D11CK, D12CK) mapping to it.
    public static let bundled: PathwayRules = {
        let events = [
            PathwayEvent(code: "PFH-SP1", pathway: "pakkeforlop-hjem",
                         meaning: "needs assessment done in hospital after the cancer diagnosis", routesToKommune: true),
            PathwayEvent(code: "PFH-SP2", pathway: "pakkeforlop-hjem",
                         meaning: "municipal needs assessment at about 3-4 months", routesToKommune: false),
            PathwayEvent(code: "PFH-SP3", pathway: "pakkeforlop-hjem",
                         meaning: "municipal needs assessment at about 12-18 months; pathway complete", routesToKommune: false),
            PathwayEvent(code: "NPF-KOMMUNE", pathway: "psykisk-helse-rus",
                         meaning: "follow-up needed in the municipality (clinical decision or ending)", routesToKommune: true),
        ]
        var rules = events.map { Rule(value: $0.code, event: $0.code) }
        rules += ["D01CK", "D11CK", "D12CK"].map { Rule(value: $0, event: "NPF-KOMMUNE") }
        return PathwayRules(events: events, rules: rules)
    }()

    public func event(code: String) -> PathwayEvent? { events.first { $0.code == code } }

    /// The event a message carries, or nil for plain dialog.
    public func event(for dialogmelding: Dialogmelding?) -> PathwayEvent? {
        guard let dialogmelding else { return nil }
        for value in dialogmelding.codedValues {
            guard let v = value.v else { continue }
            if let rule = rules.first(where: { $0.value == v && $0.system == (value.s ?? "") }), let event = event(code: rule.event) {
                return event
            }
        }
        return nil
    }
}
