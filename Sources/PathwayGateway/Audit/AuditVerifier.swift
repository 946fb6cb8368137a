import Foundation

/// `audit verify`: walks every audit file in seq order and checks, for each record, that its
/// hash matches its bytes, that its seq follows the one before and its `prev` is that record's
/// hash; for each rotated file, that its name's seq range matches what it holds; and against the
/// database checkpoints, that the log still reaches every checkpointed head with the same hash.
/// It stops at the first problem and names that record.
///
/// What it catches: an edited record (hash), a deleted record or a missing file (seq gap), two
/// records swapped (seq order), a renamed or reordered file (name range), a record replaced with a
/// recomputed hash (the next record's `prev`), and a cut-off tail or a rewritten history (a
/// checkpoint). What it cannot: changes after the newest checkpoint by someone who recomputes
/// every later hash — the window `AuditLog.Policy` bounds.
public enum AuditVerifier {
    public struct Report: Sendable {
        public var files = 0
        public var records = 0
        public var headSeq = 0
        public var headHash = AuditChain.genesis
        /// Checkpoints in the database (nil: no database or no checkpoint table) and how many of
        /// them were compared with a record (the others name seqs not reached: a cut-off tail).
        public var checkpointsKnown: Int?
        public var checkpointsChecked = 0
        /// Things worth saying that are not breaks (an incomplete line being written).
        public var notes: [String] = []
        public var problem: Problem?
    }

    public enum Problem: Error, Sendable, Hashable, CustomStringConvertible {
        case unreadable(AuditRecord.Location, reason: String)
        case edited(AuditRecord.Location, seq: Int)
        case outOfSequence(AuditRecord.Location, seq: Int, expected: Int)
        case brokenLink(AuditRecord.Location, seq: Int, previous: AuditRecord.Location?)
        /// A rotated file's content does not match its name's seq range; `place` is its first
        /// record when that one is off, else its last line (the file was cut or is empty).
        case misnamedFile(AuditRecord.Location, claims: ClosedRange<Int>, holds: ClosedRange<Int>?)
        case checkpointMismatch(AuditRecord.Location, seq: Int, checkpointFile: String, at: Date)
        case truncated(lastRecord: AuditRecord.Location?, lastSeq: Int, checkpointSeq: Int, at: Date)
        case unreadableFile(path: String, reason: String)

        public var description: String {
            switch self {
            case let .unreadable(place, reason): "\(place): not a sealed audit record (\(reason))"
            case let .edited(place, seq):
                "\(place): seq \(seq): the record was changed after it was written (hash mismatch)"
            case let .outOfSequence(place, seq, expected) where seq > expected:
                "\(place): seq \(seq) where \(expected) was expected: record(s) \(expected)…\(seq - 1) missing here "
                    + "(deleted, moved later, or in a missing file)"
            case let .outOfSequence(place, seq, expected):
                "\(place): seq \(seq) where \(expected) was expected: records swapped, repeated or out of order"
            case let .brokenLink(place, seq, previous):
                "\(place): seq \(seq): prev is not the hash of seq \(seq - 1)\(previous.map { " (\($0))" } ?? ""): "
                    + "that record was replaced or altered with a recomputed hash"
            case let .misnamedFile(place, claims, holds):
                "\(place): the file's name says records \(claims.lowerBound)…\(claims.upperBound) but it holds "
                    + (holds.map { $0.count == 1 ? "seq \($0.lowerBound) here" : "\($0.lowerBound)…\($0.upperBound)" }
                        ?? "none")
                    + ": file renamed, reordered or cut"
            case let .checkpointMismatch(place, seq, file, at):
                "\(place): seq \(seq) differs from the checkpoint taken \(Self.time(at)) (then in \(file)): history rewritten"
            case let .truncated(last, lastSeq, checkpointSeq, at):
                "\(last.map { "\($0): " } ?? "")log ends at seq \(lastSeq) but a checkpoint taken \(Self.time(at)) "
                    + "records seq \(checkpointSeq): records after \(lastSeq) were cut off"
            case let .unreadableFile(path, reason): "\(path): cannot read: \(reason)"
            }
        }

        private static func time(_ date: Date) -> String { Timestamp.rfc3339Seconds(date) }
    }

    /// Verifies the log in `directory` against `checkpoints` (nil: chain and files only). The
    /// checkpoints are read before the files, so a checkpoint the running daemon writes meanwhile
    /// cannot refer to records not yet read; a rotation during the run can make one pass fail, so
    /// a failing pass is repeated once when the file list changed under it.
    public static func verify(_ directory: AuditDirectory, checkpoints: AuditCheckpoints?) throws -> Report {
        var files = directory.files()
        var report = try verify(files, checkpoints: try checkpoints?.all())
        if report.problem != nil, directory.files() != files {
            files = directory.files()
            report = try verify(files, checkpoints: try checkpoints?.all())
        }
        return report
    }

    /// One pass over `files` (oldest first, as `AuditDirectory.files()` lists them).
    static func verify(_ files: [AuditDirectory.File], checkpoints: [AuditCheckpoints.Checkpoint]?) throws -> Report {
        var report = Report()
        report.checkpointsKnown = checkpoints?.count
        let bySeq = Dictionary((checkpoints ?? []).map { ($0.seq, $0) }, uniquingKeysWith: { first, _ in first })
        var last: AuditRecord.Location?
        for file in files {
            report.files += 1
            var held: ClosedRange<Int>?
            var lastLine = 0
            do {
                try AuditLineReader.forEachLine(in: file.path) { line in
                    let place = AuditRecord.Location(path: file.path, line: line.number)
                    guard line.complete else {
                        if file.isCurrent {
                            report.notes.append(
                                "\(place): incomplete last line ignored (being written, or cut at the next start)")
                        } else {
                            report.problem = .unreadable(place, reason: "no newline at the end of a rotated file")
                        }
                        return false
                    }
                    report.problem = check(
                        line.bytes, at: place, file: file, held: held, previous: last, bySeq: bySeq, into: &report)
                    guard report.problem == nil else { return false }
                    held = (held?.lowerBound ?? report.headSeq)...report.headSeq
                    last = place
                    lastLine = line.number
                    return true
                }
            } catch {
                report.problem = .unreadableFile(path: file.path, reason: "\(error)")
            }
            if report.problem != nil { return report }
            if let claims = file.seqs, held != claims {
                report.problem = .misnamedFile(.init(path: file.path, line: lastLine), claims: claims, holds: held)
                return report
            }
        }
        if let newest = checkpoints?.last, newest.seq > report.headSeq {
            report.problem = .truncated(
                lastRecord: last, lastSeq: report.headSeq, checkpointSeq: newest.seq, at: newest.at)
        }
        return report
    }

    /// Checks one line; on success advances `report`'s head and counts.
    private static func check(
        _ bytes: ArraySlice<UInt8>, at place: AuditRecord.Location, file: AuditDirectory.File,
        held: ClosedRange<Int>?, previous: AuditRecord.Location?,
        bySeq: [Int: AuditCheckpoints.Checkpoint], into report: inout Report
    ) -> Problem? {
        guard let (body, claimed) = AuditChain.unseal(bytes) else {
            return .unreadable(place, reason: "hash member missing or damaged")
        }
        let record: AuditRecord
        do { record = try AuditRecord(line: bytes, location: place) } catch {
            return .unreadable(place, reason: error.description)
        }
        if held == nil, let claims = file.seqs, record.seq != claims.lowerBound {
            return .misnamedFile(place, claims: claims, holds: record.seq...record.seq)
        }
        guard AuditChain.hash(prev: record.prev, body: body) == claimed else { return .edited(place, seq: record.seq) }
        let expected = report.headSeq + 1
        guard record.seq == expected else { return .outOfSequence(place, seq: record.seq, expected: expected) }
        guard record.prev == report.headHash else { return .brokenLink(place, seq: record.seq, previous: previous) }
        if let checkpoint = bySeq[record.seq] {
            guard checkpoint.hash == claimed else {
                return .checkpointMismatch(place, seq: record.seq, checkpointFile: checkpoint.file, at: checkpoint.at)
            }
            report.checkpointsChecked += 1
        }
        report.records += 1
        (report.headSeq, report.headHash) = (record.seq, claimed)
        return nil
    }
}
