import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Read-side queries over the whole log (rotated files and the current one, in seq order) for
/// `audit tail`, `show` and `find`. Integrity is `AuditVerifier`'s job: here an unreadable or
/// incomplete line is skipped. Lines are matched as raw bytes first (the JSON-quoted value must
/// occur in the line) and parsed only on a hit, which keeps a scan of a large log fast.
public struct AuditReader: Sendable {
    let directory: AuditDirectory

    public init(directory: AuditDirectory) { self.directory = directory }

    /// Calls `body` with each record, oldest first, whose line contains one of `values` as a JSON
    /// string (all records when `values` is empty).
    func forEachRecord(containing values: [String] = [], _ body: (AuditRecord) throws -> Void) throws {
        let needles = values.map(Self.quoted)
        for file in directory.files() {
            try AuditLineReader.forEachLine(in: file.path) { line in
                guard line.complete, needles.isEmpty || needles.contains(where: { Self.contains(line.bytes, $0) }),
                    let record = try? AuditRecord(line: line.bytes, location: .init(path: file.path, line: line.number))
                else { return true }
                try body(record)
                return true
            }
        }
    }

    /// The last `count` records, oldest first; only those lines are parsed.
    public func last(_ count: Int) throws -> [AuditRecord] {
        guard count > 0 else { return [] }
        var found: [AuditRecord] = []
        for file in directory.files().reversed() where found.count < count {
            var ring: [([UInt8], Int)] = []
            try AuditLineReader.forEachLine(in: file.path) { line in
                guard line.complete else { return true }
                ring.append((Array(line.bytes), line.number))
                if ring.count > 2 * count { ring.removeFirst(ring.count - count) }
                return true
            }
            let older = ring.suffix(count - found.count).compactMap { bytes, number in
                try? AuditRecord(line: bytes, location: .init(path: file.path, line: number))
            }
            found = older + found
        }
        return found
    }

    /// A message's whole story, in seq order: every record whose `msgId` or `refMsgId` is `msgId`,
    /// and the records of its routed copies (their MsgIds are on the `routed` records), which
    /// include the municipality's AppRec answering a copy (its `refMsgId` is the copy's MsgId).
    public func story(of msgId: String) throws -> [AuditRecord] {
        var direct: [AuditRecord] = []
        try forEachRecord(containing: [msgId]) { record in
            if record.msgId == msgId || record.refMsgId == msgId { direct.append(record) }
        }
        let copies = Set(direct.filter { $0.event == "routed" && $0.refMsgId == msgId }.compactMap(\.msgId))
        guard !copies.isEmpty else { return direct }
        var story = Dictionary(direct.map { ($0.seq, $0) }, uniquingKeysWith: { first, _ in first })
        try forEachRecord(containing: Array(copies)) { record in
            if record.msgId.map(copies.contains) == true || record.refMsgId.map(copies.contains) == true {
                story[record.seq] = record
            }
        }
        return story.values.sorted { $0.seq < $1.seq }
    }

    /// Every record whose `patient` is `pseudonym`, oldest first.
    public func records(ofPatient pseudonym: String) throws -> [AuditRecord] {
        var found: [AuditRecord] = []
        try forEachRecord(containing: [pseudonym]) { if $0.patient == pseudonym { found.append($0) } }
        return found
    }

    /// `value` as it appears in a line: a JSON string with its quotes.
    static func quoted(_ value: String) -> [UInt8] {
        var literal: [UInt8] = []
        JSONString.append(value, to: &literal)
        return literal
    }

    /// Whether `needle` occurs in `haystack` (`ByteSearch`: memmem).
    static func contains(_ haystack: ArraySlice<UInt8>, _ needle: [UInt8]) -> Bool {
        ByteSearch.contains(needle, in: haystack)
    }
}
