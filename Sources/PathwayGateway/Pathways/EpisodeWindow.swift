/// One due window of one stored episode (a row of `pathway_windows`): what a coordinator's
/// worklist and `status` need, kept as dates so that "where does it stand today" is a comparison,
/// never a recomputation from history.
///
/// `outcome` holds what no longer depends on the day (done early, on time, late); while it is nil
/// the state follows from the dates: closed from `closedOn`, else not yet open, open, overdue, and
/// after `lapsesAfter` not done (missed).
struct EpisodeWindow: Sendable, Hashable {
    var pseudonym: String
    var pathway: String
    /// The episode's number within the patient's pathway (0, 1, … in start order).
    var episode: Int
    var event: String
    var opens: CalendarDate
    var closes: CalendarDate
    /// The raw kommune of the episode (aliases are applied when read), for the worklist index.
    var kommune: String?
    /// Settled whatever the day: `.early`, `.onTime` or `.late`; nil while the event is not done.
    var outcome: DueState?
    /// The last day a missing event counts as overdue; after it, not done (the episode completed,
    /// passed `closeAfter`, or the next window opened). Nil: overdue until done.
    var lapsesAfter: CalendarDate?
    /// The date of the event that closed the episode early (`PFH-AVSLUTTET`), if any.
    var closedOn: CalendarDate?

    /// The last day the window can be open or overdue (what the pending-window indexes hold).
    var liveUntil: CalendarDate? {
        [lapsesAfter, closedOn?.adding(days: -1)].compactMap { $0 }.min()
    }

    /// Where the window stands on `today`: the same answer as `PathwayEpisode.state(of:on:)`.
    func state(on today: CalendarDate) -> DueState {
        if let outcome { return outcome }
        if let closedOn, closedOn <= today { return .closed }
        if today < opens { return .upcoming }
        if today <= closes { return .open }
        if let lapsesAfter, today > lapsesAfter { return .missed }
        return .overdue
    }

    /// The windows of `episode` (number `index`), one per due event of `definition`; none for an
    /// episode without anchor.
    static func windows(of episode: PathwayEpisode, index: Int, definition: PathwayDefinition) -> [EpisodeWindow] {
        guard let anchor = episode.anchor else { return [] }
        let completed = episode.entries.contains(where: \.completes)
        return definition.dueEvents.compactMap { event in
            guard let due = event.due else { return nil }
            let (opens, closes) = (due.opens(after: anchor), due.closes(after: anchor))
            var outcome: DueState?
            if let done = episode.first(event.code) {
                outcome = done.eventDate < opens ? .early : done.eventDate <= closes ? .onTime : .late
            }
            // Completed: missing means missed as soon as the window has closed.
            let lapses = [completed ? closes : episode.closes, episode.notDoneFrom[event.code]?.adding(days: -1)]
                .compactMap { $0 }.min()
            return EpisodeWindow(
                pseudonym: episode.pseudonym, pathway: episode.pathway, episode: index, event: event.code,
                opens: opens, closes: closes, kommune: episode.kommune, outcome: outcome,
                lapsesAfter: lapses, closedOn: episode.closing?.eventDate)
        }
    }
}
