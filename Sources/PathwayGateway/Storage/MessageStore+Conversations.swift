import Foundation

/// What the store keeps of conversations (spec §7): who sent each delivered message, its latest
/// copy, and the receiver's AppRec as it was relayed, so that an answer, a reply or a resend
/// finds its way without reading the spool's history.
extension MessageStore {
    /// Schema migration 8. The delivered copy keeps the sender's MsgId, so two senders' equal
    /// MsgIds to one receiver must not collide: a routed row knows its sender's HER-id and the key
    /// becomes (MsgId, target HER-id, sender HER-id). `sender_chain`: the Sender's organisations
    /// (JSON, outermost first), where a reply addressed to the gateway goes. `path_message_id`:
    /// the message whose output `path` is when a resend delivered the copy again (NULL: the row's
    /// own). `relays`: the latest relayed AppRec per routed row, its bytes for a resend. Rows of
    /// earlier versions carry the gateway's own MsgId and get their message's sender; every id is
    /// kept (outputs and answers refer to them), with the indexes of migrations 2 and 7 (`routed_state`
    /// now with the receiver's HER-id, so `status` counts what waits per receiver from the index).
    static let conversationsSQL = """
        CREATE TABLE routed_v8 (
          id INTEGER PRIMARY KEY, routed_msg_id TEXT NOT NULL, message_id TEXT NOT NULL REFERENCES messages(id),
          sender_her_id TEXT NOT NULL, sender_chain TEXT,
          target_partner TEXT NOT NULL, target_her_id TEXT NOT NULL, path TEXT NOT NULL,
          path_message_id TEXT REFERENCES messages(id),
          state TEXT NOT NULL CHECK (state = 'planned' OR state = 'written' OR state = 'delivered' OR state = 'rejected'),
          receiver_status INTEGER, receiver_error_code TEXT, receiver_error_text TEXT,
          receiver_message_id TEXT REFERENCES messages(id),
          created_at INTEGER NOT NULL, written_at INTEGER, answered_at INTEGER,
          UNIQUE (routed_msg_id, target_her_id, sender_her_id));
        INSERT INTO routed_v8 (id, routed_msg_id, message_id, sender_her_id, target_partner, target_her_id, path, state,
                               receiver_status, receiver_error_code, receiver_error_text, receiver_message_id,
                               created_at, written_at, answered_at)
          SELECT r.id, r.routed_msg_id, r.message_id, coalesce(m.sender_her_id, ''), r.target_partner, r.target_her_id,
                 r.path, r.state, r.receiver_status, r.receiver_error_code, r.receiver_error_text, r.receiver_message_id,
                 r.created_at, r.written_at, r.answered_at
          FROM routed r LEFT JOIN messages m ON m.id = r.message_id;
        DROP TABLE routed;
        ALTER TABLE routed_v8 RENAME TO routed;
        CREATE INDEX routed_message ON routed(message_id);
        CREATE INDEX routed_state ON routed(state, answered_at, target_partner, target_her_id, written_at, created_at);
        CREATE TABLE relays (
          routed_id INTEGER PRIMARY KEY REFERENCES routed(id),
          message_id TEXT NOT NULL REFERENCES messages(id), path TEXT NOT NULL, bytes BLOB NOT NULL);
        """

    /// A delivered message as a resend of it must see it: where its latest copy is and whether that
    /// file is still being written, and the receiver's AppRec as relayed, if it answered.
    struct Delivery: Sendable, Equatable {
        let routedId: Int64, targetPartner: String, targetHerId: String
        /// The latest copy; `copyPending`: its output is recorded but not yet written.
        let path: String, copyPending: Bool
        let answered: Bool
        /// The latest relayed AppRec (nil: none was relayed, e.g. answered before version 8).
        let relay: Relay?

        struct Relay: Sendable, Equatable {
            let path: String, bytes: [UInt8], pending: Bool
        }
    }

    /// Every copy of message `messageId` the gateway delivered, with its latest files.
    func deliveries(of messageId: String) throws -> [Delivery] {
        try db.query(
            """
            SELECT r.id, r.target_partner, r.target_her_id, r.path, r.receiver_message_id IS NOT NULL,
                   (SELECT o.written_at IS NULL FROM outputs o
                     WHERE o.message_id = coalesce(r.path_message_id, r.message_id) AND o.path = r.path),
                   x.path, x.bytes,
                   (SELECT o.written_at IS NULL FROM outputs o WHERE o.message_id = x.message_id AND o.path = x.path)
            FROM routed r LEFT JOIN relays x ON x.routed_id = r.id
            WHERE r.message_id = ? ORDER BY r.id
            """, [messageId]
        ) { row in
            let relay =
                row.isNull(6)
                ? nil
                : Delivery.Relay(
                    path: try row.string(6), bytes: try row.bytes(7), pending: (try row.optionalInt64(8) ?? 0) != 0)
            return Delivery(
                routedId: try row.int64(0), targetPartner: try row.string(1), targetHerId: try row.string(2),
                path: try row.string(3), copyPending: (try row.optionalInt64(5) ?? 0) != 0,
                answered: try row.int64(4) != 0, relay: relay)
        }
    }

    /// Records the files a decision adds to earlier deliveries (inside `recordDecision`). A resend's
    /// file replaces the latest one only if that is still the file the plan saw: otherwise another
    /// decision got there first and this one must be planned again (`deliveryChanged`).
    func recordFollowUps(_ followUps: [FollowUp], messageId: String) throws {
        for followUp in followUps {
            let output = followUp.output
            switch followUp.kind {
            case .redelivery:
                let changed = try db.run(
                    "UPDATE routed SET path = ?, path_message_id = ? WHERE id = ? AND path = ?",
                    output.path, messageId, followUp.routedId, followUp.seen ?? "")
                guard changed == 1 else { throw Failure.deliveryChanged(routedId: followUp.routedId) }
            case .relay:
                if let seen = followUp.seen {
                    let changed = try db.run(
                        "UPDATE relays SET path = ?, message_id = ? WHERE routed_id = ? AND path = ?",
                        output.path, messageId, followUp.routedId, seen)
                    guard changed == 1 else { throw Failure.deliveryChanged(routedId: followUp.routedId) }
                } else {
                    try db.run(
                        """
                        INSERT INTO relays (routed_id, message_id, path, bytes) VALUES (?, ?, ?, ?)
                        ON CONFLICT (routed_id) DO UPDATE SET message_id = excluded.message_id, path = excluded.path,
                          bytes = excluded.bytes
                        """, followUp.routedId, messageId, output.path, output.bytes)
                }
            }
        }
    }

    /// A copy the audit log says a resend delivered once more (`state rebuild`): the delivered
    /// message's latest file, so a later resend finds it.
    func recordRedelivery(of messageId: String, to partner: String, path: String, by resend: String) throws {
        try db.run(
            "UPDATE routed SET path = ?, path_message_id = ? WHERE message_id = ? AND target_partner = ?",
            path, resend, messageId, partner)
    }

    /// The Sender's organisations as a routed row keeps them: JSON, outermost first.
    static func encode(chain: [OutboundMessageBuilder.Party]) -> String? {
        guard !chain.isEmpty else { return nil }
        var out: [UInt8] = [UInt8(ascii: "[")]
        for (index, party) in chain.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out += Array("{\"name\":".utf8)
            JSONString.append(party.name, to: &out)
            out += Array(",\"herId\":".utf8)
            JSONString.append(party.herId, to: &out)
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "]"))
        return String(decoding: out, as: UTF8.self)
    }

    static func decodeChain(_ text: String?) -> [OutboundMessageBuilder.Party]? {
        guard let text else { return nil }
        return try? JSONDecoder().decode([OutboundMessageBuilder.Party].self, from: Data(text.utf8))
    }
}
