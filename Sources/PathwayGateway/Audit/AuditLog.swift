import Foundation

/// The audit trail operators tail (spec §6): one JSON object per line, each chained to the one
/// before by `prev`/`hash` (`AuditChain`), patients only as keyed pseudonyms. `audit verify`
/// checks the chain across rotated files and against checkpoints in the state database.
///
/// **Durability rule: no record whose step was acknowledged can be lost in a crash.** `append`
/// returns only after its records are written and fsync'ed, so a caller acknowledges a step (for
/// instance by writing the AppRec) only after its record is durable. A crash mid-append leaves at
/// most a torn last line, whose step was never acknowledged; it is cut off at the next start and
/// the chain continues from the last whole record. Rotation never copies a record: it links the
/// synced file to its rotated name and atomically puts an empty file in its place (see
/// `AuditRotation`), so a crash at any point neither loses nor duplicates a record, and a restart
/// continues the chain from the newest file. docs/audit.md states the same rule for operators.
///
/// One writer per log: appends from many threads are serialised here, but two processes (or two
/// `AuditLog` objects writing at once) would fork the chain.
final class AuditLog: @unchecked Sendable {
    // @unchecked: every mutable field is touched only under `lock`.
    private let lock = NSLock()
    private var handle: FileHandle?
    /// Seq and hash of the last record written (0 and `AuditChain.genesis` for a new log).
    private var seq: Int
    private var prev: String
    /// Size, first seq and first record's time of the current file (rotation inputs).
    private var fileBytes: Int
    private var fileFirstSeq: Int
    private var fileStart: Date?
    /// Records since the last checkpoint, and when it was taken.
    private var uncheckpointed: Int
    private var lastCheckpoint: Date
    /// The last interval checkpoint this object wrote: the next one supersedes it (see `save`).
    private var ownInterval: AuditCheckpoints.Checkpoint?
    let pseudonymizer: Pseudonymizer
    private let checkpoints: AuditCheckpoints?
    let policy: Policy
    let directory: AuditDirectory
    /// Set when the log found at start ends before the newest checkpoint: records were lost or
    /// removed while the gateway was down. The log goes on (refusing would stop message traffic);
    /// the caller should raise this to operators, and `audit verify` will name the damage.
    let integrityWarning: String?
    var path: String { directory.current }

    /// When to rotate and to checkpoint.
    struct Policy: Sendable, Hashable {
        /// Rotate before a batch would take the current file past this size.
        var maxFileBytes: Int
        /// Rotate at the first append of a new UTC day.
        var rotateDaily: Bool
        /// Checkpoint the head after this many records, or this many seconds, whichever comes first
        /// (checked at each append). They bound how much of a cut-off tail can go unnoticed.
        var checkpointEveryRecords: Int
        var checkpointEverySeconds: Double

        init(
            maxFileBytes: Int = 64 << 20, rotateDaily: Bool = true,
            checkpointEveryRecords: Int = 1_000, checkpointEverySeconds: Double = 10
        ) {
            self.maxFileBytes = maxFileBytes
            self.rotateDaily = rotateDaily
            self.checkpointEveryRecords = checkpointEveryRecords
            self.checkpointEverySeconds = checkpointEverySeconds
        }
    }

    enum Failure: Error, Sendable, CustomStringConvertible {
        /// The last whole line of the log cannot be read as a record, so the chain cannot go on.
        case unreadableHead(path: String, reason: String)
        case closed(path: String)
        /// Writing or syncing records failed (e.g. ENOSPC); Foundation's error alone names neither.
        case appendFailed(path: String, records: Int, reason: String)
        var description: String {
            switch self {
            case let .appendFailed(path, records, reason):
                "audit log \(path): appending \(records) record(s) failed: \(reason)"
            case let .unreadableHead(path, reason):
                "audit log \(path): last record unreadable (\(reason)); run `pathway-gateway audit verify`"
            case let .closed(path): "audit log \(path) is closed"
            }
        }
    }

    /// Opens the log at `path` (the current file; rotated files go next to it), finishing a
    /// rotation or cutting a torn append a crash left. `checkpoints`: where head checkpoints go
    /// (nil: none, and `audit verify` cannot detect a cut-off tail).
    init(path: String, pseudonymizer: Pseudonymizer, checkpoints: AuditCheckpoints? = nil, policy: Policy = Policy())
        throws
    {
        directory = AuditDirectory(current: path)
        self.pseudonymizer = pseudonymizer
        self.checkpoints = checkpoints
        self.policy = policy
        try AuditRotation.finishInterrupted(directory)
        if !FileManager.default.fileExists(atPath: path) { try DurableFile.write([], to: path, mode: 0o600) }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        self.handle = handle
        let tail = try AuditLineReader.tail(of: path)
        // A torn append: never acknowledged (the step waits for the sync), so it is cut.
        try handle.truncate(atOffset: UInt64(tail.wholeLinesEnd))
        try handle.synchronize()
        try handle.seekToEnd()
        fileBytes = tail.wholeLinesEnd
        var headLine = tail.lastLine
        if headLine == nil, let newest = directory.newestRotated() {
            headLine = try AuditLineReader.tail(of: newest.path).lastLine
        }
        if let headLine {
            let head: AuditRecord
            do { head = try AuditRecord(line: headLine, location: .init(path: path, line: 0)) } catch {
                throw Failure.unreadableHead(path: path, reason: error.description)
            }
            (seq, prev) = (head.seq, head.hash)
        } else {
            (seq, prev) = (0, AuditChain.genesis)
        }
        var first: AuditRecord?
        try AuditLineReader.forEachLine(in: path) { line in
            first = try? AuditRecord(line: line.bytes, location: .init(path: path, line: 1))
            return false
        }
        fileFirstSeq = first?.seq ?? seq + 1
        fileStart = first?.date
        let latest = try checkpoints?.latest()
        if let latest, latest.seq > seq {
            integrityWarning =
                "audit log \(path) ends at seq \(seq) but a checkpoint records seq \(latest.seq): "
                + "records were lost or removed; run `pathway-gateway audit verify`"
        } else {
            integrityWarning = nil
        }
        uncheckpointed = max(0, seq - (latest?.seq ?? 0))
        lastCheckpoint = latest?.at ?? .distantPast
    }

    deinit { try? handle?.close() }

    /// One record to append: the step, where it happened, and what the pipeline found.
    struct Entry: Sendable {
        var event: String
        var partner: String?
        var file: String?
        var outcome: String?
        var sha256: String?
        var facts: AuditFacts
        var now: Date

        init(
            event: String, partner: String?, file: String?, outcome: String?, sha256: String?,
            facts: AuditFacts = AuditFacts(), now: Date = Date()
        ) {
            self.event = event
            self.partner = partner
            self.file = file
            self.outcome = outcome
            self.sha256 = sha256
            self.facts = facts
            self.now = now
        }
    }

    /// Appends one record and makes it durable.
    func record(
        event: String, partner: String?, file: String?, outcome: String?, sha256: String?,
        facts: AuditFacts = AuditFacts(), now: Date = Date()
    ) throws {
        try append([
            Entry(event: event, partner: partner, file: file, outcome: outcome, sha256: sha256, facts: facts, now: now)
        ])
    }

    /// Appends records in order with one write and one sync (group commit): none of their steps
    /// counts as done before this returns. The batch goes into one file: rotation, when due,
    /// happens before it. Checkpoints are written after the lock is released, so a caller holding
    /// a database transaction while appending cannot deadlock against another appender.
    func append(_ entries: [Entry]) throws { try append(encoded: entries.map(encode)) }

    /// `append` for records encoded beforehand (`encode`): here they only get `prev` and `seq`.
    func append(encoded entries: [Encoded]) throws {
        guard !entries.isEmpty else { return }
        var due: [AuditCheckpoints.Checkpoint] = []
        do {
            lock.lock()
            defer { lock.unlock() }
            guard let current = handle else { throw Failure.closed(path: path) }
            var (nextSeq, nextPrev) = (seq, prev)
            var block: [UInt8] = []
            for entry in entries {
                nextSeq += 1
                let sealed = AuditChain.seal(body: entry.body(seq: nextSeq, prev: nextPrev), prev: nextPrev)
                block += sealed.line
                block.append(UInt8(ascii: "\n"))
                nextPrev = sealed.hash
            }
            var handle = current
            if needsRotation(before: block.count, at: entries[0].now) {
                due.append(try rotate(at: entries[0].now))
                handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
                try? current.close()
                self.handle = handle
            }
            do {
                try handle.write(contentsOf: block)
                try handle.synchronize()
            } catch {
                // A failed append (disk full) may have left part of the block: cut it, so the next
                // append continues the chain from the last whole record.
                try? handle.truncate(atOffset: UInt64(fileBytes))
                _ = try? handle.seekToEnd()
                throw Failure.appendFailed(path: path, records: entries.count, reason: Self.reason(error))
            }
            if fileStart == nil { fileStart = entries[0].now }
            (seq, prev) = (nextSeq, nextPrev)
            fileBytes += block.count
            uncheckpointed += entries.count
            let now = entries[entries.count - 1].now
            if checkpoints != nil,
                uncheckpointed >= policy.checkpointEveryRecords
                    || now.timeIntervalSince(lastCheckpoint) >= policy.checkpointEverySeconds
            {
                let checkpoint = AuditCheckpoints.Checkpoint(
                    seq: seq, hash: prev, file: DurableFile.baseName(of: path), reason: .interval, at: now)
                due.append(checkpoint)
                (uncheckpointed, lastCheckpoint) = (0, now)
            }
        }
        save(due)
    }

    /// The errno text under Foundation's wrapper ("No space left on device (errno 28)").
    private static func reason(_ error: any Error) -> String {
        let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
        if let posix = underlying ?? ((error as NSError).domain == NSPOSIXErrorDomain ? error as NSError : nil),
            posix.domain == NSPOSIXErrorDomain
        {
            return "\(String(cString: strerror(Int32(posix.code)))) (errno \(posix.code))"
        }
        return "\(error)"
    }

    /// Takes a last checkpoint of the head and closes the file; later appends throw. Call at a
    /// clean shutdown so that a tail cut while the gateway is stopped is detected.
    func close() throws {
        var due: [AuditCheckpoints.Checkpoint] = []
        do {
            lock.lock()
            defer { lock.unlock() }
            guard let current = handle else { return }
            try current.close()
            handle = nil
            if checkpoints != nil, seq > 0 {
                due.append(
                    .init(seq: seq, hash: prev, file: DurableFile.baseName(of: path), reason: .close, at: Date()))
            }
        }
        save(due)
    }

    /// Writes checkpoints; a failure does not fail the append (its records are already durable),
    /// it leaves the interval checkpoint due so the next append tries again. A new interval
    /// checkpoint supersedes only the previous one *this object* wrote (its own chain commits to
    /// it); checkpoints from before this start are never pruned, since nothing here vouches that
    /// the log still matches them — they are what exposes a log cut while the gateway was down.
    private func save(_ due: [AuditCheckpoints.Checkpoint]) {
        guard let checkpoints else { return }
        for checkpoint in due {
            var superseded: AuditCheckpoints.Checkpoint?
            if checkpoint.reason == .interval {
                lock.lock()
                (superseded, ownInterval) = (ownInterval, checkpoint)
                lock.unlock()
            }
            do { try checkpoints.save(checkpoint, superseding: superseded) } catch {
                lock.lock()
                uncheckpointed = max(uncheckpointed, policy.checkpointEveryRecords)
                lock.unlock()
            }
        }
    }

    /// Under `lock`: whether the current file must be rotated before a block of `bytes` stamped `now`.
    private func needsRotation(before bytes: Int, at now: Date) -> Bool {
        guard fileBytes > 0 else { return false }
        if fileBytes + bytes > policy.maxFileBytes { return true }
        guard policy.rotateDaily, let fileStart else { return false }
        return AuditDirectory.utcDay(fileStart) != AuditDirectory.utcDay(now)
    }

    /// Under `lock`: rotates the current file; returns the rotation checkpoint to save.
    private func rotate(at now: Date) throws -> AuditCheckpoints.Checkpoint {
        let name = try AuditRotation.rotate(directory, start: fileStart ?? now, seqs: fileFirstSeq...seq)
        (fileBytes, fileFirstSeq, fileStart) = (0, seq + 1, nil)
        return .init(seq: seq, hash: prev, file: name, reason: .rotation, at: now)
    }
}
