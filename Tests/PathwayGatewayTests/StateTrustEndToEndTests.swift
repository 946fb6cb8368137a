import Foundation
import Testing
@testable import PathwayGateway

/// Spec §8 "Only one gateway per spool" and "State and log agree", through the real binary.
@Suite struct StateTrustEndToEndTests {
    typealias Workspace = DaemonEndToEndTests.Workspace
    private let env = ["PATHWAY_GATEWAY_CONFIG": ""]

    private func waitFor(_ seconds: Double = 15, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            usleep(20_000)
        }
        return try condition()
    }

    private func remove(_ ws: Workspace, _ relative: String) throws {
        try FileManager.default.removeItem(at: ws.root.appendingPathComponent("spool/\(relative)"))
    }

    /// Deleting the lock file under a running daemon must not let a second one in.
    @Test func deletedLockFileDoesNotLetASecondDaemonRun() throws {
        let ws = try Workspace()
        let process = try ws.start(["run"])
        defer { if process.isRunning { process.terminate() } }
        let lock = ws.root.appendingPathComponent("spool/state/gateway.lock").path
        #expect(waitFor { (try? SpoolLock.probe(lock)) == .process(pid: process.processIdentifier) })
        try remove(ws, "state/gateway.lock")

        let second = try GatewayProcess.run(["run", "--once"], environment: env, cwd: ws.root)
        #expect(second.status == 2)
        #expect(second.stderr.contains("another gateway (pid \(process.processIdentifier)) is running on this spool"), "\(second.stderr)")
        let status = try GatewayProcess.run(["status"], environment: env, cwd: ws.root)
        #expect(status.stdout.contains("running (pid \(process.processIdentifier))"), "\(status.stdout)")

        try ws.drop(SampleSet.all[0].bytes, as: "sp1.xml")
        #expect(waitFor { !ws.visible("archive/helse-bergen").isEmpty }, "the first daemon goes on")
        #expect(GatewayProcess.stop(process) == 0)
        #expect(ws.visible("outbound/bergen-kommune").count == 1)
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
}
