/// One interaction point of a pathway, as the gateway recognises it in a message (spec §5), and
/// what the pathway expects of it: whether it starts a patient's pathway, when it is due, whether
/// it completes the pathway. Part of the pathway data (`PathwayCatalog`), never hard-coded.
public struct PathwayEvent: Sendable, Hashable {
    /// The event code, e.g. `PFH-SP1`. It also matches itself in the gateway's code system.
    public var code: String
    /// The pathway it belongs to, e.g. `pakkeforlop-hjem`; contact points are looked up by it.
    public var pathway: String
    public var meaning: String
    /// Whether the message must go on to the patient's kommune's contact point.
    public var routesToKommune: Bool
    /// Whether the event needs a patient identity (E30 without one).
    public var needsPatient: Bool
    /// Starts a patient's pathway: its date (or the diagnosis date it carries) anchors the windows.
    public var starts: Bool
    /// Completes the pathway: later start events begin a new one (a relapse).
    public var completes: Bool
    /// When the event is due relative to the anchor date; nil for events without a time limit.
    public var due: DueWindow?
    /// Other coded values that mean this event (e.g. clinical-decision code D11CK → NPF-KOMMUNE).
    public var matches: [CodeMatch]

    public init(code: String, pathway: String, meaning: String, routesToKommune: Bool, needsPatient: Bool = true,
                starts: Bool = false, completes: Bool = false, due: DueWindow? = nil, matches: [CodeMatch] = []) {
        self.code = code
        self.pathway = pathway
        self.meaning = meaning
        self.routesToKommune = routesToKommune
        self.needsPatient = needsPatient
        self.starts = starts
        self.completes = completes
        self.due = due
        self.matches = matches
    }
}

/// A coded value (Dialogmelding `SakstypeKodet`, `TemaKodet` or `KodetOpplysning`) that maps to
/// an event, optionally naming the pathway type it tells (D11CK → type D11).
public struct CodeMatch: Sendable, Hashable {
    /// Code system OID (the coded value's `S`).
    public var system: String
    /// Code value (`V`).
    public var value: String
    /// A type of the pathway (e.g. `D11`), recorded with the event.
    public var type: String?

    public init(system: String = KITHCodeSystem.pathwayEvents, value: String, type: String? = nil) {
        self.system = system
        self.value = value
        self.type = type
    }
}
