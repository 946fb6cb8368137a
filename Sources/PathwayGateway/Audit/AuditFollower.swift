import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// `audit tail --follow`: emits each new record once, in seq order, across rotations.
///
/// It keeps the current file open and reads whole lines as they are appended (a line still being
/// written is left for the next poll). When `audit.jsonl` names a new inode, the log rotated: the
/// old descriptor — now the rotated file — is read to its end first, then the new file is opened.
/// Records are tracked by seq, so a gap (two rotations between polls) is filled from the rotated
/// files and nothing is printed twice.
public final class AuditFollower {
    let directory: AuditDirectory
    /// The last seq emitted.
    private(set) var lastSeq: Int
    private var fd: Int32 = -1
    private var inode: ino_t = 0
    private var offset = 0
    private var nextLine = 1

    /// Follows from after `lastSeq` (e.g. the last record `tail` printed; 0 for everything).
    public init(directory: AuditDirectory, after lastSeq: Int) {
        self.directory = directory
        self.lastSeq = lastSeq
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Polls every `interval` seconds until `stop` is requested (which ends the wait at once).
    public func run(interval: Double = 0.2, stop: StopToken, emit: (AuditRecord) -> Void) throws {
        while !stop.isRequested {
            try poll(emit: emit)
            stop.wait(milliseconds: Int(interval * 1000))
        }
    }

    /// Emits what is new since the last poll.
    func poll(emit: (AuditRecord) -> Void) throws {
        if fd < 0 { openCurrent() }
        guard fd >= 0 else { return }
        try drain(emit)
        var info = stat()
        if stat(directory.current, &info) == 0, info.st_ino != inode {
            try drain(emit)  // whatever reached the old file before it was rotated
            close(fd)
            fd = -1
            openCurrent()
            if fd >= 0 { try drain(emit) }
        }
    }

    private func openCurrent() {
        fd = open(directory.current, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        var info = stat()
        fstat(fd, &info)
        (inode, offset, nextLine) = (info.st_ino, 0, 1)
    }

    /// Reads the open file's whole lines from `offset` on.
    private func drain(_ emit: (AuditRecord) -> Void) throws {
        var gapError: (any Error)?
        offset = try AuditLineReader.forEachLine(
            fd: fd, path: directory.current, from: offset, firstLineNumber: nextLine
        ) { line in
            guard line.complete else { return false }
            nextLine = line.number + 1
            guard
                let record = try? AuditRecord(
                    line: line.bytes, location: .init(path: directory.current, line: line.number)),
                record.seq > lastSeq
            else { return true }
            if record.seq > lastSeq + 1 {
                do { try fillGap(before: record.seq, emit) } catch { gapError = error }
            }
            emit(record)
            lastSeq = record.seq
            return true
        }
        if let gapError { throw gapError }
    }

    /// Emits the records between `lastSeq` and `seq` from the rotated files that hold them.
    private func fillGap(before seq: Int, _ emit: (AuditRecord) -> Void) throws {
        let wanted = (lastSeq + 1)...(seq - 1)
        for file in directory.files() where file.seqs?.overlaps(wanted) == true {
            try AuditLineReader.forEachLine(in: file.path) { line in
                guard line.complete,
                    let record = try? AuditRecord(
                        line: line.bytes, location: .init(path: file.path, line: line.number)),
                    wanted.contains(record.seq), record.seq > lastSeq
                else { return true }
                emit(record)
                lastSeq = record.seq
                return true
            }
        }
    }
}
