/// A due event the municipality still has to do: its window is open now, or it has passed while
/// the pathway is still running. What `pathway-gateway pathways due` lists, per kommune.
public struct DueItem: Sendable, Hashable, Codable {
    /// The patient's current kommune (aliases applied); nil when no message stated one.
    public var kommune: String?
    public var pathway: String
    public var event: String
    /// `open` or `overdue`.
    public var state: DueState
    public var windowOpens: CalendarDate
    public var windowCloses: CalendarDate
    /// Days left in the window (open) or days since it closed (overdue).
    public var days: Int
    public var anchor: CalendarDate
    public var anchorSource: PathwayEpisode.AnchorSource
    /// The patient's keyed pseudonym: the same person across lines, reports and the audit log.
    public var patient: String
    /// The partner that sent the start event (the hospital).
    public var hospital: String?
    public var flags: [TimelineFlag]
    /// The start event's message (sender partner, MsgId, date) for looking the patient up; set
    /// only when identities are asked for.
    var start: StartReference?

    struct StartReference: Sendable, Hashable, Codable {
        var partner: String
        var msgId: String?
        var eventDate: CalendarDate
        /// The gateway's id of the message (for the archived original).
        var messageId: String
    }
}

extension DueItem {
    /// By kommune (unknown last), overdue before open, then most urgent first: the longest
    /// overdue, then the open windows closing soonest.
    static func mostUrgentFirst(_ items: [DueItem]) -> [DueItem] {
        let urgency = { (item: DueItem) in item.state == .overdue ? -item.days : item.days }
        return items.sorted {
            ($0.kommune ?? "~", $0.state == .overdue ? 0 : 1, urgency($0), $0.patient, $0.event)
                < ($1.kommune ?? "~", $1.state == .overdue ? 0 : 1, urgency($1), $1.patient, $1.event)
        }
    }
}

/// Episodes with at least one overdue event on a given day, for `pathway-gateway status`.
public struct OverdueCounts: Sendable, Hashable, Codable {
    /// Episodes (patients in a pathway) with something overdue.
    public var total: Int
    /// The same, by the patient's current kommune; patients without a known kommune under "unknown".
    var byKommune: [String: Int]

    static let unknownKommune = "unknown"
}
