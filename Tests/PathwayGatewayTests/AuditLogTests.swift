import Foundation
import Testing
@testable import PathwayGateway

@Suite struct AuditLogTests {
    @Test func pseudonymKeyIsCreatedOnceOwnerOnlyAndStable() throws {
        let dir = try DatabaseTestDirectory()
        let path = dir.path("pseudonym.key")
        let first = try Pseudonymizer.loadOrCreate(keyAt: path)
        let again = try Pseudonymizer.loadOrCreate(keyAt: path)
        #expect(first.pseudonym(for: "03851598730") == again.pseudonym(for: "03851598730"))
        #expect(first.pseudonym(for: "03851598730") != first.pseudonym(for: "30908299902"))
        #expect(!first.pseudonym(for: "03851598730").contains("03851598730"))
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(FileManager.default.contents(atPath: path)?.count == 32)
    }

    @Test func chainContinuesAcrossRestartsAndATornTailIsCut() throws {
        let dir = try DatabaseTestDirectory()
        let key = try Pseudonymizer.loadOrCreate(keyAt: dir.path("k"))
        let path = dir.path("audit.jsonl")
        try AuditLog(path: path, pseudonymizer: key).record(event: "received", partner: "p", file: "a.xml", outcome: "accepted", sha256: nil)
        // A crash mid-append: half a line, no newline.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"seq":2,"event":"rec"#.utf8))
        try handle.close()
        try AuditLog(path: path, pseudonymizer: key).record(event: "received", partner: "p", file: "b.xml", outcome: "accepted", sha256: nil,
                                                            facts: AuditFacts(patientIdent: "03851598730"))
        let lines = String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 2)
        let records = try lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(records.map { $0["seq"] as? Int } == [1, 2])
        #expect(records[1]["prev"] as? String == records[0]["hash"] as? String)
        #expect((records[1]["patient"] as? String)?.hasPrefix("p-") == true)
        #expect(!lines[1].contains("03851598730"))
    }

    /// A batch is appended in order as one chain, continuing from the record before it.
    @Test func batchAppendKeepsOneChain() throws {
        let dir = try DatabaseTestDirectory()
        let path = dir.path("audit.jsonl")
        let log = try AuditLog(path: path, pseudonymizer: try Pseudonymizer.loadOrCreate(keyAt: dir.path("k")))
        try log.record(event: "recovered", partner: "p", file: "a.xml", outcome: nil, sha256: nil)
        try log.append(["b.xml", "c.xml", "d.xml"].map { AuditLog.Entry(event: "received", partner: "p", file: $0, outcome: "accepted", sha256: nil) })
        try log.append([])
        let records = try String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
            .split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(records.map { $0["seq"] as? Int } == [1, 2, 3, 4])
        #expect(records.map { $0["file"] as? String } == ["a.xml", "b.xml", "c.xml", "d.xml"])
        for (earlier, later) in zip(records, records.dropFirst()) {
            #expect(later["prev"] as? String == earlier["hash"] as? String)
        }
    }

    /// The canonical bytes are the line without its final `hash` member: a verifier recomputes the
    /// hash from the bytes as written, and any value survives the round trip through a JSON parser.
    @Test func hashCoversTheLineAsWrittenAndValuesRoundTrip() throws {
        let dir = try DatabaseTestDirectory()
        let path = dir.path("audit.jsonl")
        let log = try AuditLog(path: path, pseudonymizer: try Pseudonymizer.loadOrCreate(keyAt: dir.path("k")))
        let awkward = "quote \" backslash \\ newline \n tab \t bell \u{07} slash / æøå 🙂"
        var facts = AuditFacts(msgId: awkward)
        facts.errors = [awkward, ""]
        try log.append([AuditLog.Entry(event: "received", partner: "p", file: "a b.xml", outcome: nil, sha256: nil, facts: facts),
                        AuditLog.Entry(event: "archived", partner: "p", file: "x", outcome: nil, sha256: nil)])
        let lines = try Data(contentsOf: URL(fileURLWithPath: path)).split(separator: UInt8(ascii: "\n"))
        var prev = String(repeating: "0", count: 64)
        for line in lines {
            let bytes = Array(line)
            let record = try JSONSerialization.jsonObject(with: Data(bytes)) as! [String: Any]
            let hash = try #require(record["hash"] as? String)
            let suffix = Array(",\"hash\":\"\(hash)\"}".utf8)
            #expect(Array(bytes.suffix(suffix.count)) == suffix, "hash is the last member")
            let canonical = Array(bytes.dropLast(suffix.count)) + [UInt8(ascii: "}")]
            #expect(SHA256.hex(Array(prev.utf8) + canonical) == hash)
            #expect(record["prev"] as? String == prev)
            prev = hash
        }
        let first = try JSONSerialization.jsonObject(with: Data(lines[0])) as! [String: Any]
        #expect(first["msgId"] as? String == awkward)
        #expect(first["errors"] as? [String] == [awkward, ""])
        #expect(first["outcome"] is NSNull)
        #expect(first["security"] as? Bool == false)
        #expect(first["seq"] as? Int == 1)
    }

    /// The pseudonym is HMAC-SHA256 (RFC 4231 test case 2), truncated to 16 bytes: libcrypto's,
    /// not a hand-made construction.
    @Test func pseudonymIsHMACSHA256() {
        let key = Pseudonymizer(key: Array("Jefe".utf8))
        #expect(key.pseudonym(for: "what do ya want for nothing?") == "p-5bdcc146bf60754e6a042426089575c7")
    }

    /// The key file never reaches the log, a hand-copied key is tightened to 0600, and `load`
    /// never creates one.
    @Test func keyStaysOutOfTheLogAndPrivate() throws {
        let dir = try DatabaseTestDirectory()
        let keyPath = dir.path("pseudonym.key")
        #expect(throws: Pseudonymizer.Failure.self) { try Pseudonymizer.load(keyAt: keyPath) }
        #expect(!FileManager.default.fileExists(atPath: keyPath))
        let pseudonymizer = try Pseudonymizer.loadOrCreate(keyAt: keyPath)
        let key = Array(try Data(contentsOf: URL(fileURLWithPath: keyPath)))
        let log = try AuditLog(path: dir.path("audit.jsonl"), pseudonymizer: pseudonymizer)
        try log.record(event: "received", partner: "p", file: "a.xml", outcome: "accepted", sha256: nil,
                       facts: AuditFacts(patientIdent: "03851598730"))
        let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: dir.path("audit.jsonl"))), as: UTF8.self)
        #expect(!text.contains(SHA256.hex(digest: key)))
        #expect(!text.contains(Base64.encode(key)))
        #expect(chmod(keyPath, 0o644) == 0)
        _ = try Pseudonymizer.loadOrCreate(keyAt: keyPath)
        #expect(try FileManager.default.attributesOfItem(atPath: keyPath)[.posixPermissions] as? Int == 0o600)
        #expect(try Pseudonymizer.load(keyAt: keyPath).pseudonym(for: "03851598730") == pseudonymizer.pseudonym(for: "03851598730"))
    }

    /// Every record has the spec §6 fields plus refMsgId; the hash covers the bytes as written.
    @Test func recordsCarryEveryFieldAndRefMsgId() throws {
        let dir = try DatabaseTestDirectory()
        let log = try AuditLog(path: dir.path("audit.jsonl"), pseudonymizer: try Pseudonymizer.loadOrCreate(keyAt: dir.path("k")))
        var facts = AuditFacts(msgId: "routed-1", msgType: "DIALOG_HELSEFAGLIG", sender: "8150001", receiver: "8150101", kommune: "4601")
        facts.refMsgId = "original-1"
        try log.record(event: "routed", partner: "bergen-kommune", file: "outbound/bergen-kommune/routed-1.xml", outcome: nil,
                       sha256: nil, facts: facts)
        let line = try #require(String(decoding: try Data(contentsOf: URL(fileURLWithPath: dir.path("audit.jsonl"))), as: UTF8.self)
            .split(separator: "\n").first)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let fields = ["ts", "seq", "event", "partner", "file", "msgId", "refMsgId", "msgType", "sender", "receiver", "kommune",
                      "pathwayEvent", "outcome", "errors", "warnings", "routedTo", "security", "patient", "sha256", "prev", "hash", "gatewayId"]
        #expect(Set(object.keys) == Set(fields))
        #expect(object["refMsgId"] as? String == "original-1")
        let (body, hash) = try #require(AuditChain.unseal(Array(line.utf8)[...]))
        #expect(hash == object["hash"] as? String)
        #expect(AuditChain.hash(prev: AuditChain.genesis, body: body) == hash)
        #expect(AuditChain.unseal(Array(line.replacingOccurrences(of: "\"}", with: "x\"}").utf8)[...]) == nil)
    }

    /// The stored form a crashed batch's records are recovered from is the encoded record itself:
    /// read back, it appends exactly what appending the entry would have written.
    @Test func storedTrailRoundTrips() throws {
        let dir = try DatabaseTestDirectory()
        let log = try AuditLog(path: dir.path("audit.jsonl"), pseudonymizer: try Pseudonymizer.loadOrCreate(keyAt: dir.path("k")))
        var facts = AuditFacts(msgId: "m \"1\"\n,\"prev\":\"", msgType: "DIALOG_HELSEFAGLIG", sender: "8150011", receiver: nil, kommune: "4601")
        facts.gatewayId = "g-1"; facts.refMsgId = "r-1"; facts.pathwayEvent = "PFH-SP1"; facts.routedTo = ["a", "b"]
        facts.errors = ["E31 x"]; facts.warnings = []; facts.patientPseudonym = "p-00ff"; facts.security = true
        let now = Date(timeIntervalSince1970: 1_795_000_000.123)
        let entries = [AuditLog.Entry(event: "received", partner: "helse-bergen", file: "æ ø.xml", outcome: "accepted", sha256: "ab",
                                      facts: facts, now: now),
                       AuditLog.Entry(event: "archived", partner: nil, file: nil, outcome: nil, sha256: nil, now: now)]
        let records = entries.map(log.encode)
        let back = try #require(AuditTrail.records(stored: AuditTrail.stored(records), encoding: log.encode))
        #expect(back == records)
        #expect(back.allSatisfy { abs($0.now.timeIntervalSince(now)) < 0.001 })
        #expect(AuditTrail.records(stored: "not json", encoding: log.encode) == nil)

        try log.append(encoded: back)
        let lines = String(decoding: try Data(contentsOf: URL(fileURLWithPath: dir.path("audit.jsonl"))), as: UTF8.self).split(separator: "\n")
        let objects = try lines.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        #expect(objects.map { $0["seq"] as? Int } == [1, 2])
        #expect(objects[0]["msgId"] as? String == facts.msgId, "a value that looks like a key is not where prev goes")
        #expect(objects[0]["prev"] as? String == AuditChain.genesis)
        #expect(objects[1]["prev"] as? String == objects[0]["hash"] as? String)
        #expect(objects[0]["ts"] as? String == "2026-11-18T11:06:40.123Z")
        #expect(objects[0]["routedTo"] as? [String] == ["a", "b"])
        let report = try AuditVerifier.verify(AuditDirectory(current: dir.path("audit.jsonl")), checkpoints: nil)
        #expect(report.problem == nil)
        #expect(report.records == 2)
    }

    /// Decided messages stored by an earlier build (flat records with `at`) are still recovered.
    @Test func trailStoredByEarlierBuildsIsStillRead() throws {
        let dir = try DatabaseTestDirectory()
        let log = try AuditLog(path: dir.path("audit.jsonl"), pseudonymizer: try Pseudonymizer.loadOrCreate(keyAt: dir.path("k")))
        let legacy = #"{"event":"archived","partner":"helse-bergen","file":"archive/x.xml","outcome":null,"sha256":null,"at":1795000000123,"#
            + #""gatewayId":"g-1","msgId":"m-1","refMsgId":null,"msgType":"DIALOG_HELSEFAGLIG","sender":"8150011","receiver":null,"#
            + #""kommune":null,"pathwayEvent":null,"routedTo":[],"errors":[],"warnings":[],"patient":null,"security":false}"#
        let records = try #require(AuditTrail.records(stored: legacy, encoding: log.encode))
        let object = try #require(AuditJSON.decode(records[0].body))
        #expect(object["event"] == .string("archived"))
        #expect(object["file"] == .string("archive/x.xml"))
        #expect(object["ts"] == .string("2026-11-18T11:06:40.123Z"))
    }

    /// Timestamps without a formatter: the same text as Foundation's RFC 3339 formatter.
    @Test(arguments: [0.0, 1_795_000_000.123, 1_795_000_000.9996, 951_782_400.5, 4_102_444_799.999])
    func timestampsMatchFoundation(seconds: Double) throws {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let date = Date(timeIntervalSince1970: seconds)
        #expect(AuditLog.timestamp(date) == formatter.string(from: date))
        #expect(AuditLog.date(fromTimestamp: AuditLog.timestamp(date)).map { abs($0.timeIntervalSince(date)) < 0.001 } == true)
    }
}
