import Foundation

/// The monitoring questions over all recorded pathway events: who is due or overdue, and how many.
/// Pure over its inputs (events, configuration, the day asked about), so tests run whole
/// synthetic populations through it with any clock.
public struct PathwayMonitor: Sendable {
    let config: GatewayConfig
    /// Every episode of every pathway in the catalog (events of unknown pathways are ignored).
    let episodes: [PathwayEpisode]

    init(config: GatewayConfig, observations: [PathwayObservation]) {
        self.config = config
        var episodes: [PathwayEpisode] = []
        let byPatient = Dictionary(grouping: observations) { $0.pathway + "\u{0}" + $0.pseudonym }
        for key in byPatient.keys.sorted() {
            let events = byPatient[key]!
            guard let definition = config.pathways.definition(id: events[0].pathway) else { continue }
            episodes += PatientTimeline.episodes(events, definition: definition, aliases: config.kommuneAliases)
        }
        self.episodes = episodes
    }

    /// Reads the events from the state database behind `store`; with `knownBy`, only those
    /// received on or before that day (what the gateway knew then, for a report "as of" a day).
    public init(store: MessageStore, config: GatewayConfig, knownBy: CalendarDate? = nil) throws {
        var observations = try PathwayTimelines(store: store).observations()
        if let knownBy { observations.removeAll { CalendarDate($0.receivedAt) > knownBy } }
        self.init(config: config, observations: observations)
    }

    /// Open and overdue events on `today`, by kommune, then most urgent first. `withStart` adds
    /// the start event's message reference (an identity: only when the user asked for identities).
    public func dueItems(on today: CalendarDate, withStart: Bool = false) -> [DueItem] {
        var items: [DueItem] = []
        for episode in episodes {
            guard let anchor = episode.anchor, let anchorSource = episode.anchorSource,
                let definition = config.pathways.definition(id: episode.pathway)
            else { continue }
            for event in definition.dueEvents {
                let state = episode.state(of: event, on: today)
                guard state == .open || state == .overdue, let window = event.due else { continue }
                let (opens, closes) = (window.opens(after: anchor), window.closes(after: anchor))
                items.append(
                    DueItem(
                        kommune: episode.kommune, pathway: episode.pathway, event: event.code, state: state,
                        windowOpens: opens, windowCloses: closes,
                        days: state == .open ? today.days(until: closes) : closes.days(until: today),
                        anchor: anchor, anchorSource: anchorSource, patient: episode.pseudonym,
                        hospital: episode.hospital,
                        flags: Array(Set(episode.entries.flatMap(\.flags))).sorted { $0.rawValue < $1.rawValue },
                        start: (withStart ? episode.start : nil).map {
                            .init(
                                partner: $0.partner, msgId: $0.msgId, eventDate: $0.eventDate,
                                messageId: $0.messageId)
                        }))
            }
        }
        // Most urgent first: the longest overdue, then the open windows closing soonest.
        let urgency = { (item: DueItem) in item.state == .overdue ? -item.days : item.days }
        return items.sorted {
            ($0.kommune ?? "~", $0.state == .overdue ? 0 : 1, urgency($0), $0.patient, $0.event)
                < ($1.kommune ?? "~", $1.state == .overdue ? 0 : 1, urgency($1), $1.patient, $1.event)
        }
    }

    /// Episodes with something overdue on `today`, in total and per kommune.
    func overdueCounts(on today: CalendarDate) -> OverdueCounts {
        var counts = OverdueCounts(total: 0, byKommune: [:])
        for episode in episodes {
            guard let definition = config.pathways.definition(id: episode.pathway),
                definition.dueEvents.contains(where: { episode.state(of: $0, on: today) == .overdue })
            else { continue }
            counts.total += 1
            counts.byKommune[episode.kommune ?? OverdueCounts.unknownKommune, default: 0] += 1
        }
        return counts
    }

    /// For `pathway-gateway status`: overdue pathways now (today in Oslo), from the state database.
    public static func overdueCounts(store: MessageStore, config: GatewayConfig, now: Date = Date()) throws
        -> OverdueCounts
    {
        let today = CalendarDate(now)
        return try PathwayMonitor(store: store, config: config, knownBy: today).overdueCounts(on: today)
    }
}
