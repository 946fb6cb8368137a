/// The episodes a report is made of, per pathway id, read from the stored rows in one pass (no
/// event is loaded) or made from recomputed timelines when the stored rows cannot answer.
struct ReportEpisodes: Sendable {
    var byPathway: [String: [ReportEpisode]] = [:]

    /// From `pathway_episodes` and `pathway_windows` (one ordered join): what the rows say,
    /// judged on `today`. The rows must be current (`PathwayEpisodeStore.isCurrent`) and hold
    /// no event received after `today`.
    static func stored(
        _ store: PathwayEpisodeStore, config: GatewayConfig, today: CalendarDate,
        routed: [MonitoringQuery.RoutedRow]
    ) throws -> ReportEpisodes {
        let routedByMessage = index(routed)
        var result = ReportEpisodes()
        var contexts: [String: (PathwayDefinition, ReportEpisode.Context)] = [:]
        for definition in config.pathways.definitions {
            contexts[definition.id] = (
                definition,
                .init(
                    today: today, aliases: config.kommuneAliases, definition: definition,
                    routedByMessage: routedByMessage)
            )
        }
        var pending: Pending?
        var patient = 0
        func flush() {
            guard let p = pending, let entry = contexts[p.pathway] else { return }
            result.byPathway[p.pathway, default: []].append(
                ReportEpisode(
                    patient: p.patient, stored: p.fields, windows: p.windows, definition: entry.0, context: entry.1))
        }
        try store.db.withStatement(Self.storedSQL) { row in
            while try row.step() {
                let (pathway, pseudonym, seq) = (try row.string(0), try row.string(1), try row.int(2))
                if pending?.pathway != pathway || pending?.pseudonym != pseudonym || pending?.seq != seq {
                    flush()
                    if pending?.pathway != pathway || pending?.pseudonym != pseudonym { patient += 1 }
                    pending = Pending(
                        pathway: pathway, pseudonym: pseudonym, seq: seq, patient: patient,
                        fields: .init(
                            kommune: try row.optionalString(3), hospital: try row.optionalString(4),
                            type: try row.optionalString(5), anchor: try row.optionalString(6),
                            anchorSource: try row.optionalString(7), flags: try row.string(8),
                            firsts: try row.string(9), messageIds: try row.string(10)))
                }
                guard !row.isNull(11), let window = try Self.window(row, pathway: pathway, pseudonym: pseudonym)
                else { continue }
                pending?.windows.append(window)
            }
        }
        flush()
        return result
    }

    /// From every episode `monitor` recomputed, through the values the store would have kept.
    static func recomputed(
        _ monitor: PathwayMonitor, today: CalendarDate, routed: [MonitoringQuery.RoutedRow]
    ) -> ReportEpisodes {
        let routedByMessage = index(routed)
        var result = ReportEpisodes()
        var patients: [String: Int] = [:]
        var seq = 0
        var previous: (String, String)?
        for episode in monitor.episodes {
            guard let definition = monitor.config.pathways.definition(id: episode.pathway) else { continue }
            seq = previous.map { $0 == (episode.pathway, episode.pseudonym) } == true ? seq + 1 : 0
            previous = (episode.pathway, episode.pseudonym)
            let key = episode.pathway + "\u{0}" + episode.pseudonym
            let patient = patients[key] ?? patients.count
            patients[key] = patient
            // The monitor applied aliases already; the store keeps the raw kommune.
            let stored = StoredEpisode(episode, seq: seq, definition: definition)
            result.byPathway[episode.pathway, default: []].append(
                ReportEpisode(
                    patient: patient, stored: .init(stored), windows: stored.windows, definition: definition,
                    context: .init(
                        today: today, aliases: [:], definition: definition, routedByMessage: routedByMessage)))
        }
        return result
    }

    private struct Pending {
        var pathway: String
        var pseudonym: String
        var seq: Int
        var patient: Int
        var fields: ReportEpisode.StoredFields
        var windows: [EpisodeWindow] = []
    }

    private static let storedSQL = """
        SELECT e.pathway, e.pseudonym, e.seq, e.kommune, e.hospital, e.type, e.anchor, e.anchor_source, e.flags,
               e.firsts, e.message_ids, w.event, w.opens, w.closes, w.outcome, w.lapses_after, w.closed_on
        FROM pathway_episodes e
          LEFT JOIN pathway_windows w ON w.pathway = e.pathway AND w.pseudonym = e.pseudonym AND w.seq = e.seq
        ORDER BY e.pathway, e.pseudonym, e.seq
        """

    private static func window(_ row: SQLiteStatement, pathway: String, pseudonym: String) throws -> EpisodeWindow? {
        guard let opens = CalendarDate(iso: try row.string(12)), let closes = CalendarDate(iso: try row.string(13))
        else { return nil }
        return EpisodeWindow(
            pseudonym: pseudonym, pathway: pathway, episode: 0, event: try row.string(11), opens: opens,
            closes: closes, kommune: nil, outcome: try row.optionalString(14).flatMap(DueState.init(rawValue:)),
            lapsesAfter: try row.optionalString(15).flatMap { CalendarDate(iso: $0) },
            closedOn: try row.optionalString(16).flatMap { CalendarDate(iso: $0) })
    }

    /// Routed rows by inbound message id, as indexes into `routed`.
    private static func index(_ routed: [MonitoringQuery.RoutedRow]) -> [Substring: [Int32]] {
        var result: [Substring: [Int32]] = [:]
        for (index, row) in routed.enumerated() { result[row.messageId[...], default: []].append(Int32(index)) }
        return result
    }
}
