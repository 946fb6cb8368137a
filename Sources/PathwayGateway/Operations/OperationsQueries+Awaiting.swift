import Foundation

/// What waits for an AppRec, per receiver (spec §7 "Waiting"): every delivered message, replies
/// included, awaits its receiver's AppRec (`routed` rows in state planned/written).
///
/// Cost: both questions find the awaiting rows through `routed_state` (state first), never the
/// answered history. `awaitingByReceiver` then reads each awaiting row for its receiver HER-id (not
/// in that index), so it costs what waits, not what was ever routed (bench/HISTORY.md: `status` on
/// 150,000 messages, about 5,000 of them never answered). `longestAwaiting` sorts the awaiting
/// index entries and reads only the few rows it returns.
extension OperationsQueries {
    /// Delivered messages one receiver (partner and HER-id) has not answered yet.
    struct AwaitingReceiver: Sendable, Equatable {
        var partner: String
        var herId: String
        var count: Int
        /// When the oldest of them was written to the partner's outbound directory (or planned).
        var oldest: Date
    }

    /// One delivered message still awaiting its AppRec: who should answer, since when, and the
    /// ids an operator looks it up by (`audit show <msgId>`, the audit records' `gatewayId`).
    /// No patient identifiers.
    struct AwaitingMessage: Sendable, Equatable {
        var partner: String
        var herId: String
        /// The gateway's id of the message that was delivered (an inbound file's id).
        var gatewayId: String
        /// The MsgId of the delivered copy: the one the receiver's AppRec names as OriginalMsgId.
        var msgId: String
        var since: Date
    }

    /// Routed messages in `planned` or `written`, by receiving partner and receiver HER-id, oldest first.
    func awaitingByReceiver() throws -> [AwaitingReceiver] {
        try db.query(
            """
            SELECT target_partner, target_her_id, count(*), min(coalesce(written_at, created_at)) FROM routed
            WHERE state IN ('planned', 'written') GROUP BY target_partner, target_her_id ORDER BY 4, 1, 2
            """
        ) { row in
            AwaitingReceiver(
                partner: try row.string(0), herId: try row.string(1), count: try row.int(2),
                oldest: Self.date(try row.int64(3)))
        }
    }

    /// The `limit` messages that have awaited their AppRec the longest, oldest first.
    func longestAwaiting(limit: Int) throws -> [AwaitingMessage] {
        try db.query(
            """
            SELECT target_partner, target_her_id, message_id, routed_msg_id, coalesce(written_at, created_at) FROM routed
            WHERE id IN (
              SELECT id FROM routed WHERE state IN ('planned', 'written')
              ORDER BY coalesce(written_at, created_at), id LIMIT ?)
            ORDER BY 5, id
            """, [Int64(limit)]
        ) { row in
            AwaitingMessage(
                partner: try row.string(0), herId: try row.string(1), gatewayId: try row.string(2),
                msgId: try row.string(3), since: Self.date(try row.int64(4)))
        }
    }

    /// The per-partner view of `receivers`: counts summed, the oldest of each partner's, oldest first.
    static func byPartner(_ receivers: [AwaitingReceiver]) -> [PendingAppRecs] {
        var partners: [String: PendingAppRecs] = [:]
        for receiver in receivers {
            var entry =
                partners[receiver.partner] ?? .init(partner: receiver.partner, count: 0, oldest: receiver.oldest)
            entry.count += receiver.count
            entry.oldest = min(entry.oldest, receiver.oldest)
            partners[receiver.partner] = entry
        }
        return partners.values.sorted { ($0.oldest, $0.partner) < ($1.oldest, $1.partner) }
    }
}
