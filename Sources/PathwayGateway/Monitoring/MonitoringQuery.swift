import Foundation

/// Read-only questions the monitoring report asks of the daemon's own tables (`routed`,
/// `messages`). Kept out of `MessageStore`, whose operations are the daemon's write path; nothing
/// here writes.
struct MonitoringQuery: Sendable {
    let db: SQLiteDatabase

    init(store: MessageStore) { db = store.db }

    /// A message the gateway forwarded to a municipality, and what became of it.
    struct RoutedRow: Sendable, Hashable {
        /// The gateway's id of the original (inbound) message.
        var messageId: String
        /// The partner the original came from (the hospital).
        var senderPartner: String
        var targetPartner: String
        /// The receiver inside it: the innermost HER-id the copy went to (a contact point, or a
        /// hospital's department for a reply).
        var targetHerId: String
        var state: MessageStore.RoutedState
        var createdAt: Date
        /// When the receiver's AppRec was recorded; nil while pending.
        var answeredAt: Date?

        init(
            messageId: String, senderPartner: String, targetPartner: String, targetHerId: String = "",
            state: MessageStore.RoutedState, createdAt: Date, answeredAt: Date? = nil
        ) {
            self.messageId = messageId
            self.senderPartner = senderPartner
            self.targetPartner = targetPartner
            self.targetHerId = targetHerId
            self.state = state
            self.createdAt = createdAt
            self.answeredAt = answeredAt
        }
    }

    /// Every routed message, oldest first.
    func routed() throws -> [RoutedRow] {
        try db.query(
            """
            SELECT r.message_id, m.partner_id, r.target_partner, r.state, r.created_at, r.answered_at, r.target_her_id
            FROM routed r JOIN messages m ON m.id = r.message_id ORDER BY r.created_at, r.id
            """
        ) { row in
            RoutedRow(
                messageId: try row.string(0), senderPartner: try row.string(1), targetPartner: try row.string(2),
                targetHerId: try row.string(6),
                state: MessageStore.RoutedState(rawValue: try row.string(3)) ?? .planned,
                createdAt: Self.date(try row.int64(4)), answeredAt: try row.optionalInt64(5).map(Self.date))
        }
    }

    /// The routed messages as they stood at `now`: those routed later left out, AppRecs that came
    /// later not yet counted (still pending).
    func routed(asOf now: Date) throws -> [RoutedRow] {
        try routed().compactMap { row -> RoutedRow? in
            guard row.createdAt <= now else { return nil }
            guard let answered = row.answeredAt, answered > now else { return row }
            return RoutedRow(
                messageId: row.messageId, senderPartner: row.senderPartner, targetPartner: row.targetPartner,
                targetHerId: row.targetHerId, state: .written, createdAt: row.createdAt)
        }
    }

    /// Messages rejected with `code` (e.g. E21, no contact point) decided before `before`; with
    /// `events`, only those carrying one of these pathway events (and those decided before
    /// migration 9, whose event is unknown).
    func rejections(code: String, before: Date, events: [String]? = nil) throws -> Int {
        let filter =
            events.map { codes in
                " AND (pathway_event IS NULL OR pathway_event IN (" + codes.map { _ in "?" }.joined(separator: ", ")
                    + "))"
            } ?? ""
        return try db.query(
            "SELECT count(*) FROM messages WHERE outcome = 'rejected' AND error_code = ? AND decided_at <= ?" + filter,
            [code, Int64((before.timeIntervalSince1970 * 1000).rounded())] + (events ?? [])
        ) { try $0.int(0) }.first ?? 0
    }

    private static func date(_ millis: Int64) -> Date { Date(timeIntervalSince1970: Double(millis) / 1000) }
}
