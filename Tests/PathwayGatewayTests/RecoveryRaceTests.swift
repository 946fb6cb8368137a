import Foundation
import Testing
@testable import PathwayGateway

/// Crashes in the short window after a batch's effects are durable and before the batch is closed
/// in the database, combined with what partners and the next batch do meanwhile. Recovery
/// publishes and moves such a batch again, and has to tell its own earlier work from theirs.
/// Found reviewing the publish path (issue 7); each test failed before its fix.
@Suite struct RecoveryRaceTests {
    /// The partner (the municipality) took the delivered copy out of its outbox before the crash was recovered:
    /// the staged file is gone because an earlier run published it, so the output counts as
    /// delivered. Before: the rename failed with ENOENT and the message was held back for ever.
    @Test func anOutputThePartnerAlreadyTookCountsAsDelivered() throws {
        let ws = try DaemonEndToEndTests.Workspace()
        try ws.drop(SampleSet.all[0].bytes, as: "sp1.xml")
        #expect(try ws.run(crashAt: "archived").status == 137)
        let copies = ws.visible("outbound/bergen-kommune")
        #expect(copies.count == 1)
        for name in copies { try FileManager.default.removeItem(at: ws.root.appendingPathComponent("spool/outbound/bergen-kommune/\(name)")) }

        let restarted = try ws.run()
        #expect(restarted.status == 0, "\(restarted.stderr)")
        #expect(ws.visible("outbound/bergen-kommune").isEmpty, "a taken copy is not written again")
        #expect(ws.visible("outbound/helse-bergen").isEmpty)
        #expect(ws.files("archive/helse-bergen").count == 1)
        #expect(try ws.auditRecords(event: "recovered").count == 1)
        #expect(try Self.unfinishedMessages(in: ws) == 0)
    }

    /// The next batch had already claimed a new file under the same name (a sender reusing a
    /// name) when the crash came: the earlier message's original is in its archive slot, which
    /// carries its id, so the file now in `processing/` is the newer one. Before: recovery took the
    /// newer file for the earlier message's original, refused to move it (different content) and
    /// held the earlier message back for ever, and the newer file was never processed.
    @Test func aNewerFileUnderTheSameNameIsNotTakenForTheRecoveredOriginal() throws {
        let ws = try DaemonEndToEndTests.Workspace()
        try ws.drop(SampleSet.all[0].bytes, as: "reused.xml")
        #expect(try ws.run(crashAt: "archived").status == 137)
        #expect(ws.files("archive/helse-bergen").count == 1)
        let newer = try #require(SampleSet.all.first { $0.bytes != SampleSet.all[0].bytes })
        try Data(newer.bytes).write(to: ws.root.appendingPathComponent("spool/state/processing/helse-bergen/reused.xml"))

        let restarted = try ws.run()
        #expect(restarted.status == 0, "\(restarted.stderr)")
        #expect(ws.files("state/processing/helse-bergen").isEmpty, "the newer file is processed too")
        #expect(ws.files("archive/helse-bergen").count + ws.files("quarantine/helse-bergen").filter { !$0.hasSuffix(".reason.txt") }.count == 2)
        #expect(try ws.auditRecords().count == 2, "each file has its decision")
        #expect(try Self.unfinishedMessages(in: ws) == 0)
        let verify = try GatewayProcess.run(["audit", "verify"], environment: ["PATHWAY_GATEWAY_CONFIG": ""], cwd: ws.root)
        #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")
    }

    static func unfinishedMessages(in ws: DaemonEndToEndTests.Workspace) throws -> Int {
        let db = try SQLiteDatabase(path: ws.root.appendingPathComponent("spool/state/gateway.sqlite").path)
        return try db.query("SELECT count(*) FROM messages WHERE state <> 'done'") { try $0.int(0) }.first ?? -1
    }
}
