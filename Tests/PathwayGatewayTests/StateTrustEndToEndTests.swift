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
}
