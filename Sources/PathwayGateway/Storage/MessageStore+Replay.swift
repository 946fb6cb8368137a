import Foundation

extension MessageStore {
    /// One inbound message as the state database knows it.
    struct MessageSummary: Sendable, Equatable {
        let id: String, partnerId: String, fileName: String
        let state: State
        let outcome: Decision.Outcome?
        /// Where the original went (archive/… or quarantine/…).
        let destination: String?
    }

    /// The message with gateway id `id`, if any.
    func message(id: String) throws -> MessageSummary? {
        try db.query("SELECT id, partner_id, file_name, state, outcome, destination FROM messages WHERE id = ?", [id]) {
            row in
            MessageSummary(
                id: try row.string(0), partnerId: try row.string(1), fileName: try row.string(2),
                state: State(rawValue: try row.string(3)) ?? .claimed,
                outcome: try row.optionalString(4).flatMap(Decision.Outcome.init(rawValue:)),
                destination: try row.optionalString(5))
        }.first
    }

    /// Frees the (sender, MsgId) a rejected message registered, so its replay is decided afresh
    /// instead of being answered as its duplicate. Returns whether a key was released.
    @discardableResult
    func releaseKey(messageId id: String) throws -> Bool {
        try db.transaction {
            try db.run(
                "DELETE FROM message_keys WHERE message_id = ? AND message_id IN (SELECT id FROM messages WHERE outcome = 'rejected')",
                id) == 1
        }
    }
}
