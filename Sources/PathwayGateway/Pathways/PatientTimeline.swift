/// Builds a patient's episodes of one pathway from the recorded events, whatever order they came
/// in. Computed when read, not when recorded, so the result depends only on the events: an SP1
/// that arrives after its SP2 turns an orphan SP2 into an ordinary one (flagged as out of order).
///
/// Rules:
/// - Start events (SP1) open an episode, anchored at the diagnosis date the first of them states,
///   else at its own date. A further start event joins the running episode (flagged
///   `repeatedStart`) while it is not completed or closed early (`PFH-AVSLUTTET`) and not past `anchor + closeAfter`; otherwise it
///   opens a new episode (a relapse). A pathway without `closeAfter` opens one per start event.
/// - Every other event joins the last episode that began on or before its date; an event dated
///   before every episode joins the first (flagged `beforeStart`); without any start event they
///   form one episode without anchor (flagged `noStart`).
enum PatientTimeline {
    /// Episodes of one patient in one pathway. `observations` must all share pseudonym and pathway.
    static func episodes(
        _ observations: [PathwayObservation], definition: PathwayDefinition,
        aliases: [String: String] = [:]
    ) -> [PathwayEpisode] {
        guard let first = observations.first else { return [] }
        let sorted = observations.sorted {
            ($0.eventDate, $0.receivedAt, $0.messageId) < ($1.eventDate, $1.receivedAt, $1.messageId)
        }
        let isStart = { (o: PathwayObservation) in definition.event(code: o.event)?.starts == true }
        let others = sorted.filter { !isStart($0) }
        var episodes = startedEpisodes(sorted.filter(isStart), others: others, definition: definition)
        attach(others, to: &episodes, first: first, definition: definition)
        for index in episodes.indices {
            episodes[index].entries.sort {
                ($0.observation.eventDate, $0.observation.receivedAt) < (
                    $1.observation.eventDate, $1.observation.receivedAt
                )
            }
            let latest = episodes[index].entries.filter { $0.observation.kommune != nil }.max {
                $0.observation.receivedAt < $1.observation.receivedAt
            }
            episodes[index].kommune = latest?.observation.kommune.map { aliases[$0] ?? $0 }
            if let anchor = episodes[index].anchor {
                for event in definition.dueEvents {
                    guard let other = event.due?.lapsesWhenOpens, let window = definition.event(code: other)?.due else {
                        continue
                    }
                    episodes[index].notDoneFrom[event.code] = window.opens(after: anchor)
                }
            }
        }
        return episodes
    }

    /// The episodes the start events open (in date order): each joins the running episode or
    /// opens a new one, by the rules above; `others` tell whether the running one was completed.
    private static func startedEpisodes(
        _ starts: [PathwayObservation], others: [PathwayObservation],
        definition: PathwayDefinition
    ) -> [PathwayEpisode] {
        var episodes: [PathwayEpisode] = []
        for start in starts {
            var flags = futureFlag(start)
            if var current = episodes.last, let anchor = current.anchor, let closeAfter = definition.closeAfter,
                start.eventDate <= closeAfter.after(anchor),
                !others.contains(where: {
                    ends($0, definition) && $0.eventDate >= anchor && $0.eventDate <= start.eventDate
                })
            {
                flags.append(.repeatedStart)
                if let stated = start.diagnosisDate {
                    if current.anchorSource == .diagnosisDate, stated != anchor {
                        flags.append(.conflictingDiagnosisDate)
                    } else if current.anchorSource == .startEvent {
                        // A stated diagnosis date beats the stand-in.
                        current.anchor = stated
                        current.anchorSource = .diagnosisDate
                        current.closes = closeAfter.after(stated)
                    }
                }
                current.entries.append(TimelineEntry(observation: start, flags: flags, isStart: true, completes: false))
                episodes[episodes.count - 1] = current
                continue
            }
            let anchor = start.diagnosisDate ?? start.eventDate
            episodes.append(
                PathwayEpisode(
                    pseudonym: start.pseudonym, pathway: start.pathway,
                    entries: [
                        TimelineEntry(
                            observation: start, flags: flags, isStart: true, completes: completes(start, definition))
                    ],
                    anchor: anchor, anchorSource: start.diagnosisDate == nil ? .startEvent : .diagnosisDate,
                    closes: definition.closeAfter?.after(anchor), kommune: nil, hospital: start.partner))
        }
        return episodes
    }

    /// Every other event joins the last episode begun on or before its date (else the first, or
    /// one without anchor when there is no start event), flagged as the rules above say.
    private static func attach(
        _ others: [PathwayObservation], to episodes: inout [PathwayEpisode],
        first: PathwayObservation, definition: PathwayDefinition
    ) {
        for event in others {
            var flags = futureFlag(event)
            let index: Int
            if let last = episodes.lastIndex(where: { begin($0).map { $0 <= event.eventDate } ?? true }) {
                index = last
            } else if !episodes.isEmpty {
                index = 0
                flags.append(.beforeStart)
            } else {
                episodes.append(PathwayEpisode(pseudonym: first.pseudonym, pathway: first.pathway, entries: []))
                index = 0
            }
            if episodes[index].anchor == nil { flags.append(.noStart) }
            if let start = episodes[index].start, event.receivedAt < start.receivedAt {
                flags.append(.arrivedBeforeStart)
            }
            if episodes[index].entries.contains(where: { $0.observation.event == event.event }) {
                flags.append(.repeatedEvent)
            }
            episodes[index].entries.append(
                TimelineEntry(
                    observation: event, flags: flags, isStart: false, completes: completes(event, definition),
                    closes: definition.event(code: event.event)?.closes == true))
        }
    }

    /// Whether `observation` ends the episode: it completes the pathway or closes it early.
    private static func ends(_ observation: PathwayObservation, _ definition: PathwayDefinition) -> Bool {
        guard let event = definition.event(code: observation.event) else { return false }
        return event.completes || event.closes
    }

    /// Whether `observation` is an event that completes the pathway.
    private static func completes(_ observation: PathwayObservation, _ definition: PathwayDefinition) -> Bool {
        definition.event(code: observation.event)?.completes == true
    }

    /// The first day of an episode: its anchor or its start event's date, whichever is earlier;
    /// nil for an episode without start event (it takes everything).
    private static func begin(_ episode: PathwayEpisode) -> CalendarDate? {
        [episode.anchor, episode.start?.eventDate].compactMap { $0 }.min()
    }

    private static func futureFlag(_ o: PathwayObservation) -> [TimelineFlag] {
        o.eventDate > CalendarDate(o.receivedAt) ? [.futureDate] : []
    }
}
