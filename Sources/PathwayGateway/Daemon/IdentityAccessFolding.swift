import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Brings the showings of identities (`spool/state/identity-access.log`, written by `pathways due
/// --show-identities` beside the running daemon) into the hash-chained audit log, whose one writer
/// is the daemon: on each pass, every whole line past the last one folded becomes an
/// `identities-shown` record per patient shown (the pseudonym, never a number), with the kommune,
/// who asked (`sender`), the line's place (`file` = `state/identity-access.log:OFFSET`) and its
/// SHA-256.
///
/// Exactly once across crashes: the byte offset folded up to (and the file's inode, so that a log
/// moved away and begun anew is read from its start) is kept in `state_facts` after the
/// records are appended (synced); a crash between the two leaves records the next fold finds at
/// the end of the audit log by their `file` and `sha256` and does not append again.
final class IdentityAccessFolding: Sendable {
    let path: String
    let auditPath: String
    private let audit: AuditLog
    private let store: MessageStore
    /// The offset folded up to and its file's inode, once read from the database (a pass then
    /// only stats the file).
    private let folded = Mutex<(offset: Int, inode: UInt64)?>(nil)
    private let lastProblem = Mutex<String?>(nil)

    static let event = "identities-shown"
    /// The most read from the log in one pass.
    static let readLimit = 8 << 20

    /// Why the log cannot be folded (logged once, retried each pass; intake goes on).
    enum Unfoldable: Error, CustomStringConvertible {
        case notARegularFile(path: String)
        case lineTooLong(path: String, offset: Int)

        var description: String {
            switch self {
            case let .notARegularFile(path): "\(path) is not a regular file (a link?): showings there are not folded"
            case let .lineTooLong(path, offset): "\(path): the line at offset \(offset) is over 8 MiB: not a showing"
            }
        }
    }
    static let fact = "identity_access_folded"
    /// How much of the audit log's end is searched for records a crash kept from being noted.
    static let tailWindow = 8 << 20

    init(spool: Spool, audit: AuditLog, store: MessageStore) {
        path = IdentityAccessLog(spool: spool).path
        auditPath = spool.auditLog
        self.audit = audit
        self.store = store
    }

    /// `fold()`, its failure told to `report` once (until it changes or the fold succeeds): a log
    /// the daemon cannot read (written by another user) must not stop the intake, and is retried
    /// on the next pass.
    func fold(reporting report: (any Error) -> Void) {
        do {
            try fold()
            lastProblem.withLock { $0 = nil }
        } catch {
            let text = "\(error)"
            if lastProblem.withLock({ previous in
                defer { previous = text }
                return previous != text
            }) {
                report(error)
            }
        }
    }

    /// Appends the records of the lines written since the last fold; returns how many records.
    @discardableResult
    func fold(now: Date = Date()) throws -> Int {
        var info = stat()
        guard lstat(path, &info) == 0 else { return 0 }  // no showing yet
        // A link or anything else at the name holds showings the chain would never get: said.
        guard info.st_mode & S_IFMT == S_IFREG else { throw Unfoldable.notARegularFile(path: path) }
        let (size, inode) = (Int(info.st_size), UInt64(info.st_ino))
        var (from, foldedInode) = try position()
        // Another file under the name (an operator moved the log away): from its start.
        if foldedInode != inode || size < from { (from, foldedInode) = (0, inode) }
        guard size != from else { return 0 }
        // At most `readLimit` a pass (the rest on the next); a line longer than that is not a showing.
        let (bytes, _) = try FileReader.slice(of: path, from: from, count: Self.readLimit)
        guard let last = bytes.lastIndex(of: UInt8(ascii: "\n")) else {
            if bytes.count >= Self.readLimit { throw Unfoldable.lineTooLong(path: path, offset: from) }
            return 0  // a line still being written
        }
        let already = appendedLines()
        var entries: [AuditLog.Entry] = []
        var lineStart = 0
        while lineStart <= last {
            let end = bytes[lineStart...].firstIndex(of: UInt8(ascii: "\n"))!
            let key = Self.key(offset: from + lineStart, sha256: SHA256.hex(Array(bytes[lineStart..<end])))
            if !already.contains(key) {
                entries += Self.entries(line: bytes[lineStart..<end], offset: from + lineStart, now: now)
            }
            lineStart = end + 1
        }
        try audit.append(entries)
        CrashPoint.hit("identity-access-appended")
        let reached = (from + last + 1, inode)
        try Self.note(reached, in: store)
        folded.withLock { $0 = reached }
        return entries.count
    }

    /// `state rebuild`: notes the log as folded through the line the audit log's last showing names
    /// (when that line is still there, same bytes), so the rebuilt state does not fold it again.
    static func noteFolded(through last: (offset: Int, sha256: String), spool: Spool, store: MessageStore) throws {
        let path = IdentityAccessLog(spool: spool).path
        var info = stat()
        guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG,
            let (bytes, _) = try? FileReader.slice(of: path, from: last.offset, count: readLimit),
            let end = bytes.firstIndex(of: UInt8(ascii: "\n")),
            SHA256.hex(Array(bytes[..<end])) == last.sha256
        else { return }
        try note((last.offset + end + 1, UInt64(info.st_ino)), in: store)
    }

    /// The position as `state_facts` keeps it: "<offset> <inode>".
    private static func note(_ position: (offset: Int, inode: UInt64), in store: MessageStore) throws {
        try store.db.setFact(fact, "\(position.offset) \(position.inode)")
    }

    /// The offset folded up to and the inode of the file it is in (0 and 0 before the first fold).
    private func position() throws -> (offset: Int, inode: UInt64) {
        if let known = folded.withLock({ $0 }) { return known }
        let stored = try store.db.fact(Self.fact)?.split(separator: " ")
        let position = (
            stored.flatMap { $0.first }.flatMap { Int($0) } ?? 0, stored.flatMap { $0.last }.flatMap { UInt64($0) } ?? 0
        )
        folded.withLock { $0 = position }
        return position
    }

    /// The lines (offset and SHA-256: a replaced log starts at offset 0 again) whose records are
    /// already at the end of the audit log (appended before a crash kept the offset from being noted).
    private func appendedLines() -> Set<String> {
        var keys = Set<String>()
        let prefix = Self.place("")
        for file in AuditDirectory(current: auditPath).files().suffix(2) {
            for line in (try? AuditTailScan.lastLines(of: file.path, window: Self.tailWindow)) ?? [] {
                guard let object = AuditJSON.decode(line), case .string(Self.event)? = object["event"],
                    case let .string(place)? = object["file"], place.hasPrefix(prefix),
                    let offset = Int(place.dropFirst(prefix.count)), case let .string(sha)? = object["sha256"]
                else { continue }
                keys.insert(Self.key(offset: offset, sha256: sha))
            }
        }
        return keys
    }

    private static func key(offset: Int, sha256: String) -> String { "\(offset) \(sha256)" }

    /// `p-` and 32 lowercase hex digits, as `Pseudonymizer` makes them.
    static func isPseudonym(_ text: String) -> Bool {
        text.utf8.count == 34 && text.hasPrefix("p-")
            && text.utf8.dropFirst(2).allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    /// Where a line is, as the records name it.
    static func place(_ offset: String) -> String { "state/identity-access.log:" + offset }

    /// The records of one line: one per patient shown; one without patient for a line that cannot
    /// be read (so that it is not lost from the chain either).
    static func entries(line: ArraySlice<UInt8>, offset: Int, now: Date) -> [AuditLog.Entry] {
        let sha = SHA256.hex(Array(line))
        var facts = AuditFacts()
        guard let object = AuditJSON.decode(line), case let .strings(patients)? = object["patients"] else {
            facts.errors = ["identity-access.log: a line that is not a record of a showing"]
            return [
                .init(event: event, partner: nil, file: place("\(offset)"), outcome: nil, sha256: sha, facts: facts)
            ]
        }
        func text(_ key: String) -> String? { if case let .string(value)? = object[key] { value } else { nil } }
        facts.kommune = text("kommune")
        facts.sender =
            "\(text("user") ?? "unknown user") (uid \(text("uid") ?? "?")) by `\(text("command") ?? "?")` at \(text("at") ?? "?")"
        // Only pseudonyms go into the chain: anything else in the list is not carried over.
        return patients.filter(isPseudonym).map { patient in
            var one = facts
            one.patientPseudonym = patient
            return .init(
                event: event, partner: nil, file: place("\(offset)"), outcome: "shown", sha256: sha, facts: one,
                now: now)
        }
    }
}
