import Foundation
import Testing
@testable import PathwayGateway

/// Schema v5 rebuilds the tables the per-message statements write; a database from an earlier
/// build must come through with every row, rowid and pending audit record, and with its
/// constraints still enforced.
@Suite struct SchemaMigrationTests {
    private static let sha = String(repeating: "a", count: 64)

    /// A v4 database as the previous build left it: one message done, one decided (its outputs not
    /// yet written, its audit records kept in `messages.audit_facts`).
    private static func makeVersion4(at path: String) throws {
        let db = try SQLiteDatabase(path: path)
        try db.migrate(Array(MessageStore.migrations.prefix(4)))
        try db.execute("""
            INSERT INTO messages (id, partner_id, file_name, sha256, state, outcome, claimed_at, decided_at, done_at)
              VALUES ('m-done', 'helse-bergen', 'a.xml', '\(sha)', 'done', 'rejected', 1, 2, 3);
            INSERT INTO messages (id, partner_id, file_name, sha256, sender_her_id, msg_id, state, outcome, destination,
                                  claimed_at, decided_at, audit_facts)
              VALUES ('m-open', 'helse-bergen', 'b.xml', '\(sha)', '8150010', 'b-1', 'decided', 'accepted',
                      'archive/helse-bergen/b.xml', 4, 5, '["records"]');
            INSERT INTO message_keys VALUES ('8150010', 'b-1', 'm-open');
            INSERT INTO apprecs VALUES ('m-open', 'r-1', 1, NULL, NULL, x'00ff', 'outbound/helse-bergen/r-1.xml', 5);
            INSERT INTO routed (id, routed_msg_id, message_id, target_partner, target_her_id, path, state, created_at)
              VALUES (7, 'b-1', 'm-open', 'bergen-kommune', '8150101', 'outbound/bergen-kommune/b-1.xml', 'planned', 5);
            INSERT INTO outputs (message_id, path, kind, staged) VALUES ('m-open', 'outbound/bergen-kommune/b-1.xml', 'routed', 'x');
            INSERT INTO outputs (message_id, path, kind, bytes) VALUES ('m-open', 'outbound/helse-bergen/r-1.xml', 'apprec', x'00ff');
            """)
    }

    @Test func aVersion4DatabaseKeepsItsRowsAndPendingAuditRecords() throws {
        let dir = try DatabaseTestDirectory()
        try Self.makeVersion4(at: dir.path("state.db"))
        let store = try MessageStore(path: dir.path("state.db"))
        #expect(try store.db.userVersion() == MessageStore.schemaVersion)
        #expect(try store.db.pragma("foreign_keys") == "1")
        let pending = try store.pendingWork()
        #expect(pending.map(\.messageId) == ["m-open"])
        #expect(pending.first?.auditFacts == #"["records"]"#)
        // Replayed in the order decided (rowid), routed message before the AppRec.
        #expect(pending.first?.outputs.map(\.kind) == [.routed, .apprec])
        #expect(pending.first?.outputs.last?.bytes == [0x00, 0xFF])
        #expect(try store.matchAppRec(originalMsgId: "b-1")?.id == 7)
        // v8: the routed row learnt its sender from its message, and the match tells senders apart.
        let routed = try #require(try store.matchAppRec(originalMsgId: "b-1", toHerId: "8150010"))
        #expect(routed.senderHerId == "8150010" && routed.senderPartner == "helse-bergen" && routed.originalMsgId == "b-1")
        #expect(try store.matchAppRec(originalMsgId: "b-1", toHerId: "8150020") == nil)
        #expect(try store.findFirst(senderHerId: "8150010", msgId: "b-1")?.appRec?.receiptId == "r-1")

        try store.markDone(messageIds: ["m-open"])
        #expect(try store.pendingWork().isEmpty)
        #expect(try store.db.query("SELECT count(*) FROM pending_audit") { try $0.int(0) } == [0])
        #expect(try store.matchAppRec(originalMsgId: "b-1")?.state == .written)
    }

    @Test func theRebuiltTablesStillEnforceTheirConstraints() throws {
        let dir = try DatabaseTestDirectory()
        try Self.makeVersion4(at: dir.path("state.db"))
        let store = try MessageStore(path: dir.path("state.db"))
        #expect(throws: SQLiteError.self) { try store.db.run("UPDATE messages SET state = 'lost' WHERE id = 'm-done'") }
        #expect(throws: SQLiteError.self) { try store.db.run("UPDATE apprecs SET status = 4") }
        #expect(throws: SQLiteError.self) { try store.db.run("UPDATE routed SET state = 'gone'") }
        #expect(throws: SQLiteError.self) { try store.db.run("UPDATE outputs SET kind = 'other'") }
        #expect(throws: SQLiteError.self) {
            try store.db.run("INSERT INTO outputs (message_id, path, kind) VALUES ('nobody', 'p', 'apprec')")
        }
        #expect(throws: SQLiteError.self) { try store.db.run("INSERT INTO pending_audit VALUES ('nobody', '[]')") }
    }

    /// The point of v5: no statement the daemon runs per message builds a temporary b-tree to
    /// check a value against a list (SQLite does for `IN` lists of three or more).
    @Test func perMessageWritesBuildNoTemporaryTables() throws {
        let dir = try DatabaseTestDirectory()
        let store = try MessageStore(path: dir.path("state.db"))
        let writes = [
            "INSERT INTO messages (id, partner_id, file_name, sha256, state, claimed_at) VALUES (?, ?, ?, ?, 'claimed', ?)",
            "UPDATE messages SET state = 'decided', outcome = ? WHERE id = ?",
            "INSERT INTO apprecs (message_id, receipt_id, status, bytes, path, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            "INSERT INTO routed (routed_msg_id, message_id, target_partner, target_her_id, path, state, created_at) VALUES (?, ?, ?, ?, ?, 'planned', ?)",
            "INSERT INTO outputs (message_id, path, kind, bytes, staged) VALUES (?, ?, ?, ?, ?)",
            "UPDATE routed SET state = 'written' WHERE message_id = ?",
        ]
        for sql in writes {
            let nulls = [String?](repeating: nil, count: sql.filter { $0 == "?" }.count)
            let program = try store.db.query("EXPLAIN " + sql, nulls) { try $0.string(1) }
            #expect(!program.contains("OpenEphemeral"), "\(sql)")
        }
    }
}
