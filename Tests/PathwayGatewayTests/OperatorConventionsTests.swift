import Foundation
import Testing
@testable import PathwayGateway

/// Issue 19's defects, each through the real binary: the version, `help COMMAND`, `NO_COLOR=`,
/// journald priorities, counters seeded at 0, the metrics group, and a quiet reload.
@Suite struct OperatorConventionsTests {
    typealias Workspace = DaemonEndToEndTests.Workspace

    private func text(_ url: URL) -> String { String(decoding: (try? Data(contentsOf: url)) ?? Data(), as: UTF8.self) }

    /// Runs the binary in `ws` with stderr going to a file (the journal test needs a real inode).
    private func launch(_ ws: Workspace, _ arguments: [String], environment: [String: String] = [:],
                        stderr name: String) throws -> (Process, URL) {
        let url = ws.root.appendingPathComponent(name)
        if !FileManager.default.fileExists(atPath: url.path) { _ = FileManager.default.createFile(atPath: url.path, contents: nil) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestPaths.binary)
        process.arguments = arguments
        process.currentDirectoryURL = ws.root
        process.environment = ProcessInfo.processInfo.environment.merging(["PATHWAY_GATEWAY_CONFIG": ""]) { $1 }
            .merging(environment) { $1 }
        process.standardError = try FileHandle(forWritingTo: url)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return (process, url)
    }

    /// Defect 2: one version, from `BuildInfo`, in every place an operator looks for it.
    @Test func versionEverywhere() throws {
        for flag in ["--version", "-V", "version"] {
            let out = try GatewayProcess.run([flag])
            #expect(out.status == 0 && out.stdout == BuildInfo.versionLine + "\n", "\(flag): \(out.stderr)")
        }
        let ws = try Workspace()
        let run = try ws.run()
        #expect(run.stderr.contains("msg=starting version=\(BuildInfo.version) "), "\(run.stderr)")
        let status = try GatewayProcess.run(["status", "--json"], environment: ["PATHWAY_GATEWAY_CONFIG": ""], cwd: ws.root)
        let json = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
        #expect(json?["version"] as? String == BuildInfo.version)
        let prom = try PrometheusTextCheck.parse(String(decoding: try ws.read("metrics/pathway_gateway.prom"), as: UTF8.self))
        #expect(prom["pathway_gateway_build_info{version=\"\(BuildInfo.version)\"}"] == 1)
    }

    /// Defect 7: `help run` is `run --help`; an unknown topic is a usage error.
    @Test func helpNamesACommand() throws {
        let help = try GatewayProcess.run(["help", "run"])
        #expect(help.status == 0)
        #expect(help.stdout == (try GatewayProcess.run(["run", "--help"])).stdout)
        #expect(help.stdout.hasPrefix("usage: pathway-gateway run"))
        #expect(try GatewayProcess.run(["help", "no-such-command"]).status == 2)
    }

    /// Defect 7: `NO_COLOR=` (empty) keeps colour on a terminal; `NO_COLOR=1` removes it. The
    /// terminal is a pseudo-terminal from util-linux `script`.
    @Test func emptyNoColorKeepsColour() throws {
        #expect(AuditLineFormatter.colourWanted(isTerminal: true, environment: ["NO_COLOR": ""]))
        #expect(!AuditLineFormatter.colourWanted(isTerminal: true, environment: ["NO_COLOR": "1"]))
        #expect(!AuditLineFormatter.colourWanted(isTerminal: false, environment: [:]))
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/script") else {
            print("note: /usr/bin/script (util-linux) missing; NO_COLOR checked without a terminal only")
            return
        }
        let ws = try Workspace()
        try ws.drop(SampleSet.all[0].bytes, as: "sp1.xml")
        #expect(try ws.run().status == 0)
        func tail(_ noColor: String) throws -> String {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
            process.arguments = ["-qec", "\(TestPaths.binary) audit tail -n 3", "/dev/null"]
            process.currentDirectoryURL = ws.root
            process.environment = ProcessInfo.processInfo.environment.merging(["PATHWAY_GATEWAY_CONFIG": "", "NO_COLOR": noColor]) { $1 }
            let out = Pipe()
            process.standardOutput = out
            process.standardInput = FileHandle.nullDevice
            try process.run()
            let data = try out.fileHandleForReading.readToEnd() ?? Data()
            process.waitUntilExit()
            return String(decoding: data, as: UTF8.self)
        }
        #expect(try tail("").contains("\u{1B}["), "empty NO_COLOR must not disable colour")
        #expect(!(try tail("1")).contains("\u{1B}["))
    }

    /// Defect 3: with stderr on the journal (JOURNAL_STREAM names its device and inode), each line
    /// carries its syslog priority; with another stream named, lines stay plain.
    @Test func journalLinesCarryTheirPriority() throws {
        let ws = try Workspace()
        let probe = ws.root.appendingPathComponent("probe")
        _ = FileManager.default.createFile(atPath: probe.path, contents: nil)
        func journalStream(of url: URL) throws -> String {
            let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
            return "\(attributes[.systemNumber] as! Int):\(attributes[.systemFileNumber] as! Int)"
        }
        try Data(#"{"spool": "spool", "partners": 3}"#.utf8).write(to: ws.root.appendingPathComponent("bad.json"))
        // The stderr file is created by `launch`; create it first to learn its inode.
        let errURL = ws.root.appendingPathComponent("journal.log")
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let stream = try journalStream(of: errURL)
        let (bad, _) = try launch(ws, ["run", "--config", "bad.json"], environment: ["JOURNAL_STREAM": stream], stderr: "journal.log")
        bad.waitUntilExit()
        #expect(bad.terminationStatus == 2)
        let badLines = text(errURL).split(separator: "\n")
        #expect(!badLines.isEmpty && badLines.allSatisfy { $0.hasPrefix("<3>ts=") }, "\(badLines)")
        let good = ws.root.appendingPathComponent("good.log")
        _ = FileManager.default.createFile(atPath: good.path, contents: nil)
        let (once, _) = try launch(ws, ["run", "--once"], environment: ["JOURNAL_STREAM": try journalStream(of: good)], stderr: "good.log")
        once.waitUntilExit()
        #expect(text(good).split(separator: "\n").contains { $0.hasPrefix("<6>ts=") && $0.contains("msg=starting") })
        let (plain, plainURL) = try launch(ws, ["run", "--once"], environment: ["JOURNAL_STREAM": try journalStream(of: probe)],
                                           stderr: "plain.log")
        plain.waitUntilExit()
        #expect(text(plainURL).hasPrefix("ts="), "another stream named: no prefix")
    }

    /// Defect 1: every configured partner's counters exist at 0 from the first file, so the first
    /// message after a restart is an increase Prometheus can see.
    @Test func countersStartAtZeroForEveryPartner() throws {
        let ws = try Workspace()
        #expect(try ws.run().status == 0)
        let prom = try PrometheusTextCheck.parse(String(decoding: try ws.read("metrics/pathway_gateway.prom"), as: UTF8.self))
        for partner in DefaultConfig.load(currentDirectory: ws.root.path).partners.map(\.id) {
            for outcome in GatewayMetrics.seededOutcomes {
                #expect(prom["pathway_gateway_messages_total{partner=\"\(partner)\",outcome=\"\(outcome)\"}"] == 0, "\(partner) \(outcome)")
            }
        }
    }

    /// Item 9: with `metrics.group` the directory is 0750 and the file 0640, both in that group; an
    /// unknown group name is a configuration problem `check-config` names.
    @Test func metricsDirectoryBelongsToTheCollectorsGroup() throws {
        let ws = try Workspace()
        try ws.configure(["metrics": ["directory": "collector", "group": 65_534]])
        #expect(try ws.run().status == 0)
        let directory = ws.root.appendingPathComponent("collector")
        let dirAttributes = try FileManager.default.attributesOfItem(atPath: directory.path)
        #expect(dirAttributes[.posixPermissions] as? Int == 0o750)
        #expect(dirAttributes[.groupOwnerAccountID] as? Int == 65_534)
        let fileAttributes = try FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent("pathway_gateway.prom").path)
        #expect(fileAttributes[.posixPermissions] as? Int == 0o640)
        #expect(fileAttributes[.groupOwnerAccountID] as? Int == 65_534)
        try ws.configure(["metrics": ["group": "no-such-group-19"]])
        let check = try GatewayProcess.run(["check-config"], environment: ["PATHWAY_GATEWAY_CONFIG": ""], cwd: ws.root)
        #expect(check.status == 1)
        #expect(check.stdout.contains("$.metrics.group: no group \"no-such-group-19\""), "\(check.stdout)")
    }

    /// Defect 6: eight reloads in a row log no second "starting", run retention once, and never
    /// fail to write the metrics file (two services overlap during each reload).
    @Test func reloadIsQuiet() throws {
        let ws = try Workspace()
        try ws.configure(["metrics": ["intervalSeconds": 0.01], "retention": ["archiveDays": 30]])
        let (process, log) = try launch(ws, ["run"], stderr: "daemon.log")
        defer { if process.isRunning { process.terminate() } }
        #expect(eventually { text(log).contains("msg=retention") })
        for round in 1...8 {
            kill(process.processIdentifier, SIGHUP)
            #expect(eventually { text(log).components(separatedBy: "msg=\"configuration reloaded\"").count == round + 1 })
        }
        #expect(GatewayProcess.stop(process) == 0)
        let lines = text(log).split(separator: "\n")
        #expect(lines.filter { $0.contains("msg=starting") }.count == 1)
        #expect(lines.filter { $0.contains("msg=retention") }.count == 1, "retention runs hourly, not on every reload")
        #expect(!text(log).contains("cannot write metrics file"), "\(text(log))")
        #expect(!ws.files("metrics").contains { $0.hasSuffix(".tmp") })
    }
}
