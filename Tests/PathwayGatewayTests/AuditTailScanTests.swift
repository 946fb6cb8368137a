import Foundation
import Testing
@testable import PathwayGateway

/// The start-up check's view of the audit log: the newest records only, from the newest file
/// that holds any, whatever the log's length.
@Suite struct AuditTailScanTests {
    private func line(_ seq: Int, _ id: String?) -> String {
        let gateway = id.map { #","gatewayId":"\#($0)""# } ?? ""
        return #"{"event":"received","seq":\#(seq)\#(gateway),"prev":"x","hash":"y"}"# + "\n"
    }

    @Test func readsTheNewestIdsFromTheEndOnly() throws {
        let dir = try DatabaseTestDirectory()
        var text = ""
        for seq in 1...2_000 { text += line(seq, "m-\(seq / 4)") }
        text += line(2_001, nil) + #"{"seq":2002,"torn"#  // a record without an id, then a torn append
        try Data(text.utf8).write(to: URL(fileURLWithPath: dir.path("audit.jsonl")))
        let scan = try AuditTailScan(directory: AuditDirectory(current: dir.path("audit.jsonl")), limit: 3, window: 4_096)
        #expect(scan.headSeq == 2_001)
        #expect(scan.gatewayIds == ["m-500", "m-499", "m-498"])
        let small = try AuditTailScan(directory: AuditDirectory(current: dir.path("audit.jsonl")), limit: 1_000, window: 200)
        #expect(small.gatewayIds.count <= 3, "a window that starts inside a line drops that line")
    }

    @Test func anEmptyCurrentFileDefersToTheNewestRotatedOne() throws {
        let dir = try DatabaseTestDirectory()
        try Data((line(1, "a") + line(2, "b")).utf8).write(to: URL(fileURLWithPath: dir.path("audit-20261201-000000-1-2.jsonl")))
        try Data((line(3, "c")).utf8).write(to: URL(fileURLWithPath: dir.path("audit-20261202-000000-3-3.jsonl")))
        try Data().write(to: URL(fileURLWithPath: dir.path("audit.jsonl")))
        let scan = try AuditTailScan(directory: AuditDirectory(current: dir.path("audit.jsonl")))
        #expect(scan.headSeq == 3)
        #expect(scan.gatewayIds == ["c"])
        let none = try DatabaseTestDirectory()
        #expect(try AuditTailScan(directory: AuditDirectory(current: none.path("audit.jsonl"))) == AuditTailScan.empty)
    }
}
