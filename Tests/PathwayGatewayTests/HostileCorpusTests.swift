import Foundation
import Testing
@testable import PathwayGateway
#if canImport(Glibc)
import Glibc
#endif

/// The hostile corpus (`Tests/HostileCorpus/manifest.tsv`) through the real daemon binary: every
/// input gets the outcome and answer the manifest names, the daemon keeps running throughout, no
/// URL in any input is ever fetched, nothing from /etc/passwd leaks, and the log stays one
/// structured line per event. Files replaced or rewritten while being read run alone
/// (HostileCorpusTests+Alone.swift).
@Suite(.serialized) struct HostileCorpusTests {
    typealias Workspace = DaemonEndToEndTests.Workspace

    /// Starts the serving daemon on a fresh workspace with a short scan interval (symlinks, FIFOs
    /// and directories raise no inotify event the daemon watches; the periodic scan finds them).
    static func serving(_ ws: Workspace, stderr: URL) throws -> Process {
        try ws.configure(["scanIntervalSeconds": 0.3])
        _ = FileManager.default.createFile(atPath: stderr.path, contents: nil)
        let process = try ws.start(["run"], stderr: try FileHandle(forWritingTo: stderr))
        // Started: the spool laid out, the start-up checks passed and the audit log open.
        try waitFor("the daemon to start") {
            FileManager.default.fileExists(atPath: ws.root.appendingPathComponent("spool/audit/audit.jsonl").path)
                && FileManager.default.fileExists(atPath: inbox(ws))
        }
        return process
    }

    static func inbox(_ ws: Workspace, _ partner: String = "helse-bergen") -> String {
        ws.root.appendingPathComponent("spool/inbound/\(partner)").path
    }

    static func waitFor(_ what: String, seconds: Double = 60, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while try !condition() {
            guard Date() < deadline else { throw POSIXError(.ETIMEDOUT, userInfo: [NSLocalizedDescriptionKey: "waiting for \(what)"]) }
            usleep(50_000)
        }
    }

    /// The decision record for a dropped file name (nil: none yet).
    static func decision(_ ws: Workspace, _ name: String) throws -> [String: Any]? {
        guard FileManager.default.fileExists(atPath: ws.root.appendingPathComponent("spool/audit/audit.jsonl").path) else { return nil }
        return try ws.auditRecords().first { $0["file"] as? String == name }
    }

    @Test func everyHostileInputGetsItsOutcomeAndTheDaemonKeepsRunning() throws {
        let entries = try HostileCorpus.manifest()
        #expect(entries.count >= 40, "the manifest lost entries")
        let ws = try Workspace()
        let trap = TrapListener(port: HostileCorpus.evilPort)
        let stderrURL = ws.root.appendingPathComponent("daemon.stderr")
        let process = try Self.serving(ws, stderr: stderrURL)
        defer { if process.isRunning { process.terminate(); process.waitUntilExit() } }
        for entry in entries { try HostileCorpus.materialise(entry, in: Self.inbox(ws)) }
        try Self.waitFor("every input to be decided", seconds: 120) {
            (try? ws.auditRecords().count) == entries.count || !process.isRunning
        }
        #expect(process.isRunning, "the daemon must survive every input")
        for entry in entries { try check(entry, in: ws) }
        #expect(ws.files("inbound/helse-bergen").isEmpty)
        #expect(ws.files("state/processing/helse-bergen").isEmpty)

        #expect(GatewayProcess.stop(process) == 0)
        if let trap { #expect(!trap.connectionAttempted, "an input made the gateway connect to 127.0.0.1:\(HostileCorpus.evilPort)") }
        else { print("note: port \(HostileCorpus.evilPort) busy; the no-network check was skipped") }
        // Nothing of /etc/passwd in anything the gateway wrote, logged or audited.
        let written = ["outbound/helse-bergen", "outbound/bergen-kommune", "quarantine/helse-bergen"].flatMap { dir in
            ws.visible(dir).filter { !$0.hasPrefix(".") }.map { "\(dir)/\($0)" }
        }
        let stderr = String(decoding: try Data(contentsOf: stderrURL), as: UTF8.self)
        for path in written where !path.hasPrefix("quarantine/") || path.hasSuffix(".reason.txt") {
            #expect(!String(decoding: try ws.read(path), as: UTF8.self).contains("root:x:0:0"), "\(path)")
        }
        let audit = String(decoding: try ws.read("audit/audit.jsonl"), as: UTF8.self)
        #expect(!stderr.contains("root:x:0:0") && !audit.contains("root:x:0:0"))
        // One structured line per event: no libxml2 noise, no line forged by a file name.
        for line in stderr.split(separator: "\n") { #expect(line.hasPrefix("ts="), "stray stderr line: \(line.prefix(120))") }
        #expect(!stderr.contains("\nmsg=forged"))
        let verify = try GatewayProcess.run(["audit", "verify"], environment: ["PATHWAY_GATEWAY_CONFIG": ""], cwd: ws.root)
        #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")
    }

    /// One entry's outcome, answer, original and (for accepted inputs) routed copy.
    func check(_ entry: HostileCorpus.Entry, in ws: Workspace) throws {
        let name = entry.takenName
        let stored = SpoolPaths.boundedName(name)  // in the names the gateway derives from it
        guard let record = try Self.decision(ws, name) else {
            Issue.record("\(entry): no decision recorded")
            return
        }
        let gatewayId = try #require(record["gatewayId"] as? String)
        #expect(record["outcome"] as? String == entry.outcome, "\(entry): \(record["errors"] ?? "")")
        let place = entry.outcome == "accepted" ? "archive" : "quarantine"
        #expect(ws.files("\(place)/helse-bergen").contains("\(gatewayId)-\(stored)"), "\(entry): original not in \(place)")
        if place == "quarantine" { #expect(ws.files("quarantine/helse-bergen").contains("\(gatewayId)-\(stored).reason.txt")) }
        let parts = entry.answer.split(separator: ":").map(String.init)
        let receipt = "outbound/helse-bergen/\(gatewayId).apprec.xml"
        let notice = "outbound/helse-bergen/\(stored).rejected.txt"
        let answered = {
            if parts[0] == "notice" {
                #expect(ws.files("outbound/helse-bergen").contains("\(stored).rejected.txt"), "\(entry): no notice")
                #expect(!ws.files("outbound/helse-bergen").contains("\(gatewayId).apprec.xml"), "\(entry): an AppRec besides the notice")
                let text = (try? ws.read(notice)).map { String(decoding: $0, as: UTF8.self) } ?? ""
                #expect(text.contains("(\(parts[1]) "), "\(entry): notice says \(text)")
            } else if entry.outcome == "accepted" {
                // Delivered: the receiver answers (spec §7), never the gateway.
                #expect(!ws.files("outbound/helse-bergen").contains("\(gatewayId).apprec.xml"), "\(entry): answered by the gateway")
            } else {
                let appRec = (try? ws.read(receipt)).flatMap { try? SafeXMLParser.parse($0) }.flatMap { AppRec($0.root) }
                #expect(appRec?.statusCode == parts[1], "\(entry): AppRec \(appRec?.statusCode ?? "missing")")
                #expect(appRec?.errors.first?.code == (parts.count > 2 ? parts[2] : nil), "\(entry)")
            }
        }
        // The archived evidence is the bytes the decision was made on (symlinks, FIFOs and the like excepted).
        let original = ws.root.appendingPathComponent("spool/\(place)/helse-bergen/\(gatewayId)-\(stored)").path
        var info = stat()
        let evidence = {
            if lstat(original, &info) == 0, info.st_mode & S_IFMT == S_IFREG {
                let bytes = (try? Data(contentsOf: URL(fileURLWithPath: original))).map(Array.init) ?? []
                #expect(SHA256.hex(bytes) == record["sha256"] as? String, "\(entry): archived bytes differ from the audited sha256")
            }
        }
        if let issue = entry.issue {
            withKnownIssue("\(issue): \(entry.what)") { answered(); evidence() }
        } else {
            answered()
            evidence()
        }
        if entry.outcome == "accepted" {
            let msgId = try #require(record["msgId"] as? String)
            let routed = try ws.visible("outbound/bergen-kommune").filter { name in
                let head = MsgHead(try SafeXMLParser.parse(try ws.read("outbound/bergen-kommune/\(name)")).root)
                return head.msgId == msgId
            }
            #expect(routed.count == 1, "\(entry): routed \(routed.count) times")
            if let copy = routed.first {
                let result = TestSchemas.validator.validate(try ws.read("outbound/bergen-kommune/\(copy)"))
                #expect((try? result.get()) != nil, "\(entry): the routed copy is invalid: \(result)")
            }
        }
    }
}
