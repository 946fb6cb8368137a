import Foundation
import Testing
@testable import PathwayGateway

/// An output directory that cannot be written (here: replaced by a plain file, which fails even
/// for root) must not stop the service: the messages that need it are held back with a clear log
/// line and retried with backoff, every other message goes on, and once the fault clears
/// everything is delivered exactly once.
@Suite struct FaultRecoveryTests {
    @Test func unwritableOutboundIsRetriedUntilItClears() throws {
        let workspace = try DaemonEndToEndTests.Workspace()
        let outbound = workspace.root.appendingPathComponent("spool/outbound/bergen-kommune").path
        let errURL = workspace.root.appendingPathComponent("stderr.txt")
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let process = try workspace.start(["run"], stderr: try FileHandle(forWritingTo: errURL))
        defer { if process.isRunning { process.terminate() } }
        // Wait for the spool, then break Bergen's outbound directory.
        let ready = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: outbound) && Date() < ready { usleep(20_000) }
        try FileManager.default.removeItem(atPath: outbound)
        _ = FileManager.default.createFile(atPath: outbound, contents: Data("not a directory".utf8))
        try workspace.drop(SampleSet.all[0].bytes, as: "sp1.xml")
        let log = { String(decoding: (try? Data(contentsOf: errURL)) ?? Data(), as: UTF8.self) }
        let heldBack = Date().addingTimeInterval(10)
        while !log().contains("held back until this clears") && Date() < heldBack { usleep(50_000) }
        // Intake goes on while sp1.xml is held back.
        try workspace.drop(SampleSet.all[4].bytes, as: "other.xml")
        let failed = Date().addingTimeInterval(10)
        while workspace.visible("outbound/helse-bergen").isEmpty && Date() < failed { usleep(50_000) }
        #expect(process.isRunning, "a failed batch must not end the service")
        // other.xml (E30, answered to the hospital only) is not held back by Bergen's directory;
        // sp1.xml's AppRec waits for its routed message.
        let during = workspace.visible("outbound/helse-bergen")
        #expect(during.count == 1, "\(during)")
        let answer = try #require(during.first.flatMap { try? workspace.read("outbound/helse-bergen/\($0)") })
        #expect(String(decoding: answer, as: UTF8.self).contains("E30"))
        #expect(workspace.files("state/processing/helse-bergen") == ["sp1.xml"])
        // Its audit records are in the log already: recovery, however late, must not add them again.
        let db = try SQLiteDatabase(path: workspace.root.appendingPathComponent("spool/state/gateway.sqlite").path)
        let held = try db.query("SELECT records IS NULL FROM messages LEFT JOIN pending_audit ON message_id = id WHERE state = 'decided'", []) {
            try $0.int(0)
        }
        #expect(held == [1])
        #expect(log().contains("held back until this clears"), "\(log())")
        // The fault clears: the next retry finishes both files, exactly once.
        try FileManager.default.removeItem(atPath: outbound)
        try FileManager.default.createDirectory(atPath: outbound, withIntermediateDirectories: false)
        let done = Date().addingTimeInterval(20)
        while workspace.visible("outbound/bergen-kommune").isEmpty && Date() < done { usleep(50_000) }
        #expect(workspace.visible("outbound/bergen-kommune").count == 1)
        #expect(workspace.visible("outbound/helse-bergen").count == 1, "sp1.xml is answered by Bergen, not the gateway")
        #expect(workspace.files("state/processing/helse-bergen").isEmpty)
        #expect(GatewayProcess.stop(process) == 0)
        #expect(try workspace.auditRecords().count == 2)
        #expect(log().contains("outbound/bergen-kommune"), "the error names the directory: \(log())")
        #expect(log().contains("msg=\"recovered: files go through again\""), "the log says when the fault stopped mattering: \(log())")
    }

    /// A start during a fault (a reboot while a directory is unwritable) rides it out like the
    /// running daemon: the interrupted message is held back, logged and retried with backoff — no
    /// exit, no restart loop — and finished once the fault clears.
    @Test func startDuringAFaultRetriesRecoveryInsteadOfExiting() throws {
        let workspace = try DaemonEndToEndTests.Workspace()
        try workspace.drop(SampleSet.all[0].bytes, as: "sp1.xml")
        #expect(try workspace.run(crashAt: "decided").status == 137)
        // Immutable (EPERM even for root): the directory is there, it only cannot be written.
        let outbound = workspace.root.appendingPathComponent("spool/outbound/bergen-kommune").path
        guard Self.chattr("+i", outbound) else {
            print("note: chattr +i is not possible here (needs root and ext4/xfs/btrfs); the start-during-a-fault test was skipped")
            return
        }
        defer { _ = Self.chattr("-i", outbound) }
        let errURL = workspace.root.appendingPathComponent("stderr.txt")
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let process = try workspace.start(["run"], stderr: try FileHandle(forWritingTo: errURL))
        defer { if process.isRunning { process.terminate() } }
        let log = { String(decoding: (try? Data(contentsOf: errURL)) ?? Data(), as: UTF8.self) }
        let failed = Date().addingTimeInterval(10)
        while !log().contains("held back until this clears") && Date() < failed && process.isRunning { usleep(50_000) }
        #expect(log().contains("held back until this clears"), "\(log())")
        usleep(300_000)
        #expect(process.isRunning, "a fault at start must not end the service: \(log())")
        #expect(Self.chattr("-i", outbound))
        let done = Date().addingTimeInterval(20)
        while workspace.visible("outbound/bergen-kommune").isEmpty && Date() < done { usleep(50_000) }
        #expect(workspace.visible("outbound/bergen-kommune").count == 1)
        #expect(workspace.visible("outbound/helse-bergen").isEmpty)
        #expect(GatewayProcess.stop(process) == 0)
        #expect(!log().contains("cannot start"))
    }

    /// An outbound directory bind-mounted on its own (sharing it with a partner's container, say)
    /// is another mount: `link` from `state/staging/` gets EXDEV, and the output is written next to
    /// its final name as a durable copy instead. Needs root and mounts; skipped otherwise.
    @Test func outboundOnAnotherMountGetsADurableCopy() throws {
        let workspace = try DaemonEndToEndTests.Workspace()
        #expect(try workspace.run().status == 0)  // creates the spool
        let outbound = workspace.root.appendingPathComponent("spool/outbound/bergen-kommune").path
        guard Self.run("/usr/bin/mount", ["--bind", outbound, outbound]) else {
            print("note: bind mounts are not possible here (needs root and a mount namespace); the EXDEV test was skipped")
            return
        }
        defer { _ = Self.run("/usr/bin/umount", [outbound]) }
        try workspace.drop(SampleSet.all[0].bytes, as: "sp1.xml")
        let result = try workspace.run()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(workspace.visible("outbound/bergen-kommune").count == 1)
        #expect(workspace.visible("outbound/helse-bergen").isEmpty)
        #expect(workspace.files("state/staging").isEmpty, "no staged file left behind")
        #expect(workspace.files("outbound/bergen-kommune").allSatisfy { !$0.hasPrefix(".") })
    }

    /// Runs `tool` with `arguments`; false when it is missing or fails.
    static func run(_ tool: String, _ arguments: [String]) -> Bool {
        guard FileManager.default.isExecutableFile(atPath: tool) else { return false }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }

    /// Runs chattr on `path`; false when it is missing or fails (not root, tmpfs).
    static func chattr(_ flag: String, _ path: String) -> Bool { run("/usr/bin/chattr", [flag, path]) }
}
