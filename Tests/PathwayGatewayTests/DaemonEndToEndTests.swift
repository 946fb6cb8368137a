import Foundation
import Testing
@testable import PathwayGateway

/// `pathway-gateway run --once` through the real binary on temporary spools (embedded default
/// config, spool ./spool in the working directory).
@Suite struct DaemonEndToEndTests {
    final class Workspace {
        let root: URL
        init() throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("pg-e2e-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        }
        deinit { try? FileManager.default.removeItem(at: root) }

        func drop(_ bytes: [UInt8], as name: String, inbox: String = "helse-bergen") throws {
            let dir = root.appendingPathComponent("spool/inbound/\(inbox)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let temp = dir.appendingPathComponent(".\(name).tmp")
            try Data(bytes).write(to: temp)
            try FileManager.default.moveItem(at: temp, to: dir.appendingPathComponent(name))
        }

        /// What a partner sees: final names only (temporary names start with ".").
        func visible(_ relative: String) -> [String] { files(relative).filter { !$0.hasPrefix(".") } }

        func files(_ relative: String) -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("spool/\(relative)").path)) ?? []).sorted()
        }

        func read(_ relative: String) throws -> [UInt8] { Array(try Data(contentsOf: root.appendingPathComponent("spool/\(relative)"))) }

        @discardableResult
        func run(crashAt step: String? = nil) throws -> GatewayProcess.Output {
            var env: [String: String] = ["PATHWAY_GATEWAY_CONFIG": ""]
            if let step { env["PATHWAY_GATEWAY_CRASH_AT"] = step }
            return try GatewayProcess.run(["run", "--once"], environment: env, cwd: root)
        }

        /// Writes `./pathway-gateway.json` (found by the config lookup before the embedded default):
        /// the sample config with `changes` applied at the top level.
        func configure(_ changes: [String: Any]) throws {
            let sample = try Data(contentsOf: TestPaths.packageRoot.appendingPathComponent("samples/pathway-gateway.json"))
            var object = try JSONSerialization.jsonObject(with: sample) as! [String: Any]
            object["spool"] = "spool"
            object.merge(changes) { $1 }
            try JSONSerialization.data(withJSONObject: object).write(to: root.appendingPathComponent("pathway-gateway.json"))
        }

        /// Starts the real binary in the workspace (embedded default config unless told otherwise).
        func start(_ arguments: [String], stderr: FileHandle = .nullDevice) throws -> Process {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: TestPaths.binary)
            process.arguments = arguments
            process.currentDirectoryURL = root
            process.environment = ProcessInfo.processInfo.environment.merging(["PATHWAY_GATEWAY_CONFIG": ""]) { $1 }
            process.standardError = stderr
            try process.run()
            return process
        }

        /// The audit records of one event (`nil`: all). By default the decisions: one per input file.
        func auditRecords(event: String? = "received") throws -> [[String: Any]] {
            let text = String(decoding: try read("audit/audit.jsonl"), as: UTF8.self)
            return try text.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
                .filter { event == nil || $0["event"] as? String == event }
        }
    }

    @Test func everySampleFlowEndsWithItsOutcome() throws {
        let ws = try Workspace()
        for sample in SampleSet.all { try ws.drop(sample.bytes, as: sample.fileName) }
        let result = try ws.run()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(ws.files("inbound/helse-bergen").isEmpty)
        #expect(ws.files("state/processing/helse-bergen").isEmpty)
        // Three accepted messages are delivered to Bergen (whose AppRecs will answer them); every
        // rejected message with a MsgId gets the gateway's AppRec.
        #expect(ws.files("outbound/bergen-kommune").count == 3)
        #expect(ws.files("outbound/helse-bergen").filter { $0.hasSuffix(".apprec.xml") }.count == SampleSet.all.count - 3)
        #expect(ws.files("archive/helse-bergen").count == 3)
        #expect(ws.files("quarantine/helse-bergen").filter { !$0.hasSuffix(".reason.txt") }.count == 5)
        let records = try ws.auditRecords()
        #expect(records.count == SampleSet.all.count)
        // Every step has its record, in order, tied together by the gateway's id and the MsgIds.
        let all = try ws.auditRecords(event: nil)
        let sp1 = try #require(records.first { $0["outcome"] as? String == "accepted" && $0["pathwayEvent"] as? String == "PFH-SP1" })
        let story = all.filter { $0["gatewayId"] as? String == sp1["gatewayId"] as? String }
        #expect(story.map { $0["event"] as? String } == ["received", "routed", "archived"])
        #expect(story[1]["refMsgId"] as? String == sp1["msgId"] as? String)
        #expect(story[1]["partner"] as? String == "bergen-kommune")
        #expect(story[1]["patient"] as? String == sp1["patient"] as? String)
        #expect(all.filter { $0["event"] as? String == "quarantined" }.count == 5)
        let text = String(decoding: try ws.read("audit/audit.jsonl"), as: UTF8.self)
        for fnr in SampleSet.patients { #expect(!text.contains(fnr), "identity number in the audit log") }
        #expect(!text.contains("Testesen"))
        #expect(!result.stderr.contains(SampleSet.patients[0]))
    }

    @Test func duplicateAcrossRestartsGetsTheSameAppRecAndIsNotRoutedTwice() throws {
        let ws = try Workspace()
        let sp2 = try ConversationEndToEndTests.sp2FromBergen()
        try ws.drop(sp2, as: "first.xml", inbox: "bergen-kommune")
        try ws.run()
        try ws.drop(sp2, as: "again.xml", inbox: "bergen-kommune")
        try ws.run()
        let receipts = ws.files("outbound/bergen-kommune")
        #expect(receipts.count == 2)
        let bytes = try receipts.map { try ws.read("outbound/bergen-kommune/\($0)") }
        #expect(bytes[0] == bytes[1], "a duplicate must get byte-for-byte the same AppRec")
        #expect(try ws.auditRecords().last?["outcome"] as? String == "duplicate")
    }

    @Test func municipalityAppRecIsMatchedNotAnswered() throws {
        let ws = try Workspace()
        try ws.drop(SampleSet.all[0].bytes, as: "sp1.xml")
        try ws.run()
        let routedName = try #require(ws.files("outbound/bergen-kommune").first)
        let routed = MsgHead(try SafeXMLParser.parse(try ws.read("outbound/bergen-kommune/\(routedName)")).root)
        let answer = AppRec(version: .v1_1, genDate: "2026-11-23T12:00:00", id: "bergen-kvittering-1",
                            sender: .init(institution: .init(name: "Bergen kommune", herId: "8150100"),
                                          department: .init(name: "Kreftkoordinator", herId: "8150101")),
                            receiver: .init(institution: .init(name: "Forløpsgateway Helse Vest", herId: "8150001")),
                            status: .ok, errors: [],
                            originalMsgId: .init(msgType: routed.type, issueDate: routed.genDate, id: routed.msgId))
        try ws.drop(AppRecEncoder.encode(answer), as: "kvittering.xml", inbox: "bergen-kommune")
        try ws.run()
        #expect(ws.files("outbound/bergen-kommune").count == 1, "an AppRec is never answered")
        let last = try #require(try ws.auditRecords().last)
        #expect(last["outcome"] as? String == "apprec-received")
        #expect(last["refMsgId"] as? String == routed.msgId)
        #expect((last["errors"] as? [String])?.isEmpty == true)
    }

    /// SIGKILL-equivalent `_exit` after each named step, then a restart: every input ends with
    /// exactly one outcome and one delivered copy (the AppRec steps: ConversationEndToEndTests).
    @Test(arguments: ["staged", "decided", "routed-written", "archived"])
    func crashAtEachStepIsFinishedOnRestart(step: String) throws {
        let ws = try Workspace()
        try ws.drop(SampleSet.all[0].bytes, as: "sp1.xml")
        let crashed = try ws.run(crashAt: step)
        #expect(crashed.status == 137)
        let restarted = try ws.run()
        #expect(restarted.status == 0, "\(restarted.stderr)")
        #expect(ws.files("outbound/bergen-kommune").count == 1)
        #expect(ws.files("outbound/helse-bergen").isEmpty)
        #expect(ws.files("archive/helse-bergen").count == 1)
        #expect(ws.files("state/processing/helse-bergen").isEmpty)
        #expect(ws.files("outbound/bergen-kommune").allSatisfy { !$0.hasPrefix(".") }, "no partial file")
        // Whether or not the crash came before the audit append, each step is recorded once.
        #expect(try ws.auditRecords().count == 1)
        #expect(try ws.auditRecords(event: "routed").count == 1)
        #expect(try ws.auditRecords(event: "apprec-sent").isEmpty)
        #expect(try ws.auditRecords(event: "recovered").count == (step == "staged" ? 0 : 1), "only a recorded decision is recovered")
        let leftovers = ["outbound/bergen-kommune", "outbound/helse-bergen", "archive/helse-bergen"].flatMap(ws.files).filter { $0.hasPrefix(".") }
        #expect(leftovers.isEmpty, "no staged temp file is left behind")
        let verify = try GatewayProcess.run(["audit", "verify"], environment: ["PATHWAY_GATEWAY_CONFIG": ""], cwd: ws.root)
        #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")
    }

    @Test func runningDaemonPicksUpFilesAndStopsCleanlyOnSIGTERM() throws {
        let ws = try Workspace()
        let process = try ws.start(["run"])
        defer { if process.isRunning { process.terminate() } }
        try ws.drop(SampleSet.all[0].bytes, as: "live.xml")
        let deadline = Date().addingTimeInterval(10)
        while ws.visible("archive/helse-bergen").isEmpty && Date() < deadline { usleep(20_000) }
        #expect(ws.visible("outbound/helse-bergen").isEmpty, "delivered: the receiver answers")
        #expect(ws.visible("outbound/bergen-kommune").count == 1)
        #expect(GatewayProcess.stop(process) == 0)
    }

    /// Hostile and broken files: each gets its outcome, the daemon keeps going, nothing leaks.
    @Test func hostileFilesAreQuarantinedAndTheDaemonKeepsRunning() throws {
        let ws = try Workspace()
        let xxe = #"<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><MsgHead>&x;</MsgHead>"#
        var laughs = #"<!ENTITY l0 "ha">"#
        for i in 1...9 { laughs += "<!ENTITY l\(i) \"" + String(repeating: "&l\(i - 1);", count: 10) + "\">" }
        try ws.drop(Array(xxe.utf8), as: "xxe.xml")
        try ws.drop(Array("<!DOCTYPE r [\(laughs)]><r>&l9;</r>".utf8), as: "laughs.xml")
        try ws.drop(Array((String(repeating: "<a>", count: 10_000) + String(repeating: "</a>", count: 10_000)).utf8), as: "deep.xml")
        try ws.drop([0x00, 0xFF, 0xFE, 0x00], as: "binary.xml")
        try ws.drop(SampleSet.all[0].bytes, as: "file name with spaces æøå.xml")
        try ws.drop(SampleSet.all[1].bytes, as: "wrong-inbox.xml", inbox: "haraldsplass")
        let result = try ws.run()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(ws.files("inbound/helse-bergen").isEmpty)
        #expect(ws.files("inbound/haraldsplass").isEmpty)
        let notices = ws.files("outbound/helse-bergen").filter { $0.hasSuffix(".rejected.txt") }
        #expect(notices.sorted() == ["binary.xml.rejected.txt", "deep.xml.rejected.txt", "laughs.xml.rejected.txt", "xxe.xml.rejected.txt"])
        let xxeNotice = String(decoding: try ws.read("outbound/helse-bergen/xxe.xml.rejected.txt"), as: UTF8.self)
        #expect(xxeNotice.contains("DOCTYPE"))
        #expect(!xxeNotice.contains("root:"), "the external entity must never be read")
        #expect(ws.files("outbound/bergen-kommune").count == 1, "only the good message is routed")
        let records = try ws.auditRecords()
        let wrongInbox = try #require(records.first { $0["file"] as? String == "wrong-inbox.xml" })
        #expect(wrongInbox["security"] as? Bool == true)
        #expect(wrongInbox["outcome"] as? String == "rejected")
        #expect(ws.files("outbound/haraldsplass").count == 1, "the spoofing inbox gets an X99 AppRec")
        #expect(records.count == 6)
    }

    /// The same deviating padm2-style header: rejected with T02 for a strict partner, accepted with
    /// warnings for a lenient one.
    @Test func strictAndLenientPartnersDifferOnHeaderDeviations() throws {
        let ws = try Workspace()
        var text = String(decoding: SampleSet.all[0].bytes, as: UTF8.self)
        // Put Ack after a (reversed) ConversationRef, as NAV's padm2 senders do.
        text = text.replacingOccurrences(of: "<Ack V=\"J\" DN=\"Ja\"/>", with:
            "<ConversationRef><RefToConversation>c-1</RefToConversation><RefToParent>p-1</RefToParent></ConversationRef><Ack V=\"J\" DN=\"Ja\"/>")
        let strictCopy = text.replacingOccurrences(of: "7d3e0c1a-sp1-0001", with: "strict-1")
        let lenientCopy = text.replacingOccurrences(of: "7d3e0c1a-sp1-0001", with: "lenient-1")
            .replacingOccurrences(of: "8150010", with: "8150020").replacingOccurrences(of: "8150011", with: "8150021")
        try ws.drop(Array(strictCopy.utf8), as: "strict.xml")
        try ws.drop(Array(lenientCopy.utf8), as: "lenient.xml", inbox: "haraldsplass")
        #expect(try ws.run().status == 0)
        let records = try ws.auditRecords()
        let strict = try #require(records.first { $0["file"] as? String == "strict.xml" })
        let lenient = try #require(records.first { $0["file"] as? String == "lenient.xml" })
        #expect(strict["outcome"] as? String == "rejected")
        #expect((strict["errors"] as? [String])?.first?.hasPrefix("T02") == true)
        #expect(lenient["outcome"] as? String == "accepted")
        #expect((lenient["warnings"] as? [String])?.count == 2)
        // Routed from the repaired tree, not spliced into the deviating bytes (whose ConversationRef
        // sits where the schema does not allow it).
        let routed = try #require(ws.files("outbound/bergen-kommune").first { !$0.contains("apprec") })
        let copy = try SafeXMLParser.parse(ws.read("outbound/bergen-kommune/\(routed)"))
        #expect(TestSchemas.ours.validate(copy).isEmpty)
        #expect(MsgHead(copy.root).conversationRef?.refToConversation == "c-1")
    }

    /// Two workers racing on copies of one message: exactly one is routed, every copy gets the same
    /// AppRec bytes; distinct messages to many kommuner are each routed once.
    @Test func concurrentWorkersNeverRouteADuplicateTwice() throws {
        let ws = try Workspace()
        let copy = SampleSet.all[0].bytes
        for i in 0..<30 { try ws.drop(copy, as: "copy-\(i).xml") }
        let kommuner = ["4601", "0301", "5001", "1103", "1508", "5501", "1507"]
        for i in 0..<30 {
            try ws.drop(MessageValidatorTests.message {
                $0.msgId = "distinct-\(i)"; $0.receiver = RouterTests.gateway
                $0.patient?.kommune = kommuner[i % kommuner.count]
            }, as: "distinct-\(i).xml")
        }
        #expect(try ws.run().status == 0)
        let routed = ["bergen-kommune", "oslo-kommune", "trondheim-kommune", "stavanger-kommune", "alesund-kommune", "tromso-kommune"]
            .reduce(0) { $0 + ws.files("outbound/\($1)").count }
        #expect(routed == 31)
        #expect(ws.files("outbound/helse-bergen").isEmpty, "delivered messages are answered by their receivers")
        let records = try ws.auditRecords()
        #expect(records.filter { $0["outcome"] as? String == "duplicate" }.count == 29)
        #expect(try ws.auditRecords(event: "routed").count == 31)
    }

    /// SIGHUP reloads the configuration; a broken one is refused and the running one kept.
    @Test func sighupReloadsAndRefusesABadConfig() throws {
        let ws = try Workspace()
        let configURL = ws.root.appendingPathComponent("gateway.json")
        let sample = try Data(contentsOf: TestPaths.packageRoot.appendingPathComponent("samples/pathway-gateway.json"))
        try sample.write(to: configURL)
        let errURL = ws.root.appendingPathComponent("stderr.txt")
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let process = try ws.start(["run", "--config", configURL.path], stderr: try FileHandle(forWritingTo: errURL))
        defer { if process.isRunning { process.terminate() } }
        func waitFor(_ condition: () -> Bool) {
            let deadline = Date().addingTimeInterval(10)
            while !condition() && Date() < deadline { usleep(20_000) }
        }
        waitFor { FileManager.default.fileExists(atPath: ws.root.appendingPathComponent("spool/inbound/helse-bergen").path) }

        try Data("{ \"spool\": 42 }".utf8).write(to: configURL)
        kill(process.processIdentifier, SIGHUP)
        waitFor { String(decoding: (try? Data(contentsOf: errURL)) ?? Data(), as: UTF8.self).contains("reload refused") }
        try ws.drop(SampleSet.all[0].bytes, as: "after-bad-reload.xml")
        waitFor { !ws.visible("archive/helse-bergen").isEmpty }
        #expect(ws.visible("outbound/bergen-kommune").count == 1, "the running configuration keeps working")

        var object = try JSONSerialization.jsonObject(with: sample) as! [String: Any]
        var partners = object["partners"] as! [[String: Any]]
        partners.append(["id": "voss-kommune", "name": "Voss herad", "herIds": ["8150160"]])
        object["partners"] = partners
        try JSONSerialization.data(withJSONObject: object).write(to: configURL)
        kill(process.processIdentifier, SIGHUP)
        waitFor { FileManager.default.fileExists(atPath: ws.root.appendingPathComponent("spool/inbound/voss-kommune").path) }
        let answer = AppRec(version: .v1_1, genDate: "2026-11-23T12:00:00", id: "voss-1",
                            sender: .init(institution: .init(name: "Voss herad", herId: "8150160")),
                            receiver: .init(institution: .init(name: "Forløpsgateway Helse Vest", herId: "8150001")),
                            status: .ok, errors: [],
                            originalMsgId: .init(msgType: CodedValue(v: "DIALOG_HELSEFAGLIG"), issueDate: "2026-11-23T10:00:00", id: "x"))
        try ws.drop(AppRecEncoder.encode(answer), as: "voss.xml", inbox: "voss-kommune")
        waitFor { !ws.visible("archive/voss-kommune").isEmpty }
        #expect(ws.visible("archive/voss-kommune").count == 1, "the reloaded configuration's new inbox is served")
        #expect(GatewayProcess.stop(process) == 0)
        let log = String(decoding: try Data(contentsOf: errURL), as: UTF8.self)
        #expect(log.contains("reload refused, running configuration kept"))
        #expect(log.contains("configuration reloaded"))
    }

    /// SIGKILL at random moments while draining a backlog, restart after each, then drain to the
    /// end: every input has exactly one outcome, every routed message and AppRec exists once, and no
    /// partial or temporary file is left in any outbound directory.
    @Test func randomKillsNeverLoseOrDuplicate() throws {
        let ws = try Workspace()
        try ws.configure(["batchSize": 3])  // many batches, so kills land in every phase
        let kommuner = ["4601", "0301", "5001", "1103", "1508", "5501"]
        for i in 0..<40 {
            try ws.drop(MessageValidatorTests.message {
                $0.msgId = "kill-\(i)"; $0.receiver = RouterTests.gateway; $0.attachmentBytes = i % 5 == 0 ? 20_000 : 0
                $0.patient?.kommune = kommuner[i % kommuner.count]
            }, as: "k\(i).xml")
        }
        for i in 0..<5 { try ws.drop(SampleSet.all[0].bytes, as: "copy\(i).xml") }
        var generator = SystemRandomNumberGenerator()
        var killed = 0
        for _ in 0..<25 {
            let process = try ws.start(["run", "--once"])
            usleep(UInt32.random(in: 5_000...80_000, using: &generator))
            if process.isRunning { kill(process.processIdentifier, SIGKILL); killed += 1 }
            process.waitUntilExit()
            if ws.files("inbound/helse-bergen").isEmpty { break }
        }
        let final = try ws.run()
        #expect(final.status == 0, "\(final.stderr)")
        print("random kills: \(killed)")
        #expect(killed > 0, "the loop must actually kill the daemon")
        #expect(ws.files("inbound/helse-bergen").isEmpty)
        #expect(ws.files("state/processing/helse-bergen").isEmpty)
        let routedDirs = ["bergen-kommune", "oslo-kommune", "trondheim-kommune", "stavanger-kommune", "alesund-kommune", "tromso-kommune"]
        let routed = routedDirs.flatMap { dir in ws.files("outbound/\(dir)").map { "\(dir)/\($0)" } }
        #expect(routed.allSatisfy { !$0.contains("/.") }, "no temporary or partial file in outbound")
        #expect(routed.count == 41, "40 distinct messages and one of the five copies are routed, each once")
        // Every input gets exactly one answer: a delivery (the four resends nothing new), never
        // an AppRec of the gateway's for a delivered message.
        #expect(ws.files("outbound/helse-bergen").isEmpty)
        let originals = ws.files("archive/helse-bergen")
        #expect(originals.count == 45)
        // Each routed message names a distinct original MsgId.
        let parents = try routed.map { MsgHead(try SafeXMLParser.parse(try ws.read("outbound/\($0)")).root).msgId }
        #expect(Set(parents).count == 41)
        // The audit log tells the same story: one decision per file, one record per routed copy.
        #expect(try ws.auditRecords().count == 45)
        #expect(try ws.auditRecords(event: "routed").count == 41)
        #expect(try ws.auditRecords(event: "apprec-sent").isEmpty)
        let verify = try GatewayProcess.run(["audit", "verify"], environment: ["PATHWAY_GATEWAY_CONFIG": ""], cwd: ws.root)
        #expect(verify.status == 0, "the chain survives every kill: \(verify.stdout) \(verify.stderr)")
    }
}
