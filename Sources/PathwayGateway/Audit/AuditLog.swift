import Foundation

/// The audit trail operators tail (spec §6): one JSON object per line, appended and fdatasync'ed
/// before the step it records counts as done. Each record carries `prev` and `hash`
/// (SHA-256 over the previous hash and the record's own canonical JSON), a chain that
/// `audit verify` can check. Patient identities appear only as keyed pseudonyms.
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

    /// Appends one record and makes it durable.
    public func record(event: String, partner: String?, file: String?, outcome: String?, sha256: String?,
                       facts: AuditFacts = AuditFacts(), now: Date = Date()) throws {
        lock.lock()
        defer { lock.unlock() }
        var fields: [String: Any] = [
            "ts": timestamps.string(from: now), "seq": seq + 1, "event": event, "prev": prev,
            "partner": partner ?? NSNull(), "file": file ?? NSNull(), "outcome": outcome ?? NSNull(),
            "sha256": sha256 ?? NSNull(), "msgId": facts.msgId ?? NSNull(), "msgType": facts.msgType ?? NSNull(),
            "sender": facts.sender ?? NSNull(), "receiver": facts.receiver ?? NSNull(), "kommune": facts.kommune ?? NSNull(),
            "pathwayEvent": facts.pathwayEvent ?? NSNull(), "errors": facts.errors, "warnings": facts.warnings,
            "routedTo": facts.routedTo, "security": facts.security,
            "patient": facts.patientIdent.map(pseudonymizer.pseudonym(for:)) ?? NSNull(),
        ]
        let canonical = try JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys, .withoutEscapingSlashes])
        let hash = SHA256.hex(Array(prev.utf8) + Array(canonical))
        fields["hash"] = hash
        var line = try JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys, .withoutEscapingSlashes])
        line.append(UInt8(ascii: "\n"))
        try handle.write(contentsOf: line)
        try handle.synchronize()
        seq += 1
        prev = hash
    }
}
