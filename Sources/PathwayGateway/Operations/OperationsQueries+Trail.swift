import Foundation

/// Where one inbound file ended up, for the `demo` tour (and any operator tool that wants to point
/// at the files a message produced).
extension OperationsQueries {
    struct MessageTrail: Sendable, Equatable {
        struct Routed: Sendable, Equatable {
            var partner: String
            /// Spool-relative path of the routed copy.
            var path: String
            /// planned, written, delivered (receiver's AppRec OK) or rejected (receiver's AppRec Avvist).
            var state: String
        }

        var messageId: String
        var outcome: String?
        var errorCode: String?
        var errorText: String?
        /// Spool-relative path of the original in archive/ or quarantine/.
        var destination: String?
        var appRecPath: String?
        var appRecStatus: Int?
        var routed: [Routed]
        /// Plain-text notices (`.rejected.txt`, quarantine `.reason.txt`).
        var notices: [String]
        /// For a duplicate: the AppRec path of the first message, whose bytes it was answered with.
        var firstAppRecPath: String?
        /// For a received AppRec: the routed message it answered, with its new state.
        var answered: Routed?
        /// Files about earlier deliveries (spec §7): a receiver's AppRec relayed to the original
        /// sender, or a resend's copy delivered once more.
        var relayed: [String] = []
        var redelivered: [String] = []
    }

    /// The latest message taken from `inbound/<partner>/<fileName>`, nil if there is none.
    func trail(partner: String, fileName: String) throws -> MessageTrail? {
        guard
            var trail = try db.query(
                """
                SELECT m.id, m.outcome, m.error_code, m.error_text, m.destination, a.path, a.status, d.path
                FROM messages m LEFT JOIN apprecs a ON a.message_id = m.id LEFT JOIN apprecs d ON d.message_id = m.duplicate_of
                WHERE m.partner_id = ? AND m.file_name = ? ORDER BY m.claimed_at DESC, m.rowid DESC LIMIT 1
                """, [partner, fileName],
                row: { row in
                    MessageTrail(
                        messageId: try row.string(0), outcome: try row.optionalString(1),
                        errorCode: try row.optionalString(2),
                        errorText: try row.optionalString(3), destination: try row.optionalString(4),
                        appRecPath: try row.optionalString(5), appRecStatus: try row.optionalInt64(6).map(Int.init),
                        routed: [], notices: [], firstAppRecPath: try row.optionalString(7))
                }
            ).first
        else { return nil }
        let routedRow: (SQLiteStatement) throws -> MessageTrail.Routed = { row in
            MessageTrail.Routed(partner: try row.string(0), path: try row.string(1), state: try row.string(2))
        }
        trail.routed = try db.query(
            "SELECT target_partner, path, state FROM routed WHERE message_id = ? ORDER BY id",
            [trail.messageId], row: routedRow)
        trail.answered = try db.query(
            "SELECT target_partner, path, state FROM routed WHERE receiver_message_id = ? LIMIT 1",
            [trail.messageId], row: routedRow
        ).first
        let outputs = try db.query(
            "SELECT kind, path FROM outputs WHERE message_id = ? ORDER BY path", [trail.messageId]
        ) { row in (try row.string(0), try row.string(1)) }
        let copies = outputs.filter { $0.0 == "routed" }.map(\.1)
        trail.notices = outputs.filter { $0.0 == "notice" }.map(\.1)
        trail.relayed = outputs.filter { $0.0 == "apprec" && $0.1 != trail.appRecPath }.map(\.1)
        // A resend has no routed rows of its own: its copies were delivered again. A routed row
        // names its latest copy; this message's own is the one it wrote.
        trail.redelivered = trail.routed.isEmpty ? copies : []
        trail.routed = trail.routed.map { routed in
            var own = routed
            own.path = copies.first { SpoolPaths.partner(ofOutbound: $0) == routed.partner } ?? routed.path
            return own
        }
        return trail
    }
}
