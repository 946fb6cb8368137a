import Foundation
import Testing
@testable import PathwayGateway

/// Spec §8 through the real binary: a file the gateway may not read, an inbox it may not list, a
/// claim that fails and a partner no longer configured are operator problems. The files wait, the
/// other partners go on, and the log, `status`, the metrics and `run --once`'s exit status say so.
/// Permission cases run the daemon as `nobody` (root ignores permissions).
@Suite struct IntakeProblemsEndToEndTests {
    typealias Workspace = DaemonEndToEndTests.Workspace
    static let asNobody = ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]

    /// Whether `nobody` can run the binary here (root and setpriv).
    static var nobodyCanRun: Bool { TestPaths.binaryForOtherUsers != nil }
    static var binary: String { TestPaths.binaryForOtherUsers ?? TestPaths.binary }

    /// A workspace the daemon, running as nobody, owns.
    static func nobodysWorkspace() throws -> Workspace {
        let ws = try Workspace()
        #expect(chown(ws.root.path, 65534, 65534) == 0)
        return ws
    }

    static func run(_ ws: Workspace, _ arguments: [String], asNobody: Bool = true) throws -> GatewayProcess.Output {
        try GatewayProcess.run(arguments, environment: ["PATHWAY_GATEWAY_CONFIG": ""], cwd: ws.root,
                               wrapper: asNobody ? Self.asNobody : [], binary: asNobody ? Self.binary : TestPaths.binary)
    }

    /// Root drops a file the way a partner system running as its own user would.
    static func drop(_ ws: Workspace, _ bytes: [UInt8], as name: String, inbox: String = "helse-bergen", mode: mode_t = 0o644) throws {
        try ws.drop(bytes, as: name, inbox: inbox)
        #expect(chmod(ws.root.appendingPathComponent("spool/inbound/\(inbox)/\(name)").path, mode) == 0)
    }

    /// Defect 7: a file the gateway may not read is not rejected (it was never read): it waits,
    /// the inbox's other files go on, `run --once` exits 1 and says why; once readable, it is
    /// taken like any other.
    @Test(.enabled(if: nobodyCanRun, "needs root and setpriv to run the daemon as nobody"))
    func aFileTheGatewayMayNotReadWaitsAndIsTakenOnceReadable() throws {
        let ws = try Self.nobodysWorkspace()
        #expect(try Self.run(ws, ["run", "--once"]).status == 0)  // creates the spool as nobody
        try Self.drop(ws, SampleSet.all[0].bytes, as: "locked.xml", mode: 0o600)  // root's, 0600
        try Self.drop(ws, SampleSet.all[1].bytes, as: "open.xml")
        let first = try Self.run(ws, ["run", "--once"])
        #expect(first.status == 1, "\(first.stderr)")
        #expect(first.stderr.contains("files left waiting") && first.stderr.contains("file-unreadable")
                && first.stderr.contains("inbound/helse-bergen/locked.xml"), "\(first.stderr)")
        #expect(ws.files("inbound/helse-bergen") == ["locked.xml"], "it waits where it is")
        #expect(try ws.auditRecords().count == 1, "the readable file went on; the locked one has no outcome")
        #expect(ws.files("quarantine/helse-bergen").isEmpty, "never a T01 for a file that was never read")

        #expect(chmod(ws.root.appendingPathComponent("spool/inbound/helse-bergen/locked.xml").path, 0o644) == 0)
        let second = try Self.run(ws, ["run", "--once"])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(try ws.auditRecords().map { $0["outcome"] as? String } == ["accepted", "accepted"])
    }

    /// The intake reads each inbox a few batches at a time (its memory must not grow with the
    /// backlog): every file is still taken, and unreadable files at the front of the name order
    /// never keep the readable ones behind them waiting.
    @Test(.enabled(if: nobodyCanRun, "needs root and setpriv to run the daemon as nobody"))
    func aBacklogIsTakenAFewBatchesAtATimePastUnreadableFiles() throws {
        let ws = try Self.nobodysWorkspace()
        try ws.configure(["batchSize": 1])  // 4 files per inbox and pass
        #expect(try Self.run(ws, ["run", "--once"]).status == 0)
        for index in 0..<6 {
            try Self.drop(ws, SampleSet.all[0].bytes, as: "a\(index).xml", mode: 0o600)  // root's: unreadable
        }
        for index in 0..<9 {
            let bytes = MessageValidatorTests.message { $0.msgId = "backlog-\(index)"; $0.receiver = RouterTests.gateway }
            try Self.drop(ws, bytes, as: "b\(index).xml")
        }
        let once = try Self.run(ws, ["run", "--once"])
        #expect(once.status == 1, "files left waiting: \(once.stderr)")
        #expect(try ws.auditRecords().count == 9, "every readable file taken")
        #expect(ws.files("inbound/helse-bergen") == (0..<6).map { "a\($0).xml" })
    }

    /// Spec §1: `run --once` exits 1 when it leaves messages held back (an outbound directory the
    /// gateway may not write), 0 once a later run could finish them.
    @Test(.enabled(if: nobodyCanRun, "needs root and setpriv to run the daemon as nobody"))
    func runOnceExitsOneWhileMessagesAreHeldBack() throws {
        let ws = try Self.nobodysWorkspace()
        #expect(try Self.run(ws, ["run", "--once"]).status == 0)
        let outbound = ws.root.appendingPathComponent("spool/outbound/bergen-kommune").path
        #expect(chmod(outbound, 0o500) == 0)
        try Self.drop(ws, SampleSet.all[0].bytes, as: "sp1.xml")
        let held = try Self.run(ws, ["run", "--once"])
        #expect(held.status == 1, "\(held.stderr)")
        #expect(held.stderr.contains("messages left held back"), "\(held.stderr)")
        #expect(chmod(outbound, 0o700) == 0)
        let finished = try Self.run(ws, ["run", "--once"])
        #expect(finished.status == 0, "\(finished.stderr)")
        #expect(ws.files("outbound/bergen-kommune").count == 1)
    }

    /// Defect 7: an inbox the gateway may not list stops neither the daemon nor the other
    /// partners; `status` turns unhealthy and names it, the metrics count it, until it is fixed.
    @Test(.enabled(if: nobodyCanRun, "needs root and setpriv to run the daemon as nobody"))
    func anInboxTheGatewayMayNotListIsReportedAndTheOthersGoOn() throws {
        let ws = try Self.nobodysWorkspace()
        try ws.configure(["metrics": ["intervalSeconds": 1]])
        #expect(try Self.run(ws, ["run", "--once"]).status == 0)
        let locked = ws.root.appendingPathComponent("spool/inbound/haraldsplass").path
        #expect(chown(locked, 0, 0) == 0 && chmod(locked, 0o700) == 0)
        defer { _ = chmod(locked, 0o777) }
        try Self.drop(ws, SampleSet.all[0].bytes, as: "sp1.xml")
        // Defect 8 too: the inbox of a partner no longer configured, with a file in it.
        try Self.drop(ws, SampleSet.all[1].bytes, as: "stranded.xml", inbox: "voss-herad")
        let metricsFile = ws.root.appendingPathComponent("spool/metrics/pathway_gateway.prom")
        let unlistable = "pathway_gateway_intake_problems{partner=\"haraldsplass\",kind=\"inbox-unlistable\"} 1"
        let log = ws.root.appendingPathComponent("daemon.log")
        #expect(FileManager.default.createFile(atPath: log.path, contents: nil))
        let daemon = Process()
        daemon.executableURL = URL(fileURLWithPath: Self.asNobody[0])
        daemon.arguments = Array(Self.asNobody.dropFirst()) + [Self.binary, "run"]
        daemon.currentDirectoryURL = ws.root
        daemon.environment = ProcessInfo.processInfo.environment.merging(["PATHWAY_GATEWAY_CONFIG": ""]) { $1 }
        daemon.standardError = try FileHandle(forWritingTo: log)
        try daemon.run()
        defer { _ = GatewayProcess.stop(daemon) }
        let deadline = Date().addingTimeInterval(30)
        var status = try Self.run(ws, ["status", "--json"])
        func metrics() -> String { (try? String(contentsOf: metricsFile, encoding: .utf8)) ?? "" }
        while Date() < deadline, !status.stdout.contains("cannot list this inbox") || ws.files("outbound/bergen-kommune").isEmpty
                || !metrics().contains(unlistable) {
            usleep(200_000)
            status = try Self.run(ws, ["status", "--json"])
        }
        #expect(ws.files("outbound/bergen-kommune").count == 1, "helse-bergen's message went through")
        #expect(status.status == 1, "unhealthy: \(status.stdout)")
        #expect(status.stdout.contains("inbound/haraldsplass: the gateway cannot list this inbox"), "\(status.stdout)")
        #expect(status.stdout.contains("inbound/voss-herad: 1 file(s) in the inbox of a partner that is not configured"),
                "\(status.stdout)")
        #expect(metrics().contains(unlistable))
        #expect(metrics().contains("pathway_gateway_intake_problems{partner=\"voss-herad\",kind=\"unconfigured-inbox\"} 1"))
        #expect(GatewayProcess.stop(daemon) == 0, "the daemon kept running")
        let logged = try String(contentsOf: log, encoding: .utf8)
        let said = logged.split(separator: "\n").filter { $0.contains("files wait in an inbox") }
        #expect(said.count == 2 && said.contains { $0.contains("haraldsplass") } && said.contains { $0.contains("voss-herad") },
                "each problem said once, not at every pass: \(logged)")
    }

    /// Defect 8: a partner removed from the configuration leaves files nothing will take: the log,
    /// `status` and `run --once` say so.
    @Test func filesOfAPartnerNoLongerConfiguredAreReported() throws {
        let ws = try Workspace()
        try ws.drop(SampleSet.all[0].bytes, as: "stranded.xml", inbox: "voss-herad")
        let once = try Self.run(ws, ["run", "--once"], asNobody: false)
        #expect(once.status == 1)
        #expect(once.stderr.contains("unconfigured-inbox") && once.stderr.contains("inbound/voss-herad"), "\(once.stderr)")
        #expect(ws.files("inbound/voss-herad") == ["stranded.xml"])
    }

    /// Whether this machine lets the tests mount a tmpfs (root, and not forbidden by a container).
    static let canMount: Bool = {
        guard getuid() == 0 else { return false }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pg-mount-\(UUID().uuidString)").path
        defer { rmdir(dir) }
        guard mkdir(dir, 0o700) == 0, mount("tmpfs", dir, "tmpfs", 0, "size=64k") == 0 else { return false }
        umount(dir)
        return true
    }()

    /// Defect 11: an inbox on another file system cannot be claimed from (EXDEV). It is said once
    /// (not every second), backed off, shown by `status`, and cleared when fixed.
    @Test(.enabled(if: canMount, "needs root and permission to mount a tmpfs"))
    func anInboxOnAnotherFileSystemIsBackedOffAndReported() throws {
        let ws = try Workspace()
        try ws.configure(["metrics": ["intervalSeconds": 1]])
        try ws.run()
        let inbox = ws.root.appendingPathComponent("spool/inbound/helse-bergen").path
        #expect(mount("tmpfs", inbox, "tmpfs", 0, "size=1m,mode=0770") == 0)
        var mounted = true
        defer { if mounted { umount(inbox) } }
        try ws.drop(SampleSet.all[0].bytes, as: "sp1.xml")
        let log = ws.root.appendingPathComponent("daemon.log")
        #expect(FileManager.default.createFile(atPath: log.path, contents: nil))
        let daemon = try ws.start(["run"], stderr: try FileHandle(forWritingTo: log))
        defer { _ = GatewayProcess.stop(daemon) }
        var status = try Self.run(ws, ["status"], asNobody: false)
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline, !status.stdout.contains("cannot be taken from this inbox") {
            usleep(200_000)
            status = try Self.run(ws, ["status"], asNobody: false)
        }
        #expect(status.status == 1 && status.stdout.contains("inbound/helse-bergen: 1 file(s) cannot be taken from this inbox"),
                "\(status.stdout)")
        #expect(status.stdout.contains("Invalid cross-device link"), "\(status.stdout)")
        sleep(3)  // a dozen passes and more at the old once-a-second rate
        #expect(umount(inbox) == 0)
        mounted = false
        while Date() < deadline, !((try? String(contentsOf: log, encoding: .utf8)) ?? "").contains("inbox problem cleared") {
            usleep(200_000)
        }
        #expect(GatewayProcess.stop(daemon) == 0)
        let lines = try String(contentsOf: log, encoding: .utf8).split(separator: "\n")
        #expect(lines.filter { $0.contains("files wait in an inbox") }.count == 1, "said once: \(lines)")
        #expect(lines.filter { $0.contains("level=warn") && $0.contains("cross-device") }.count == 1, "no flood: \(lines)")
        #expect(lines.contains { $0.contains("inbox problem cleared") }, "\(lines)")
    }
}
