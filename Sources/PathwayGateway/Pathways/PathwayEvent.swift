/// One interaction point of a pathway, as the gateway recognises it in a message (spec §5).
public struct PathwayEvent: Sendable, Hashable, Codable {
    /// The event code, e.g. `PFH-SP1`.
    public var code: String
    /// The pathway it belongs to, e.g. `pakkeforlop-hjem`; contact points are looked up by it.
    public var pathway: String
    public var meaning: String
    /// Whether the message must go on to the patient's kommune's contact point.
    public var routesToKommune: Bool
    /// Whether the event needs a patient identity (E30 without one).
    public var needsPatient: Bool

    public init(code: String, pathway: String, meaning: String, routesToKommune: Bool, needsPatient: Bool = true) {
        self.code = code
        self.pathway = pathway
        self.meaning = meaning
        self.routesToKommune = routesToKommune
        self.needsPatient = needsPatient
    }
}
