import Foundation
import Testing
@testable import PathwayGateway

/// `audit tail`, `show` and `find`: the queries, the follower across rotations, the line format,
/// and the commands through the real binary.
@Suite struct AuditReaderTests {
    @Test func storyFollowsRoutedCopiesOneHopInOrder() throws {
        let fixture = try AuditFixture()
        let log = try fixture.open(.init(maxFileBytes: 4_000))
        try log.append(AuditFixture.story("other-1", patient: "30908299902"))
        let story = AuditFixture.story("m-42", patient: "03851598730", answered: true)
        try log.append(Array(story.prefix(4)))
        try log.append(AuditFixture.story("other-2", patient: "30908299902", answered: true))
        try log.append([story[4]])   // the municipality's answer arrives later, after a rotation
        #expect(fixture.files.count > 1)
        let records = try AuditReader(directory: fixture.directory).story(of: "m-42")
        #expect(records.map(\.event) == ["received", "routed", "apprec-sent", "archived", "received"])
        #expect(records.map(\.msgId) == ["m-42", "routed-m-42", "ar-m-42", "m-42", "kv-m-42"])
        #expect(records.last?.refMsgId == "routed-m-42")
        #expect(records.map(\.seq) == records.map(\.seq).sorted())
        #expect(try AuditReader(directory: fixture.directory).story(of: "m-4").isEmpty, "whole MsgIds only")
    }

    @Test func patientRecordsAreFoundByPseudonymOnly() throws {
        let fixture = try AuditFixture()
        let log = try fixture.open()
        try log.append(AuditFixture.story("a", patient: "03851598730") + AuditFixture.story("b", patient: "30908299902"))
        let pseudonym = fixture.key.pseudonym(for: "03851598730")
        let records = try AuditReader(directory: fixture.directory).records(ofPatient: pseudonym)
        #expect(records.count == 4, "received, routed, apprec-sent and archived of message a")
        #expect(Set(records.compactMap(\.patient)) == [pseudonym])
        #expect(records.allSatisfy { $0.msgId?.hasSuffix("a") == true })
    }

    @Test func lastRecordsSpanRotatedFiles() throws {
        let fixture = try AuditFixture()
        try fixture.fill(try fixture.open(.init(maxFileBytes: 3_000)), records: 40, batch: 3)
        let reader = AuditReader(directory: fixture.directory)
        #expect(try reader.last(25).map(\.seq) == Array(16...40))
        #expect(try reader.last(100).count == 40)
        #expect(try reader.last(0).isEmpty)
    }

    /// Polls interleaved with appends and rotations, including two rotations between polls: every
    /// record is emitted once, in order.
    @Test func followerKeepsUpWithRotation() throws {
        let fixture = try AuditFixture()
        let log = try fixture.open(.init(maxFileBytes: 2_500))
        try fixture.fill(log, records: 5)
        let follower = AuditFollower(directory: fixture.directory, after: 3)
        var seen: [Int] = []
        try follower.poll { seen.append($0.seq) }
        #expect(seen == [4, 5])
        for round in 0..<6 {
            try log.append(AuditFixture.story("r\(round)", patient: "03851598730"))
            if round % 2 == 0 { try log.append(AuditFixture.story("s\(round)", patient: "03851598730") + AuditFixture.story("t\(round)", patient: "03851598730")) }
            try follower.poll { seen.append($0.seq) }
        }
        let total = try fixture.verify().headSeq
        #expect(fixture.files.count > 4)
        #expect(seen == Array(4...total))
    }

    @Test func formatterShowsOsloTimeShortPseudonymAndColourOnlyWhenAsked() throws {
        let fixture = try AuditFixture()
        try fixture.open().append(AuditFixture.story("m-1", patient: "03851598730",
                                                     at: Date(timeIntervalSince1970: 1_795_000_000)))
        let record = try #require(try AuditReader(directory: fixture.directory).last(4).first)
        let plain = AuditLineFormatter(colour: false).line(record)
        let short = String(fixture.key.pseudonym(for: "03851598730").prefix(10))
        #expect(plain.hasPrefix("2026-11-18 12:06:40+01:00 #1 received"), "\(plain)")
        #expect(plain.contains(" accepted ") && plain.contains("helse-bergen") && plain.contains(" m-1 ") && plain.hasSuffix(short))
        #expect(!plain.contains("\u{1B}["))
        #expect(AuditLineFormatter(colour: true).line(record).contains("\u{1B}[32m"))
        #expect(AuditLineFormatter(colour: false, timeZone: TimeZone(identifier: "UTC")).line(record).hasPrefix("2026-11-18 11:06:40+00:00"))
        let summer = AuditLineFormatter(colour: false).line(try AuditRecord(
            line: Array(try fixture.lines(fixture.spool.auditLog)[0].replacingOccurrences(of: "2026-11-18", with: "2026-06-18").utf8),
            location: .init(path: "", line: 1)))
        #expect(summer.hasPrefix("2026-06-18 13:06:40+02:00"), "summer time")
    }

    // MARK: Through the real binary

    @Test func showAndFindThroughTheBinary() throws {
        let fixture = try AuditFixture()
        let log = try fixture.open()
        try log.append(AuditFixture.story("m-7", patient: "03851598730", answered: true) + AuditFixture.story("m-8", patient: "30908299902"))
        let show = try fixture.cli(["audit", "show", "m-7"])
        #expect(show.status == 0, "\(show.stderr)")
        let summaries = show.lines.filter { !$0.hasPrefix(" ") }
        #expect(summaries.count == 5)
        #expect(summaries.last?.contains("kv-m-7 (re routed-m-7)") == true)
        #expect(try fixture.cli(["audit", "show", "nothing-like-it"]).status == 1)

        let find = try fixture.cli(["audit", "find"], input: "038515 98730\n")
        #expect(find.status == 0, "\(find.stderr)")
        #expect(find.stderr.contains("access to personal data"))
        #expect(find.lines.first == "patient \(fixture.key.pseudonym(for: "03851598730"))")
        #expect(!find.stdout.contains("03851598730"))
        #expect(find.stdout.contains(" m-7 ") && !find.stdout.contains(" m-8 "))
        #expect(try fixture.cli(["audit", "find"], input: "12345\n").status == 2)
        #expect(try fixture.cli(["audit", "find"], input: "01010112345\n").status == 1)
        #expect(try fixture.cli(["audit", "find"]).status == 2, "no number on standard input")
        // Issue 15, defect 12: never on the command line, where ps and shell history keep it.
        let argument = try fixture.cli(["audit", "find", "--patient", "03851598730"])
        #expect(argument.status == 2)
        #expect(argument.stderr.contains("standard input") && !argument.stdout.contains(" m-7 "))
    }

    @Test func findNeverCreatesAKey() throws {
        let ws = try DaemonEndToEndTests.Workspace()
        try FileManager.default.createDirectory(at: ws.root.appendingPathComponent("spool/audit"), withIntermediateDirectories: true)
        let result = try GatewayProcess.run(["audit", "find"], environment: ["PATHWAY_GATEWAY_CONFIG": ""], cwd: ws.root,
                                            input: "03851598730\n")
        #expect(result.status == 2)
        #expect(!FileManager.default.fileExists(atPath: ws.root.appendingPathComponent("spool/state/pseudonym.key").path))
    }

    /// `audit tail --follow` as a process: prints the last lines, then new records across a
    /// rotation, and exits 0 on SIGTERM.
    @Test func tailFollowThroughTheBinary() throws {
        let fixture = try AuditFixture()
        let log = try fixture.open(.init(maxFileBytes: 3_000))
        try fixture.fill(log, records: 6)
        let outURL = fixture.ws.root.appendingPathComponent("tail.out")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestPaths.binary)
        process.arguments = ["audit", "tail", "--follow", "-n", "2"]
        process.currentDirectoryURL = fixture.ws.root
        process.environment = ProcessInfo.processInfo.environment.merging(["PATHWAY_GATEWAY_CONFIG": ""]) { $1 }
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        func lines() -> [String] {
            String(decoding: (try? Data(contentsOf: outURL)) ?? Data(), as: UTF8.self).split(separator: "\n").map(String.init)
        }
        func waitFor(_ count: Int) {
            let deadline = Date().addingTimeInterval(10)
            while lines().count < count && Date() < deadline { usleep(20_000) }
        }
        waitFor(2)
        for i in 0..<5 { try log.append(AuditFixture.story("f\(i)", patient: "03851598730")) }
        #expect(fixture.files.count > 3, "the follower must cross rotations")
        waitFor(22)
        #expect(GatewayProcess.stop(process) == 0)
        let seqs = lines().compactMap { line in line.split(separator: " ").first { $0.hasPrefix("#") }.flatMap { Int($0.dropFirst()) } }
        #expect(seqs == Array(5...26))
        #expect(!lines().joined().contains("\u{1B}["), "no colour when stdout is not a terminal")
    }
}
