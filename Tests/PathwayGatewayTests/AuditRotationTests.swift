import Foundation
import Testing
@testable import PathwayGateway

/// Rotation keeps one chain across files, survives a crash at each of its steps, and checkpoints
/// the head in the state database.
@Suite struct AuditRotationTests {
    @Test func sizeRotationKeepsOneChainAcrossNamedFiles() throws {
        let fixture = try AuditFixture()
        let log = try fixture.open(.init(maxFileBytes: 8_000))
        try fixture.fill(log, records: 120, batch: 7)
        let files = fixture.files
        #expect(files.count > 3)
        #expect(files.last?.isCurrent == true)
        // Names claim contiguous seq ranges, each file within the size limit, together 1…120.
        let ranges = files.compactMap(\.seqs)
        #expect(ranges.first?.lowerBound == 1)
        for (a, b) in zip(ranges, ranges.dropFirst()) { #expect(b.lowerBound == a.upperBound + 1) }
        for file in files where !file.isCurrent {
            #expect(try fixture.lines(file.path).count == file.seqs!.count)
            #expect((try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int ?? 0) <= 8_000)
            #expect(try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int == 0o600)
        }
        // The first record of each file carries the last hash of the file before it.
        for (a, b) in zip(files, files.dropFirst()) {
            let last = try AuditRecord(line: Array(try fixture.lines(a.path).last!.utf8), location: .init(path: a.path, line: 0))
            let first = try AuditRecord(line: Array(try fixture.lines(b.path).first!.utf8), location: .init(path: b.path, line: 1))
            #expect(first.prev == last.hash)
            #expect(first.seq == last.seq + 1)
        }
        let report = try fixture.verify()
        #expect(report.problem == nil)
        #expect((report.records, report.headSeq, report.files) == (120, 120, files.count))
        // Each rotated file's last record is checkpointed (by the rotation, or by an interval
        // checkpoint that already took that seq: one row per seq).
        let checkpointed = Set(try fixture.checkpoints.all().map(\.seq))
        #expect(Set(ranges.map(\.upperBound)).isSubset(of: checkpointed))
        #expect(report.checkpointsChecked == (report.checkpointsKnown ?? -1))
    }

    @Test func dailyRotationAtTheFirstAppendOfANewUTCDay() throws {
        let fixture = try AuditFixture()
        let log = try fixture.open()
        let day = Date(timeIntervalSince1970: 1_795_000_000)  // 2026-11-18T11:06:40Z
        try log.append(AuditFixture.story("a", patient: "03851598730", at: day))
        try log.append(AuditFixture.story("b", patient: "03851598730", at: day.addingTimeInterval(3_600)))
        #expect(fixture.files.count == 1)
        try log.append(AuditFixture.story("c", patient: "03851598730", at: day.addingTimeInterval(86_400)))
        #expect(fixture.files.map(\.name) == ["audit-20261118-110640-1-8.jsonl", "audit.jsonl"])
        #expect(try fixture.lines(fixture.spool.auditLog).count == 4)
        #expect(try fixture.verify().problem == nil)
    }

    /// A crash after the rotated name was linked but before the current name was replaced leaves
    /// one inode under both names; the next start finishes the rotation: nothing lost, nothing twice.
    @Test func crashBetweenLinkAndReplaceIsFinishedAtRestart() throws {
        let fixture = try AuditFixture()
        do {
            let log = try fixture.open()
            try fixture.fill(log, records: 10)
        }
        let linked = "\(fixture.directory.path)/audit-20261118-082640-1-10.jsonl"
        #expect(link(fixture.spool.auditLog, linked) == 0)
        // And a temporary file from a crash inside the replace step.
        try Data().write(to: URL(fileURLWithPath: "\(fixture.directory.path)/.audit.jsonl.123-456.tmp"))
        let log = try fixture.open()
        #expect(fixture.files.map(\.name) == ["audit-20261118-082640-1-10.jsonl", "audit.jsonl"])
        #expect(try fixture.lines(fixture.spool.auditLog).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: "\(fixture.directory.path)/.audit.jsonl.123-456.tmp"))
        try log.record(event: "recovered", partner: "helse-bergen", file: "x.xml", outcome: nil, sha256: nil)
        let report = try fixture.verify()
        #expect(report.problem == nil)
        #expect(report.records == 11)
    }

    /// Restart right after a completed rotation (empty current file): the chain continues from the
    /// newest rotated file.
    @Test func restartAfterRotationContinuesFromTheRotatedFile() throws {
        let fixture = try AuditFixture()
        do {
            let log = try fixture.open()
            try fixture.fill(log, records: 12)
        }
        _ = try AuditRotation.rotate(fixture.directory, start: Date(), seqs: 1...12)
        #expect(try fixture.lines(fixture.spool.auditLog).isEmpty)
        try fixture.open().record(event: "recovered", partner: nil, file: nil, outcome: nil, sha256: nil)
        let report = try fixture.verify()
        #expect(report.problem == nil, "\(String(describing: report.problem))")
        #expect((report.headSeq, report.files) == (13, 2))
    }

    @Test func checkpointsEveryNRecordsOnlyAfterTheirRecordsAndAtClose() throws {
        let fixture = try AuditFixture()
        let log = try fixture.open(.init(checkpointEveryRecords: 10, checkpointEverySeconds: 3_600))
        let now = Date()
        try fixture.fill(log, records: 25, batch: 5, now: now)
        var all = try fixture.checkpoints.all()
        // The first append checkpoints (T seconds since no checkpoint at all), then every 10 records: 5, 15, 25.
        #expect(all.map(\.seq) == [25], "older interval checkpoints are pruned")
        #expect(all.first?.hash == (try fixture.verify()).headHash)
        try log.record(event: "recovered", partner: nil, file: nil, outcome: nil, sha256: nil, now: now)
        try log.close()
        all = try fixture.checkpoints.all()
        #expect(all.map(\.seq) == [25, 26])
        #expect(all.last?.reason == .close)
        #expect(throws: AuditLog.Failure.self) { try log.record(event: "late", partner: nil, file: nil, outcome: nil, sha256: nil) }
    }

    @Test func concurrentAppendsWithRotationKeepOneChain() throws {
        let fixture = try AuditFixture()
        let log = try fixture.open(.init(maxFileBytes: 20_000, checkpointEveryRecords: 50))
        DispatchQueue.concurrentPerform(iterations: 4) { thread in
            for i in 0..<25 { try! log.append(AuditFixture.story("t\(thread)-\(i)", patient: "03851598730")) }
        }
        let report = try fixture.verify()
        #expect(report.problem == nil)
        #expect(report.records == 400)
        #expect(fixture.files.count > 5)
    }
}
