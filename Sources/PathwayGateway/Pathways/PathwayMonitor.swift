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
        return DueItem.mostUrgentFirst(items)
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

    /// For `pathway-gateway status` and the metrics: overdue pathways now (today in Oslo), from the
    /// stored episodes; recomputed from every timeline only when those are not current yet (the
    /// daemon has not started since migration 7 or since the configured pathways changed).
    public static func overdueCounts(store: MessageStore, config: GatewayConfig, now: Date = Date()) throws
        -> OverdueCounts
    {
        let today = CalendarDate(now)
        let episodes = PathwayEpisodeStore(store: store, catalog: config.pathways)
        if try episodes.isCurrent() { return try episodes.overdueCounts(on: today, aliases: config.kommuneAliases) }
        return try PathwayMonitor(store: store, config: config, knownBy: today).overdueCounts(on: today)
    }

    /// Open and overdue events on `today` for `kommune` (every kommune when nil), from the stored
    /// episodes when current and `today` is not before `now`'s day (they hold everything received
    /// so far; an earlier day needs only what was known then, recomputed); `withStart` as in
    /// `dueItems(on:withStart:)`.
    public static func dueItems(
        store: MessageStore, config: GatewayConfig, on today: CalendarDate, kommune: String?,
        withStart: Bool = false, now: Date = Date()
    ) throws -> [DueItem] {
        let episodes = PathwayEpisodeStore(store: store, catalog: config.pathways)
        if today >= CalendarDate(now), try episodes.isCurrent() {
            return try episodes.dueItems(
                on: today, kommune: kommune.map { config.resolvedKommune($0) }, aliases: config.kommuneAliases,
                withStart: withStart)
        }
        let all = try PathwayMonitor(store: store, config: config, knownBy: today).dueItems(
            on: today, withStart: withStart)
        return kommune.map { k in all.filter { $0.kommune == config.resolvedKommune(k) } } ?? all
    }
}
