import Foundation

/// The audit trail operators tail (spec §6): one JSON object per line, appended and fdatasync'ed
/// before the step it records counts as done. Each record carries `prev` and `hash`
/// (SHA-256 over the previous hash and the record's own canonical JSON, see
/// `AuditRecordWriter`), a chain that `audit verify` can check. Patient identities appear only as keyed pseudonyms.
public final class AuditLog: @unchecked Sendable {
    // @unchecked: every mutable field is touched only under `lock`.
    private let lock = NSLock()
    private let handle: FileHandle
    private var seq: Int
    private var prev: String
    private let pseudonymizer: Pseudonymizer
    /// Used only under `lock` (a formatter is not thread-safe, and costly to create per record).
    private let timestamps: ISO8601DateFormatter = {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter
    }()
    public let path: String

    public init(path: String, pseudonymizer: Pseudonymizer) throws {
        self.path = path
        self.pseudonymizer = pseudonymizer
        if !FileManager.default.fileExists(atPath: path) {
            _ = FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
        }
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        let existing = Self.dropTornTail(of: FileManager.default.contents(atPath: path) ?? Data(), handle: handle)
        (seq, prev) = Self.head(of: existing)
        try handle.seekToEnd()
    }

    deinit { try? handle.close() }

    /// A crash in the middle of an append leaves a line without its newline. That record's step was
    /// never acknowledged (a step counts as done only after its line is synced), so the torn bytes
    /// are cut off and the chain goes on from the last whole record.
    /// Returns the whole records that remain.
    static func dropTornTail(of data: Data, handle: FileHandle) -> Data {
        guard let last = data.last, last != UInt8(ascii: "\n") else { return data }
        let keep = data.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
        try? handle.truncate(atOffset: UInt64(keep))
        try? handle.synchronize()
        return data.prefix(keep)
    }

    /// The last record's seq and hash, so a restart continues the chain.
    static func head(of data: Data) -> (Int, String) {
        guard let lastLine = data.split(separator: UInt8(ascii: "\n")).last,
              let object = try? JSONSerialization.jsonObject(with: Data(lastLine)) as? [String: Any],
              let seq = object["seq"] as? Int, let hash = object["hash"] as? String else { return (0, String(repeating: "0", count: 64)) }
        return (seq, hash)
    }

    /// One record to append: the step, where it happened, and what the pipeline found.
    public struct Entry: Sendable, Codable {
        public var event: String
        public var partner: String?
        public var file: String?
        public var outcome: String?
        public var sha256: String?
        public var facts: AuditFacts
        public var now: Date

        public init(event: String, partner: String?, file: String?, outcome: String?, sha256: String?,
                    facts: AuditFacts = AuditFacts(), now: Date = Date()) {
            self.event = event; self.partner = partner; self.file = file; self.outcome = outcome
            self.sha256 = sha256; self.facts = facts; self.now = now
        }
    }

    /// Appends one record and makes it durable.
    public func record(event: String, partner: String?, file: String?, outcome: String?, sha256: String?,
                       facts: AuditFacts = AuditFacts(), now: Date = Date()) throws {
        try append([Entry(event: event, partner: partner, file: file, outcome: outcome, sha256: sha256, facts: facts, now: now)])
    }

    /// Appends records in order with one write and one sync (group commit): none of their steps
    /// counts as done before this returns.
    public func append(_ entries: [Entry]) throws {
        guard !entries.isEmpty else { return }
        lock.lock()
        defer { lock.unlock() }
        var (nextSeq, nextPrev) = (seq, prev)
        var block = Data()
        for entry in entries {
            block.append(try line(for: entry, seq: nextSeq + 1, prev: nextPrev, hash: &nextPrev))
            nextSeq += 1
        }
        try handle.write(contentsOf: block)
        try handle.synchronize()
        (seq, prev) = (nextSeq, nextPrev)
    }

    /// One record's line (with its newline); `hash` comes in as the previous hash and leaves as this one's.
    private func line(for entry: Entry, seq: Int, prev: String, hash: inout String) throws -> Data {
        let facts = entry.facts
        let record = AuditRecordWriter([
            ("errors", .strings(facts.errors)), ("event", .string(entry.event)), ("file", .string(entry.file)),
            ("gatewayId", .string(facts.gatewayId)), ("kommune", .string(facts.kommune)),
            ("msgId", .string(facts.msgId)), ("msgType", .string(facts.msgType)), ("outcome", .string(entry.outcome)),
            ("partner", .string(entry.partner)), ("pathwayEvent", .string(facts.pathwayEvent)),
            ("patient", .string(facts.patientPseudonym ?? facts.patientIdent.map(pseudonymizer.pseudonym(for:)))),
            ("prev", .string(prev)), ("receiver", .string(facts.receiver)), ("refMsgId", .string(facts.refMsgId)),
            ("routedTo", .strings(facts.routedTo)), ("security", .bool(facts.security)), ("sender", .string(facts.sender)),
            ("seq", .int(seq)), ("sha256", .string(entry.sha256)), ("ts", .string(timestamps.string(from: entry.now))),
            ("warnings", .strings(facts.warnings)),
        ])
        hash = SHA256.hex(Array(prev.utf8) + record.canonical)
        return Data(record.line(hash: hash))
    }
}
