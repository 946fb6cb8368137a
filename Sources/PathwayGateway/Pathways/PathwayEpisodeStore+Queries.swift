/// What is due today, read from the stored windows: the pending-window indexes hold only windows
/// whose event can still be open or overdue, so the cost follows the answer, not the history.
extension PathwayEpisodeStore {
    /// Episodes with something overdue on `today`, in total and by current kommune (aliases
    /// applied): the same figures as `PathwayMonitor.overdueCounts(on:)`.
    func overdueCounts(on today: CalendarDate, aliases: [String: String]) throws -> OverdueCounts {
        // An overdue window lapses at most `overdueSpanDays` after it closed, so its `live_until`
        // is below today + that span: the index range then holds little more than the answer.
        let bound = catalog.overdueSpanDays.map { today.adding(days: $0 + 1).description } ?? Self.forever + "~"
        let rows = try db.query(
            """
            SELECT DISTINCT pathway, pseudonym, seq, kommune FROM pathway_windows INDEXED BY pathway_windows_live
            WHERE outcome IS NULL AND live_until >= ?1 AND live_until < ?2 AND closes < ?1
            """, [today.description, bound]
        ) { row in try row.optionalString(3) }
        var counts = OverdueCounts(total: rows.count, byKommune: [:])
        for kommune in rows {
            counts.byKommune[kommune.map { aliases[$0] ?? $0 } ?? OverdueCounts.unknownKommune, default: 0] += 1
        }
        return counts
    }

    /// Open and overdue events on `today` of the patients now in `kommune` (every kommune when
    /// nil), most urgent first as `PathwayMonitor.dueItems(on:)` orders them. `withStart` adds the
    /// start event's message reference (an identity: only when the user asked for identities).
    func dueItems(on today: CalendarDate, kommune: String?, aliases: [String: String], withStart: Bool = false) throws
        -> [DueItem]
    {
        var filter = ""
        var arguments: [any SQLiteBindable] = [today.description]
        if let kommune {
            let codes = [kommune] + aliases.filter { $0.value == kommune && $0.key != kommune }.keys.sorted()
            filter = "AND w.kommune IN (" + codes.indices.map { "?\($0 + 2)" }.joined(separator: ", ") + ")"
            arguments += codes.map { $0 as any SQLiteBindable }
        }
        let items = try db.query(
            """
            SELECT w.pathway, w.pseudonym, w.event, w.opens, w.closes, w.kommune, w.lapses_after,
                   e.anchor, e.anchor_source, e.hospital, e.flags, e.start_message_id
            FROM pathway_windows w INDEXED BY \(kommune == nil ? "pathway_windows_live" : "pathway_windows_kommune")
              JOIN pathway_episodes e ON e.pathway = w.pathway AND e.pseudonym = w.pseudonym AND e.seq = w.seq
            WHERE w.outcome IS NULL AND w.live_until >= ?1 AND w.opens <= ?1 \(filter)
            """, arguments
        ) { row in try Self.dueItem(row, on: today, aliases: aliases) }.compactMap { $0 }
        return DueItem.mostUrgentFirst(
            try items.map { item in
                var item = item
                item.start = withStart ? try startReference(messageId: item.start?.messageId) : nil
                return item
            })
    }

    /// One row of the due query as an item, nil when the window is not open or overdue today.
    /// The start message id travels in `start` until `dueItems` looks the reference up or drops it.
    private static func dueItem(_ row: SQLiteStatement, on today: CalendarDate, aliases: [String: String]) throws
        -> DueItem?
    {
        let window = EpisodeWindow(
            pseudonym: try row.string(1), pathway: try row.string(0), episode: 0, event: try row.string(2),
            opens: try date(row.string(3)), closes: try date(row.string(4)), kommune: try row.optionalString(5),
            outcome: nil, lapsesAfter: try row.optionalString(6).map(date))
        let state = window.state(on: today)
        guard state == .open || state == .overdue, let anchor = try row.optionalString(7).map(date),
            let source = try row.optionalString(8).flatMap(PathwayEpisode.AnchorSource.init(rawValue:))
        else { return nil }
        let flags = try row.string(10).split(separator: ",").compactMap { TimelineFlag(rawValue: String($0)) }
        return DueItem(
            kommune: window.kommune.map { aliases[$0] ?? $0 }, pathway: window.pathway, event: window.event,
            state: state,
            windowOpens: window.opens, windowCloses: window.closes,
            days: state == .open ? today.days(until: window.closes) : window.closes.days(until: today),
            anchor: anchor, anchorSource: source, patient: window.pseudonym, hospital: try row.optionalString(9),
            flags: flags,
            start: try row.optionalString(11).map {
                .init(partner: "", msgId: nil, eventDate: anchor, messageId: $0)
            })
    }

    /// The start event's message reference, from its `pathway_events` row.
    private func startReference(messageId: String?) throws -> DueItem.StartReference? {
        guard let messageId else { return nil }
        return try db.query(
            "SELECT partner_id, msg_id, event_date FROM pathway_events WHERE message_id = ?", [messageId]
        ) { row in
            DueItem.StartReference(
                partner: try row.string(0), msgId: try row.optionalString(1),
                eventDate: try Self.date(row.string(2)), messageId: messageId)
        }.first
    }

    private static func date(_ text: String) throws(PathwayTimelines.Failure) -> CalendarDate {
        guard let date = CalendarDate(iso: text) else { throw .invalidStoredDate(text) }
        return date
    }
}
