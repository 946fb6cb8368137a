import Foundation
import Testing
@testable import PathwayGateway

/// `state rebuild` against the demo tour's spool (every flow of spec §4: accepted and routed,
/// rejected for each reason, a duplicate, an E10 reuse, an X99 spoof, municipal AppRecs OK and
/// Avvist): the rebuilt tables equal the lost ones, decision times aside.
@Suite struct StateRebuildEndToEndTests {
    /// The rows a rebuild must bring back, one text per row (times left out: a claim is stamped
    /// with its decision's time from the log).
    static let tables: [(name: String, columns: String, order: String)] = [
        ("messages", "id, partner_id, file_name, sha256, sender_her_id, msg_id, msg_type, state, outcome, error_code, error_text, duplicate_of, destination", "id"),
        ("message_keys", "sender_her_id, msg_id, message_id", "message_id"),
        ("apprecs", "message_id, receipt_id, status, error_code, error_text, bytes, path", "message_id"),
        ("routed", "routed_msg_id, message_id, sender_her_id, sender_chain, target_partner, target_her_id, path, path_message_id, state, receiver_status, receiver_error_code, receiver_message_id", "routed_msg_id"),
        ("relays", "routed_id, message_id, path, bytes", "routed_id"),
        ("pathway_events", "message_id, pseudonym, pathway, event, type, event_date, diagnosis_date, kommune, partner_id, msg_id, received_at", "message_id"),
    ]

    /// Each table's rows as text, every column quoted (`quote()`: NULL, numbers, text and blobs told apart).
    static func rows(_ path: String) throws -> [[String]] {
        let db = try SQLiteDatabase(path: path)
        return try tables.map { table in
            let text = table.columns.split(separator: ",").map { "quote(\($0.trimmingCharacters(in: .whitespaces)))" }.joined(separator: " || '|' || ")
            return try db.query("SELECT \(text) FROM \(table.name) ORDER BY \(table.order)") { try $0.string(0) }
        }
    }

    @Test func rebuiltTablesEqualTheLostOnesEvenWithEveryAppRecFetched() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("pg-rebuild-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let demo = try GatewayProcess.run(["demo", "--dir", root.path])
        #expect(demo.status == 0, "\(demo.stderr)")
        let state = root.appendingPathComponent("spool/state").path
        let before = try Self.rows("\(state)/gateway.sqlite")
        #expect(before[0].count >= 10 && before[3].count >= 4 && before[4].count >= 3, "the tour covers the flows")
        let outbound = root.appendingPathComponent("spool/outbound").path
        for partner in try FileManager.default.contentsOfDirectory(atPath: outbound) {
            for name in try FileManager.default.contentsOfDirectory(atPath: "\(outbound)/\(partner)") where name.hasSuffix(".apprec.xml") {
                try FileManager.default.removeItem(atPath: "\(outbound)/\(partner)/\(name)")
            }
        }
        for name in try FileManager.default.contentsOfDirectory(atPath: state) where name.hasPrefix("gateway.sqlite") {
            try FileManager.default.removeItem(atPath: "\(state)/\(name)")
        }
        let config = root.appendingPathComponent("pathway-gateway.json").path
        let rebuilt = try GatewayProcess.run(["state", "rebuild", "--config", config])
        #expect(rebuilt.status == 0, "\(rebuilt.stdout)\(rebuilt.stderr)")
        let after = try Self.rows("\(state)/gateway.sqlite")
        for (table, (old, new)) in zip(Self.tables, zip(before, after)) {
            #expect(old == new, "\(table.name)")
        }
    }

    /// A rebuild under a key the log was not written with would bless it: refused, nothing changed.
    @Test func rebuildRefusesAKeyTheLogWasNotWrittenWith() throws {
        let ws = try DaemonEndToEndTests.Workspace()
        try ws.drop(SampleSet.all[0].bytes, as: "sp1.xml")
        #expect(try ws.run().status == 0)
        let state = ws.root.appendingPathComponent("spool/state").path
        for name in try FileManager.default.contentsOfDirectory(atPath: state) where name.hasPrefix("gateway.sqlite") {
            try FileManager.default.removeItem(atPath: "\(state)/\(name)")
        }
        try Data(repeating: 1, count: 32).write(to: URL(fileURLWithPath: "\(state)/pseudonym.key"))
        let refused = try GatewayProcess.run(["state", "rebuild"], environment: ["PATHWAY_GATEWAY_CONFIG": ""], cwd: ws.root)
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("is not the key the audit log was written with"), "\(refused.stderr)")
        #expect(!ws.files("state").contains { $0.hasPrefix("gateway.sqlite") }, "nothing was changed")
        try FileManager.default.removeItem(atPath: "\(state)/pseudonym.key")
        let missing = try GatewayProcess.run(["state", "rebuild"], environment: ["PATHWAY_GATEWAY_CONFIG": ""], cwd: ws.root)
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("--new-key"))
        let renewed = try GatewayProcess.run(["state", "rebuild", "--new-key"], environment: ["PATHWAY_GATEWAY_CONFIG": ""], cwd: ws.root)
        #expect(renewed.status == 0, "\(renewed.stdout)\(renewed.stderr)")
        #expect(renewed.stdout.contains("a NEW pseudonym key was made"))
        #expect(try ws.run().status == 0, "the new key is the state's key now")
    }

    /// With the AppRec fetched and the original pruned, the log alone still gives the key: the
    /// gap is reported (exit 1) and a resend is refused, never routed a second time.
    @Test func withoutTheOriginalTheKeyStillStopsASecondRouting() throws {
        let ws = try DaemonEndToEndTests.Workspace()
        let sp1 = SampleSet.all[0].bytes
        try ws.drop(sp1, as: "sp1.xml")
        #expect(try ws.run().status == 0)
        let spool = ws.root.appendingPathComponent("spool").path
        for dir in ["outbound/helse-bergen", "archive/helse-bergen"] {
            for name in ws.visible(dir) { try FileManager.default.removeItem(atPath: "\(spool)/\(dir)/\(name)") }
        }
        for name in ws.files("state") where name.hasPrefix("gateway.sqlite") { try FileManager.default.removeItem(atPath: "\(spool)/state/\(name)") }
        let rebuilt = try GatewayProcess.run(["state", "rebuild"], environment: ["PATHWAY_GATEWAY_CONFIG": ""], cwd: ws.root)
        #expect(rebuilt.status == 1, "\(rebuilt.stdout)\(rebuilt.stderr)")
        #expect(rebuilt.stdout.contains("NOT REBUILT:      1 message(s): timeline event"))
        #expect(rebuilt.stdout.contains("original gone from archive/quarantine"))
        let msgId = try #require(try ws.auditRecords().first?["msgId"] as? String)
        #expect(!rebuilt.stdout.contains(msgId), "the report names no message")

        let routed = ws.visible("outbound/bergen-kommune")
        try ws.drop(sp1, as: "resend.xml")
        #expect(try ws.run().status == 0)
        #expect(ws.visible("outbound/bergen-kommune") == routed, "never routed twice")
        #expect(try ws.auditRecords().last?["outcome"] as? String == "duplicate", "a resend of a delivered message: nothing new")
    }

    /// Rotated audit files are read too: the check finds the newest records in a rotated file
    /// when the current one is empty, and the rebuild knows messages from every file.
    @Test func rotatedAuditFilesAreCheckedAndRebuiltFrom() throws {
        let ws = try DaemonEndToEndTests.Workspace()
        let env = ["PATHWAY_GATEWAY_CONFIG": ""]
        try ws.drop(SampleSet.all[0].bytes, as: "sp1.xml")
        #expect(try ws.run().status == 0)
        let audit = ws.root.appendingPathComponent("spool/audit").path
        func rotate() throws {
            let records = try ws.auditRecords(event: nil).compactMap { $0["seq"] as? Int }
            let name = "audit-20261201-00000\(ws.files("audit").count)-\(records.first!)-\(records.last!).jsonl"
            try FileManager.default.moveItem(atPath: "\(audit)/audit.jsonl", toPath: "\(audit)/\(name)")
            try Data().write(to: URL(fileURLWithPath: "\(audit)/audit.jsonl"))
        }
        try rotate()
        try ws.drop(SampleSet.all[1].bytes, as: "npf.xml")
        #expect(try ws.run().status == 0)
        try rotate()
        let spool = ws.root.appendingPathComponent("spool").path
        for name in ws.files("state") where name.hasPrefix("gateway.sqlite") { try FileManager.default.removeItem(atPath: "\(spool)/state/\(name)") }
        let refused = try ws.run()
        #expect(refused.status == 2 && refused.stderr.contains("is missing but the audit log holds"), "\(refused.stderr)")
        let rebuilt = try GatewayProcess.run(["state", "rebuild"], environment: env, cwd: ws.root)
        #expect(rebuilt.status == 0, "\(rebuilt.stdout)\(rebuilt.stderr)")
        #expect(rebuilt.stdout.contains("from 3 audit file(s)") && rebuilt.stdout.contains("messages:         2"), "\(rebuilt.stdout)")
        try ws.drop(SampleSet.all[0].bytes, as: "sp1-again.xml")
        #expect(try ws.run().status == 0)
        #expect(try ws.auditRecords().last?["outcome"] as? String == "duplicate")
        #expect(try GatewayProcess.run(["audit", "verify"], environment: env, cwd: ws.root).status == 0)
    }
}
