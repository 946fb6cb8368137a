import Foundation
import Testing
@testable import PathwayGateway

/// status, metrics, the spool lock, logging and demo through the real binary.
@Suite struct OperationsEndToEndTests {
    typealias Workspace = DaemonEndToEndTests.Workspace


    private func stderrFile(_ ws: Workspace, _ name: String) throws -> (URL, FileHandle) {
        let url = ws.root.appendingPathComponent(name)
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        return (url, try FileHandle(forWritingTo: url))
    }

    private func text(_ url: URL) -> String { String(decoding: (try? Data(contentsOf: url)) ?? Data(), as: UTF8.self) }

    /// Counters move as the running daemon processes files; the file always parses.
    @Test func metricsFileFollowsTheRunningDaemon() throws {
        let ws = try Workspace()
        var config = try JSONSerialization.jsonObject(
            with: Data(contentsOf: TestPaths.packageRoot.appendingPathComponent("samples/pathway-gateway.json"))) as! [String: Any]
        config["metrics"] = ["directory": "prom", "intervalSeconds": 0.2]
        let configURL = ws.root.appendingPathComponent("gateway.json")
        try JSONSerialization.data(withJSONObject: config).write(to: configURL)
        let prom = ws.root.appendingPathComponent("prom/pathway_gateway.prom").path
        let (_, err) = try stderrFile(ws, "stderr.txt")
        let process = try ws.start(["run", "--config", configURL.path], stderr: err)
        defer { if process.isRunning { process.terminate() } }
        func samples() -> [String: Double] {
            (try? PrometheusTextCheck.parse(String(decoding: FileManager.default.contents(atPath: prom) ?? Data(), as: UTF8.self))) ?? [:]
        }
        #expect(eventually { samples()["pathway_gateway_processing_seconds_count"] == 0 }, "the first file is written at start")
        for sample in SampleSet.all { try ws.drop(sample.bytes, as: sample.fileName) }
        #expect(eventually { samples()["pathway_gateway_processing_seconds_count"] == Double(SampleSet.all.count) })
        let s = samples()
        #expect(s[#"pathway_gateway_messages_total{partner="helse-bergen",outcome="accepted"}"#] == 3)
        #expect(s[#"pathway_gateway_messages_total{partner="helse-bergen",outcome="rejected"}"#] == 5)
        #expect(s[#"pathway_gateway_quarantined_files{partner="helse-bergen"}"#] == 5)
        #expect(s[#"pathway_gateway_inbound_files{partner="helse-bergen"}"#] == 0)
        #expect((s["pathway_gateway_last_success_timestamp_seconds"] ?? 0) > Date().timeIntervalSince1970 - 60)
        #expect(eventually { samples()[#"pathway_gateway_apprec_pending_messages{partner="bergen-kommune"}"#] == 3 })
        let mode = try FileManager.default.attributesOfItem(atPath: prom)[.posixPermissions] as? Int
        #expect(mode == 0o644)
        let text = String(decoding: FileManager.default.contents(atPath: prom) ?? Data(), as: UTF8.self)
        for fnr in SampleSet.patients { #expect(!text.contains(fnr)) }
        #expect(GatewayProcess.stop(process) == 0)
        #expect(samples()["pathway_gateway_processing_seconds_count"] == Double(SampleSet.all.count), "the final write keeps the counts")
        #expect(!ws.files("../prom").contains { $0.hasSuffix(".tmp") }, "no temporary file left behind")
    }

    /// The lock refuses a second daemon; status follows the daemon's life; logs are whole JSON lines.
    @Test func spoolLockStatusExitCodesAndJSONLogs() throws {
        let ws = try Workspace()
        let env = ["PATHWAY_GATEWAY_CONFIG": ""]
        let before = try GatewayProcess.run(["status"], environment: env, cwd: ws.root)
        #expect(before.status == 1)
        #expect(before.stdout.contains("daemon:             not running"))
        #expect(!FileManager.default.fileExists(atPath: ws.root.appendingPathComponent("spool").path), "status creates nothing")

        let (errURL, err) = try stderrFile(ws, "daemon.log")
        let process = try ws.start(["run", "--log-format", "json"], stderr: err)
        defer { if process.isRunning { process.terminate() } }
        let lock = ws.root.appendingPathComponent("spool/state/gateway.lock").path
        #expect(eventually { (try? SpoolLock.probe(lock)) == .process(pid: process.processIdentifier) })
        try ws.drop(SampleSet.all[0].bytes, as: "sp1.xml")
        #expect(eventually { !ws.visible("archive/helse-bergen").isEmpty })

        let running = try GatewayProcess.run(["status", "--json"], environment: env, cwd: ws.root)
        #expect(running.status == 0, "\(running.stdout)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(running.stdout.utf8)) as? [String: Any])
        #expect((json["daemon"] as? [String: Any])?["pid"] as? Int == Int(process.processIdentifier))
        #expect((json["outcomes"] as? [String: Any]).flatMap { $0["lastHour"] as? [String: Int] } == ["accepted": 1])

        let second = try GatewayProcess.run(["run", "--once"], environment: env, cwd: ws.root)
        #expect(second.status == 2)
        #expect(second.stderr.contains("another gateway (pid \(process.processIdentifier)) is running on this spool"))

        #expect(GatewayProcess.stop(process) == 0)
        let after = try GatewayProcess.run(["status"], environment: env, cwd: ws.root)
        #expect(after.status == 1)
        #expect(after.stdout.contains("UNHEALTHY: daemon not running"))
        #expect(try GatewayProcess.run(["status", "--max-inbound-age", "soon"], environment: env, cwd: ws.root).status == 2)

        let lines = text(errURL).split(separator: "\n")
        #expect(lines.count >= 2)
        for line in lines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?["ts"] is String && object?["level"] is String && object?["msg"] is String, "\(line)")
        }
        #expect(lines.contains { $0.contains(#""msg":"starting""#) })
        #expect(lines.contains { $0.contains(#""msg":"retention""#) }, "retention runs when the loop is first idle")
        for fnr in SampleSet.patients { #expect(!text(errURL).contains(fnr)) }
    }

    /// The lock belongs to one spool: a reload naming another spool is refused and work goes on.
    @Test func reloadCannotMoveTheSpool() throws {
        let ws = try Workspace()
        let configURL = ws.root.appendingPathComponent("gateway.json")
        let sample = try Data(contentsOf: TestPaths.packageRoot.appendingPathComponent("samples/pathway-gateway.json"))
        try sample.write(to: configURL)
        let (errURL, err) = try stderrFile(ws, "daemon.log")
        let process = try ws.start(["run", "--config", configURL.path], stderr: err)
        defer { if process.isRunning { process.terminate() } }
        let lock = ws.root.appendingPathComponent("spool/state/gateway.lock").path
        #expect(eventually { (try? SpoolLock.probe(lock)) == .process(pid: process.processIdentifier) })
        try Data(String(decoding: sample, as: UTF8.self).replacingOccurrences(of: #""spool": "spool""#, with: #""spool": "elsewhere""#)
            .utf8).write(to: configURL)
        kill(process.processIdentifier, SIGHUP)
        #expect(eventually { text(errURL).contains("the spool cannot change on reload") })
        try ws.drop(SampleSet.all[0].bytes, as: "after-refused-reload.xml")
        #expect(eventually { !ws.visible("archive/helse-bergen").isEmpty }, "the running configuration keeps working")
        #expect(!FileManager.default.fileExists(atPath: ws.root.appendingPathComponent("elsewhere").path))
        #expect(GatewayProcess.stop(process) == 0)
    }

    /// The tour exits 0, shows every flow, and every file it names exists.
    @Test func demoShowsEveryFlowAndNamesFilesThatExist() throws {
        let ws = try Workspace()
        let dir = ws.root.appendingPathComponent("tour")
        let started = Date()
        let result = try GatewayProcess.run(["demo", "--dir", dir.path], environment: ["PATHWAY_GATEWAY_CONFIG": ""])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(Date().timeIntervalSince(started) < 60)
        let out = result.stdout
        for phrase in ["accepted, delivered to bergen-kommune", "rejected E31", "rejected E30", "rejected T01", "rejected T02",
                       "rejected T10", "duplicate: a resend of a delivered message", "relayed byte for byte",
                       "as its sender wrote it (MsgId and Sender kept)", "delivered to helse-bergen",
                       "the same copy is delivered once more", "copy again:", "relayed:",
                       "rejected E10", "rejected X99", "security event", "apprec-received", "now delivered",
                       "the receiver REJECTED", "Outcomes: accepted 4, apprec-received 3, duplicate 2, rejected 7"] {
            #expect(out.contains(phrase), "demo output lacks \(phrase)")
        }
        #expect(out.contains("(taken by bergen-kommune)"))
        let lines = out.split(separator: "\n").filter { !$0.contains("(taken by") }
        let named = lines.flatMap { $0.split(separator: " ") }.filter { $0.hasPrefix("spool/") }
            .map { String($0).trimmingCharacters(in: CharacterSet(charactersIn: ",")) }
        #expect(named.count > 30)
        for path in named {
            #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent(path).path), "demo names \(path)")
        }
        for fnr in SampleSet.patients { #expect(!out.contains(fnr)) }
        let again = try GatewayProcess.run(["demo", "--dir", dir.path])
        #expect(again.status == 2)
        #expect(again.stderr.contains("is not empty"))
    }
}
