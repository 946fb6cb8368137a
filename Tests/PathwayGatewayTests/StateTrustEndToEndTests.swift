import Foundation
import Testing
@testable import PathwayGateway

/// Spec §8 "Only one gateway per spool" and "State and log agree", through the real binary.
@Suite struct StateTrustEndToEndTests {
    typealias Workspace = DaemonEndToEndTests.Workspace
    private let env = ["PATHWAY_GATEWAY_CONFIG": ""]


    /// As `rm -rf` would, tried again when the running daemon adds a file meanwhile (the walk then
    /// finds its directory not empty).
    private func remove(_ ws: Workspace, _ relative: String) throws {
        let url = ws.root.appendingPathComponent("spool/\(relative)")
        for _ in 0..<20 {
            do { return try FileManager.default.removeItem(at: url) } catch { usleep(50_000) }
        }
        try FileManager.default.removeItem(at: url)
    }

    /// Deleting the lock file under a running daemon must not let a second one in.
    @Test func deletedLockFileDoesNotLetASecondDaemonRun() throws {
        let ws = try Workspace()
        let process = try ws.start(["run"])
        defer { if process.isRunning { process.terminate() } }
        let lock = ws.root.appendingPathComponent("spool/state/gateway.lock").path
        #expect(eventually { (try? SpoolLock.probe(lock)) == .process(pid: process.processIdentifier) })
        try remove(ws, "state/gateway.lock")

        let second = try GatewayProcess.run(["run", "--once"], environment: env, cwd: ws.root)
        #expect(second.status == 2)
        #expect(second.stderr.contains("another gateway (pid \(process.processIdentifier)) is running on this spool"), "\(second.stderr)")
        let status = try GatewayProcess.run(["status"], environment: env, cwd: ws.root)
        #expect(status.stdout.contains("running (pid \(process.processIdentifier))"), "\(status.stdout)")

        try ws.drop(SampleSet.all[0].bytes, as: "sp1.xml")
        #expect(eventually { !ws.visible("archive/helse-bergen").isEmpty }, "the first daemon goes on")
        #expect(GatewayProcess.stop(process) == 0)
        #expect(ws.visible("outbound/bergen-kommune").count == 1)
    }

    /// Even the whole state directory removed under a running daemon does not let a second one
    /// work: its new state/ is not locked, but state and audit log no longer agree.
    @Test func removedStateDirectoryDoesNotLetASecondDaemonWork() throws {
        let ws = try Workspace()
        let process = try ws.start(["run"])
        defer { if process.isRunning { process.terminate() } }
        try ws.drop(SampleSet.all[0].bytes, as: "sp1.xml")
        #expect(eventually { !ws.visible("archive/helse-bergen").isEmpty })
        try remove(ws, "state")
        try ws.drop(SampleSet.all[0].bytes, as: "resend.xml")
        let second = try GatewayProcess.run(["run", "--once"], environment: env, cwd: ws.root)
        #expect(second.status == 2)
        #expect(second.stderr.contains("is missing but the audit log holds"), "\(second.stderr)")
        #expect(ws.visible("outbound/bergen-kommune").count == 1)
        process.terminate()
        process.waitUntilExit()
    }

    /// A deleted or replaced pseudonym key is refused while the state has history.
    @Test func replacedOrDeletedPseudonymKeyIsRefused() throws {
        let ws = try Workspace()
        try ws.drop(SampleSet.all[0].bytes, as: "sp1.xml")
        #expect(try ws.run().status == 0)
        let key = ws.root.appendingPathComponent("spool/state/pseudonym.key")
        let original = try Data(contentsOf: key)
        try Data((0..<32).map { UInt8($0) }).write(to: key)
        let replaced = try ws.run()
        #expect(replaced.status == 2)
        #expect(replaced.stderr.contains("is not the key this state was written with"), "\(replaced.stderr)")
        try FileManager.default.removeItem(at: key)
        let deleted = try ws.run()
        #expect(deleted.status == 2)
        #expect(deleted.stderr.contains("pseudonym key") && deleted.stderr.contains("is missing"), "\(deleted.stderr)")
        #expect(!FileManager.default.fileExists(atPath: key.path), "no new key is made")
        try original.write(to: key)
        #expect(try ws.run().status == 0, "the right key is accepted again")
    }

    /// A lost database is refused with one line naming the fix.
    @Test func deletedDatabaseIsRefused() throws {
        let ws = try Workspace()
        try ws.drop(SampleSet.all[0].bytes, as: "sp1.xml")
        #expect(try ws.run().status == 0)
        for name in ws.files("state") where name.hasPrefix("gateway.sqlite") { try remove(ws, "state/\(name)") }
        try ws.drop(SampleSet.all[0].bytes, as: "resend.xml")
        let refused = try ws.run()
        #expect(refused.status == 2)
        let lines = refused.stderr.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(refused.stderr.contains("is missing but the audit log holds") && refused.stderr.contains("state rebuild"))
        #expect(ws.visible("outbound/bergen-kommune").count == 1, "nothing routed on forgotten state")
        #expect(ws.files("inbound/helse-bergen") == ["resend.xml"])
    }

    /// A database restored from a backup older than the log is refused.
    @Test func restoredOlderDatabaseIsRefused() throws {
        let ws = try Workspace()
        try ws.drop(SampleSet.all[0].bytes, as: "sp1.xml")
        #expect(try ws.run().status == 0)
        let state = ws.root.appendingPathComponent("spool/state")
        let backup = ws.root.appendingPathComponent("backup.sqlite")
        try FileManager.default.copyItem(at: state.appendingPathComponent("gateway.sqlite"), to: backup)
        try ws.drop(SampleSet.all[1].bytes, as: "npf.xml")
        #expect(try ws.run().status == 0)
        for name in ws.files("state") where name.hasPrefix("gateway.sqlite") { try remove(ws, "state/\(name)") }
        try FileManager.default.copyItem(at: backup, to: state.appendingPathComponent("gateway.sqlite"))
        let refused = try ws.run()
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("is older than the audit log"), "\(refused.stderr)")
    }

    /// After a lost database, `state rebuild` brings back what a resend needs: the same AppRec
    /// (re-encoded from the archived original when the partner fetched it), nothing routed twice,
    /// and the timeline; a routed message still awaits the municipality's AppRec.
    @Test func rebuildAfterLostDatabaseAnswersResendsAsBefore() throws {
        let ws = try Workspace()
        let sp1 = SampleSet.all[0].bytes
        let wrong = SampleSet.all[3].bytes  // E31: the gateway's own AppRec
        try ws.drop(sp1, as: "sp1.xml")
        try ws.drop(wrong, as: "wrong.xml")
        #expect(try ws.run().status == 0)
        let receipts = ws.visible("outbound/helse-bergen")
        #expect(receipts.count == 1)
        let firstAppRecs = try receipts.map { try ws.read("outbound/helse-bergen/\($0)") }
        for name in receipts { try remove(ws, "outbound/helse-bergen/\(name)") }  // fetched by the hospital
        let routed = ws.visible("outbound/bergen-kommune")
        for name in ws.files("state") where name.hasPrefix("gateway.sqlite") { try remove(ws, "state/\(name)") }

        let rebuilt = try GatewayProcess.run(["state", "rebuild"], environment: env, cwd: ws.root)
        #expect(rebuilt.status == 0, "\(rebuilt.stdout) \(rebuilt.stderr)")
        #expect(rebuilt.stdout.contains("messages:         2 (keys for resends: 2)"), "\(rebuilt.stdout)")
        #expect(rebuilt.stdout.contains("0 from outbound files, 1 re-encoded"), "\(rebuilt.stdout)")
        for fnr in SampleSet.patients { #expect(!rebuilt.stdout.contains(fnr) && !rebuilt.stderr.contains(fnr)) }

        try ws.drop(sp1, as: "resend.xml")
        let after = try ws.run()
        #expect(after.status == 0, "\(after.stderr)")
        #expect(ws.visible("outbound/bergen-kommune") == routed, "a resend of a routed message is not routed again")
        #expect(ws.visible("outbound/helse-bergen").isEmpty, "a delivered message's resend: nothing new (spec §7)")
        #expect(!firstAppRecs.isEmpty)
        #expect(try ws.auditRecords().last?["outcome"] as? String == "duplicate")
        let store = try MessageStore(path: ws.root.appendingPathComponent("spool/state/gateway.sqlite").path)
        let counts = try store.rebuildCounts()
        #expect(counts.awaitingAppRec == routed.count, "routed messages still await the municipality's AppRec")
        #expect(counts.timelineEvents == 1)
        #expect(try GatewayProcess.run(["audit", "verify"], environment: env, cwd: ws.root).status == 0)
    }

    /// A database restored from an older backup is kept aside and the state rebuilt from the log.
    @Test func rebuildKeepsTheRestoredDatabaseAside() throws {
        let ws = try Workspace()
        try ws.drop(SampleSet.all[0].bytes, as: "sp1.xml")
        #expect(try ws.run().status == 0)
        let state = ws.root.appendingPathComponent("spool/state")
        let backup = try Data(contentsOf: state.appendingPathComponent("gateway.sqlite"))
        try ws.drop(SampleSet.all[1].bytes, as: "npf.xml")
        #expect(try ws.run().status == 0)
        for name in ws.files("state") where name.hasPrefix("gateway.sqlite") { try remove(ws, "state/\(name)") }
        try backup.write(to: state.appendingPathComponent("gateway.sqlite"))
        #expect(try ws.run().status == 2)

        let rebuilt = try GatewayProcess.run(["state", "rebuild"], environment: env, cwd: ws.root)
        #expect(rebuilt.status == 0, "\(rebuilt.stdout) \(rebuilt.stderr)")
        let aside = ws.files("state").filter { $0.hasPrefix("gateway.sqlite.before-rebuild-") }
        #expect(aside.count == 1)
        #expect(try ws.read("state/\(aside[0])") == Array(backup), "the old database is kept, unchanged")
        try ws.drop(SampleSet.all[1].bytes, as: "npf-again.xml")
        #expect(try ws.run().status == 0)
        #expect(try ws.auditRecords().last?["outcome"] as? String == "duplicate")
        #expect(try GatewayProcess.run(["state", "rebuild", "--help"], environment: env, cwd: ws.root).status == 0)
        #expect(try GatewayProcess.run(["state", "rebuild", "extra"], environment: env, cwd: ws.root).status == 2)
    }

    /// A database of an earlier version (no fingerprint yet) takes the fingerprint of the key it
    /// starts with; from then on another key is refused.
    @Test func anEarlierDatabaseGetsTheKeysFingerprintOnItsFirstStart() throws {
        let ws = try Workspace()
        try ws.drop(SampleSet.all[0].bytes, as: "sp1.xml")
        #expect(try ws.run().status == 0)
        let database = ws.root.appendingPathComponent("spool/state/gateway.sqlite").path
        do {
            let db = try SQLiteDatabase(path: database)
            // As version 5 left it: no facts (6), no episodes and no closing reason (7), no relays (8),
            // no messages.pathway_event (9), no reminders (10).
            try db.execute("""
                DROP TABLE pathway_reminders; DROP TABLE relays; DROP TABLE state_facts; DROP TABLE pathway_episodes; DROP TABLE pathway_windows;
                DROP INDEX messages_decided; DROP INDEX messages_done; DROP INDEX routed_state;
                ALTER TABLE pathway_events DROP COLUMN reason; ALTER TABLE messages DROP COLUMN pathway_event;
                PRAGMA user_version = 5
                """)
        }
        #expect(try ws.run().status == 0)
        let key = ws.root.appendingPathComponent("spool/state/pseudonym.key").path
        let fingerprint = try MessageStore(path: database).keyFingerprint()
        #expect(fingerprint == (try Pseudonymizer.load(keyAt: key)).fingerprint)
        #expect(fingerprint?.count == 64)
        // Migration 7 on that start: the recorded SP1 got its episode and windows (issue 18).
        let store = try MessageStore(path: database)
        #expect(try PathwayEpisodeStore(store: store, catalog: .bundled).isCurrent())
        #expect(try store.db.query("SELECT count(*) FROM pathway_episodes") { try $0.int(0) }.first == 1)
        #expect(try store.db.query("SELECT count(*) FROM pathway_windows") { try $0.int(0) }.first == 2)
        try Data(repeating: 7, count: 32).write(to: URL(fileURLWithPath: key))
        #expect(try ws.run().status == 2)
    }
}
