import Foundation
import Testing
@testable import PathwayGateway

/// `audit verify` on logs written by the real `AuditLog`, each tampered with in one way: the
/// verifier names the first bad record (file:line, seq). A few cases run through the real binary.
@Suite struct AuditVerifierTests {
    /// 30 records in one file, checkpoints every 10 records and at close (seqs 25 and 30 kept).
    private func thirtyRecords(_ policy: AuditLog.Policy = .init(checkpointEveryRecords: 10, checkpointEverySeconds: 3_600)) throws -> AuditFixture {
        let fixture = try AuditFixture()
        let log = try fixture.open(policy)
        try fixture.fill(log, records: 30, batch: 5)
        try log.close()
        return fixture
    }

    /// Replaces record `index` (0-based line) with `edit` applied to its body and its hash
    /// recomputed; with `rechain` every later record is re-hashed too (a careful forger).
    private func forge(_ fixture: AuditFixture, line index: Int, rechain: Bool = false, _ edit: (String) -> String) throws {
        var lines = try fixture.lines(fixture.spool.auditLog)
        var prev = try AuditRecord(line: Array(lines[index].utf8), location: .init(path: "", line: 0)).prev
        for i in index..<(rechain ? lines.count : index + 1) {
            let record = try AuditRecord(line: Array(lines[i].utf8), location: .init(path: "", line: 0))
            var body = String(decoding: try #require(AuditChain.unseal(Array(lines[i].utf8)[...])).body, as: UTF8.self)
            body = body.replacingOccurrences(of: #""prev":"\#(record.prev)""#, with: #""prev":"\#(prev)""#)
            if i == index { body = edit(body) }
            let sealed = AuditChain.seal(body: Array(body.utf8), prev: prev)
            lines[i] = String(decoding: sealed.line, as: UTF8.self)
            prev = sealed.hash
        }
        try fixture.rewrite(fixture.spool.auditLog, lines)
    }

    private func problem(_ fixture: AuditFixture) throws -> AuditVerifier.Problem? { try fixture.verify().problem }

    @Test func intactLogPasses() throws {
        let fixture = try thirtyRecords()
        let report = try fixture.verify()
        #expect(report.problem == nil)
        #expect((report.files, report.records, report.headSeq) == (1, 30, 30))
        #expect(report.checkpointsKnown == 2 && report.checkpointsChecked == 2)
    }

    @Test func editedRecordIsNamed() throws {
        let fixture = try thirtyRecords()
        var lines = try fixture.lines(fixture.spool.auditLog)
        lines[6] = lines[6].replacingOccurrences(of: "\"event\":\"received\"", with: "\"event\":\"recieved\"")
            .replacingOccurrences(of: "\"event\":\"routed\"", with: "\"event\":\"ruoted\"")
            .replacingOccurrences(of: "\"event\":\"apprec-sent\"", with: "\"event\":\"apprec-lost\"")
            .replacingOccurrences(of: "\"event\":\"archived\"", with: "\"event\":\"archivex\"")
        try fixture.rewrite(fixture.spool.auditLog, lines)
        #expect(try problem(fixture) == .edited(.init(path: fixture.spool.auditLog, line: 7), seq: 7))
    }

    @Test func deletedRecordIsNamed() throws {
        let fixture = try thirtyRecords()
        var lines = try fixture.lines(fixture.spool.auditLog)
        lines.remove(at: 4)
        try fixture.rewrite(fixture.spool.auditLog, lines)
        #expect(try problem(fixture) == .outOfSequence(.init(path: fixture.spool.auditLog, line: 5), seq: 6, expected: 5))
    }

    @Test func swappedRecordsAreNamed() throws {
        let fixture = try thirtyRecords()
        var lines = try fixture.lines(fixture.spool.auditLog)
        lines.swapAt(3, 4)
        try fixture.rewrite(fixture.spool.auditLog, lines)
        #expect(try problem(fixture) == .outOfSequence(.init(path: fixture.spool.auditLog, line: 4), seq: 5, expected: 4))
    }

    /// The chain alone cannot see a cut-off tail; the checkpoint at close (seq 30) does.
    @Test func truncatedTailIsCaughtByTheCheckpoint() throws {
        let fixture = try thirtyRecords()
        try fixture.rewrite(fixture.spool.auditLog, Array(try fixture.lines(fixture.spool.auditLog).prefix(27)))
        let found = try problem(fixture)
        guard case let .truncated(last, lastSeq, checkpointSeq, _) = found else { Issue.record("\(String(describing: found))"); return }
        #expect(last == .init(path: fixture.spool.auditLog, line: 27))
        #expect((lastSeq, checkpointSeq) == (27, 30))
        #expect(try fixture.open().integrityWarning?.contains("ends at seq 27 but a checkpoint records seq 30") == true,
                "the writer says so at start too")
    }

    @Test func replacedRecordWithRecomputedHashBreaksTheNextLink() throws {
        let fixture = try thirtyRecords()
        try forge(fixture, line: 6) { $0.replacingOccurrences(of: "helse-bergen", with: "haraldsplass") }
        #expect(try problem(fixture) == .brokenLink(.init(path: fixture.spool.auditLog, line: 8), seq: 8,
                                                   previous: .init(path: fixture.spool.auditLog, line: 7)))
    }

    /// A forger who re-hashes every later record keeps the chain whole; the checkpoint disagrees.
    @Test func rewrittenHistoryIsCaughtByACheckpoint() throws {
        let fixture = try thirtyRecords()
        try forge(fixture, line: 6, rechain: true) { $0.replacingOccurrences(of: "helse-bergen", with: "haraldsplass") }
        let found = try problem(fixture)
        guard case let .checkpointMismatch(place, seq, _, _) = found else { Issue.record("\(String(describing: found))"); return }
        #expect((place.line, seq) == (25, 25))
    }

    /// A log cut while the gateway is down, then written on by a new start (reusing seqs): the
    /// earlier writer's checkpoint survives the new writer's pruning and exposes it.
    @Test func logCutWhileDownAndContinuedIsStillCaught() throws {
        let fixture = try AuditFixture()
        let policy = AuditLog.Policy(checkpointEveryRecords: 10, checkpointEverySeconds: 3_600)
        try fixture.fill(try fixture.open(policy), records: 30, batch: 5)   // no close: a crash
        try fixture.rewrite(fixture.spool.auditLog, Array(try fixture.lines(fixture.spool.auditLog).prefix(22)))
        let log = try fixture.open(policy)
        #expect(log.integrityWarning != nil)
        for i in 0..<10 { try log.append(AuditFixture.story("after-\(i)", patient: "03851598730")) }
        #expect(try fixture.checkpoints.all().contains { $0.seq == 25 }, "the first writer's checkpoint is kept")
        let found = try problem(fixture)
        guard case let .checkpointMismatch(place, seq, _, _) = found else { Issue.record("\(String(describing: found))"); return }
        #expect((place.line, seq) == (25, 25))
    }

    @Test func missingRotatedFileIsNamed() throws {
        let fixture = try AuditFixture()
        try fixture.fill(try fixture.open(.init(maxFileBytes: 6_000)), records: 60, batch: 4)
        let files = fixture.files
        #expect(files.count >= 4)
        try FileManager.default.removeItem(atPath: files[1].path)
        let expected = files[1].seqs!.lowerBound
        #expect(try problem(fixture) == .outOfSequence(.init(path: files[2].path, line: 1), seq: expected + files[1].seqs!.count,
                                                      expected: expected))
    }

    /// Two rotated files swap names: each name's seq range no longer matches what it holds.
    @Test func reorderedRotatedFilesAreNamed() throws {
        let fixture = try AuditFixture()
        try fixture.fill(try fixture.open(.init(maxFileBytes: 6_000)), records: 60, batch: 4)
        let files = fixture.files
        let (a, b) = (files[0].path, files[1].path)
        #expect(rename(a, a + ".x") == 0 && rename(b, a) == 0 && rename(a + ".x", b) == 0)
        let found = try problem(fixture)
        guard case let .misnamedFile(place, claims, holds) = found else { Issue.record("\(String(describing: found))"); return }
        #expect(place == .init(path: a, line: 1))
        #expect(claims == files[0].seqs)
        #expect(holds?.lowerBound == files[1].seqs?.lowerBound)
    }

    /// The last record of a rotated file removed: the file no longer ends where its name says.
    @Test func cutRotatedFileIsNamed() throws {
        let fixture = try AuditFixture()
        try fixture.fill(try fixture.open(.init(maxFileBytes: 6_000)), records: 60, batch: 4)
        let first = fixture.files[0]
        let lines = try fixture.lines(first.path)
        try fixture.rewrite(first.path, Array(lines.dropLast()))
        #expect(try problem(fixture) == .misnamedFile(.init(path: first.path, line: lines.count - 1), claims: first.seqs!,
                                                     holds: 1...(lines.count - 1)))
    }

    /// A line being written (no newline yet) is not a break: noted, not counted.
    @Test func incompleteLastLineIsOnlyNoted() throws {
        let fixture = try thirtyRecords(.init(checkpointEveryRecords: 1_000, checkpointEverySeconds: 3_600))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: fixture.spool.auditLog))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"seq":31,"ev"#.utf8))
        try handle.close()
        let report = try fixture.verify()
        #expect(report.problem == nil)
        #expect(report.records == 30)
        #expect(report.notes.count == 1)
    }

    // MARK: Through the real binary

    @Test func binaryPrintsASummaryForAnIntactLog() throws {
        let fixture = try thirtyRecords()
        let result = try fixture.cli(["audit", "verify"])
        #expect(result.status == 0, "\(result.stderr)")
        let head = try fixture.verify().headHash
        #expect(result.lines == ["ok: 1 file(s), 30 record(s), head seq 30 hash \(head), 2 checkpoint(s) matched"])
    }

    @Test func binaryNamesTheEditedRecordAndExitsOne() throws {
        let fixture = try thirtyRecords()
        var lines = try fixture.lines(fixture.spool.auditLog)
        lines[11] = lines[11].replacingOccurrences(of: "\"seq\":12", with: "\"seq\":12 ")
        try fixture.rewrite(fixture.spool.auditLog, lines)
        let result = try fixture.cli(["audit", "verify"])
        #expect(result.status == 1)
        #expect(result.lines.first?.hasPrefix("\(fixture.spool.auditLog):12: seq 12: the record was changed") == true, "\(result.stdout)")
        #expect(result.lines.last?.hasPrefix("BROKEN: verified 1 file(s), 11 record(s)") == true)
    }

    @Test func binaryCatchesACutOffTailAndAMissingFile() throws {
        let fixture = try AuditFixture()
        let log = try fixture.open(.init(maxFileBytes: 6_000))
        try fixture.fill(log, records: 60, batch: 4)
        try log.close()
        try fixture.rewrite(fixture.spool.auditLog, Array(try fixture.lines(fixture.spool.auditLog).dropLast()))
        var result = try fixture.cli(["audit", "verify"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("were cut off"), "\(result.stdout)")
        try FileManager.default.removeItem(atPath: fixture.files[0].path)
        result = try fixture.cli(["audit", "verify"])
        #expect(result.status == 1)
        #expect(result.lines.first?.contains(":1: seq ") == true && result.stdout.contains("where 1 was expected"), "\(result.stdout)")
    }

    @Test func binaryUsageErrorsExitTwo() throws {
        let fixture = try thirtyRecords()
        #expect(try fixture.cli(["audit", "verify", "extra"]).status == 2)
        #expect(try fixture.cli(["audit"]).status == 2)
        #expect(try fixture.cli(["audit", "verify", "--config", "/nonexistent.json"]).status == 2)
        let help = try fixture.cli(["audit", "--help"])
        #expect(help.status == 0 && help.stdout.contains("audit verify"))
    }
}

/// Verify speed on a large log (100,000 records by default; `PATHWAY_GATEWAY_AUDIT_RECORDS`
/// changes it), through the real binary. Opt-in (`PATHWAY_GATEWAY_AUDIT_BENCH=1`): it takes a while
/// on a debug build.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["PATHWAY_GATEWAY_AUDIT_BENCH"] == "1"))
struct AuditVerifyBenchmark {
    @Test func verifyALargeLog() throws {
        let count = Int(ProcessInfo.processInfo.environment["PATHWAY_GATEWAY_AUDIT_RECORDS"] ?? "") ?? 100_000
        let fixture = try AuditFixture()
        let log = try fixture.open(.init(maxFileBytes: 16 << 20))
        let writeStart = Date()
        try fixture.fill(log, records: count, batch: 500)
        try log.close()
        let written = Date().timeIntervalSince(writeStart)
        let bytes = fixture.files.reduce(0) { $0 + ((try? FileManager.default.attributesOfItem(atPath: $1.path)[.size] as? Int) ?? 0) }
        let start = Date()
        let result = try fixture.cli(["audit", "verify"])
        let seconds = Date().timeIntervalSince(start)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let tailStart = Date()
        #expect(try fixture.cli(["audit", "tail", "-n", "20"]).lines.count == 20)
        let tail = Date().timeIntervalSince(tailStart)
        let showStart = Date()
        #expect(try fixture.cli(["audit", "show", "m-\(count / 8)"]).status == 0)
        let show = Date().timeIntervalSince(showStart)
        #if DEBUG
        let build = "debug"
        #else
        let build = "release"
        #endif
        print("audit bench: \(count) records, \(bytes / 1_048_576) MiB in \(fixture.files.count) files; append \(String(format: "%.1f", written)) s "
              + "(batches of 500, \(build) library); debug binary: verify \(String(format: "%.2f", seconds)) s = \(Int(Double(count) / seconds)) records/s; "
              + "tail -n 20 \(String(format: "%.2f", tail)) s; show \(String(format: "%.2f", show)) s")
        // The release binary, when built (`swift build -c release`), on the same log.
        let release = TestPaths.packageRoot.appendingPathComponent(".build/release/pathway-gateway")
        guard FileManager.default.isExecutableFile(atPath: release.path) else { return }
        for arguments in [["audit", "verify"], ["audit", "show", "m-\(count / 8)"], ["audit", "find"]] {
            let process = Process()
            process.executableURL = release
            process.arguments = arguments
            process.currentDirectoryURL = fixture.ws.root
            process.environment = ["PATHWAY_GATEWAY_CONFIG": ""]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            let stdin = Pipe()
            process.standardInput = stdin
            let start = Date()
            try process.run()
            try stdin.fileHandleForWriting.write(contentsOf: Data((SampleSet.patients[0] + "\n").utf8))
            try stdin.fileHandleForWriting.close()
            process.waitUntilExit()
            let took = Date().timeIntervalSince(start)
            #expect(process.terminationStatus == 0)
            print("audit bench: release \(arguments.prefix(2).joined(separator: " ")): \(String(format: "%.2f", took)) s = \(Int(Double(count) / took)) records/s")
        }
    }
}
