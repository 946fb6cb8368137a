/// One patient's run through one pathway: from a start event (SP1) to completion (SP3) or until
/// the pathway closes (`closeAfter`). A relapse after completion is a new episode. Events that
/// have no start event yet form an episode without anchor, so nothing is ever dropped.
public struct PathwayEpisode: Sendable, Hashable {
    public enum AnchorSource: String, Sendable, Hashable, Codable {
        /// A start event stated the diagnosis date.
        case diagnosisDate
        /// No diagnosis date was stated: the start event's own date stands in (spec §5).
        case startEvent
    }

    var pseudonym: String
    var pathway: String
    /// In date order (then arrival order).
    var entries: [TimelineEntry]
    /// The date the due windows count from; nil for an episode without a start event.
    var anchor: CalendarDate?
    var anchorSource: AnchorSource?
    /// After this day open items are missed rather than overdue (anchor + closeAfter).
    var closes: CalendarDate?
    /// The patient's current kommune: the latest-received event's, aliases applied.
    var kommune: String?
    /// The partner that sent the first start event (the hospital, for SP1).
    var hospital: String?
    /// Per due event, the day from which it is *not done* if still missing: when the window of the
    /// event its rule names opens (SP2 when SP3's opens). From the pathway data, set with the anchor.
    var notDoneFrom: [String: CalendarDate] = [:]

    /// The first start event: the hospital's message the patient can be looked up by.
    var start: PathwayObservation? { entries.first { $0.isStart }?.observation }

    /// The first recorded occurrence of `code`, by event date.
    func first(_ code: String) -> PathwayObservation? { entries.first { $0.observation.event == code }?.observation }

    var isFlagged: Bool { entries.contains { !$0.flags.isEmpty } }

    /// The event that closed the episode early (`PFH-AVSLUTTET`), the first if several.
    var closing: PathwayObservation? { entries.first { $0.closes }?.observation }

    /// Where `event` stands on `today`: done early, on time or late; or not done and closed (the
    /// episode was closed with a reason on or before `today`), upcoming, open, overdue, or missed
    /// (the pathway completed, closed after `closeAfter`, or a later window opened without it).
    func state(of event: PathwayEvent, on today: CalendarDate) -> DueState {
        guard let window = event.due, let anchor else { return .noAnchor }
        let (opens, closesWindow) = (window.opens(after: anchor), window.closes(after: anchor))
        if let done = first(event.code) {
            return done.eventDate < opens ? .early : done.eventDate <= closesWindow ? .onTime : .late
        }
        if let closing, closing.eventDate <= today { return .closed }
        if today < opens { return .upcoming }
        if today <= closesWindow { return .open }
        if entries.contains(where: \.completes) { return .missed }
        if let closes, today > closes { return .missed }
        if let notDone = notDoneFrom[event.code], today >= notDone { return .missed }
        return .overdue
    }
}

/// Where a due event stands for one episode on a given day.
public enum DueState: String, Sendable, Hashable, Codable, CaseIterable {
    /// Done before the window opened.
    case early
    /// Done inside the window.
    case onTime
    /// Done after the window closed.
    case late
    /// Not done; the window has not opened yet.
    case upcoming
    /// Not done; the window is open now.
    case open
    /// Not done; the window has passed and the pathway is still running.
    case overdue
    /// Not done (ikke gjennomført): the pathway completed or closed without it, or the next
    /// window opened while it was still missing.
    case missed
    /// Not done, and the episode was closed early with a reason (deceased, declines, moved, other):
    /// never due again, and not counted among the decided outcomes.
    case closed
    /// The episode has no start event, so no window can be computed.
    case noAnchor

    /// Whether the outcome is settled (counts in the share reached inside the window).
    var isSettled: Bool { ![.upcoming, .open, .noAnchor, .closed].contains(self) }
}

/// One event in an episode, with what is odd about it.
struct TimelineEntry: Sendable, Hashable {
    var observation: PathwayObservation
    var flags: [TimelineFlag]
    /// Whether the event starts the pathway / completes it / closes it early (from the pathway
    /// definition).
    var isStart: Bool
    var completes: Bool
    var closes: Bool = false
}

/// Irregularities kept and shown, never grounds to drop an event.
public enum TimelineFlag: String, Sendable, Hashable, Codable, CaseIterable {
    /// A second start event (SP1) within a running episode; the first one anchors it.
    case repeatedStart
    /// A repeated start event stating another diagnosis date than the episode's.
    case conflictingDiagnosisDate
    /// No start event is recorded for this patient and pathway.
    case noStart
    /// Dated before the episode's start event and anchor.
    case beforeStart
    /// Received before the episode's start event was (e.g. SP2 arrived before SP1).
    case arrivedBeforeStart
    /// The same event again in the episode.
    case repeatedEvent
    /// Dated after the day the gateway received it.
    case futureDate
}
