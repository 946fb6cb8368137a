import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Crash-safe rotation of the current audit file. Two steps, each atomic in the kernel and made
/// durable by an fsync of the directory:
///
/// 1. `link(audit.jsonl, audit-…-<first>-<last>.jsonl)`: the records get their rotated name while
///    keeping the current one (two names, one inode; never replaces an existing name);
/// 2. `rename(empty temp file, audit.jsonl)`: the current name now holds a new, empty file.
///
/// A crash before 1 leaves the old state; between 1 and 2, both names share one inode, which
/// `finishInterrupted` recognises at the next start and completes with step 2; after 2 the
/// rotation is done. No record is ever copied, so none can be lost or duplicated, and the writer
/// continues the chain from the newest rotated file's last record when the current file is empty.
enum AuditRotation {
    /// Rotates the current file of `directory` to the name for `seqs`; returns the rotated name.
    /// Repeating a rotation that failed half-way (same arguments) finishes it.
    static func rotate(_ directory: AuditDirectory, start: Date, seqs: ClosedRange<Int>) throws(DurableFile.Failure)
        -> String
    {
        let name = directory.rotatedName(start: start, seqs: seqs)
        let rotated = "\(directory.path)/\(name)"
        if link(directory.current, rotated) != 0 {
            let code = errno
            guard code == EEXIST, sameFile(directory.current, rotated) else {
                throw .system(operation: "link", path: rotated, errno: code)
            }
        }
        try DurableFile.fsyncDirectory(directory.path)
        try replaceWithEmptyFile(directory.current)
        return name
    }

    /// Completes a rotation a crash interrupted between its two steps, and removes temporary files
    /// a crash left in step 2. Called before the writer opens the current file.
    static func finishInterrupted(_ directory: AuditDirectory) throws(DurableFile.Failure) {
        let tempPrefix = "." + DurableFile.baseName(of: directory.current) + "."
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        where name.hasPrefix(tempPrefix) && name.hasSuffix(".tmp") {
            unlink("\(directory.path)/\(name)")
        }
        if let newest = directory.newestRotated(), sameFile(directory.current, newest.path) {
            try replaceWithEmptyFile(directory.current)
        }
    }

    /// Atomically puts an empty file (mode 0600) at `path`, replacing what is there.
    static func replaceWithEmptyFile(_ path: String) throws(DurableFile.Failure) {
        let directory = DurableFile.parent(of: path)
        let temp =
            "\(directory)/.\(DurableFile.baseName(of: path)).\(getpid())-\(UInt32.random(in: 0...UInt32.max)).tmp"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw .system(operation: "open", path: temp, errno: errno) }
        let synced = fchmod(fd, 0o600) == 0 && fsync(fd) == 0
        let code = errno
        close(fd)
        guard synced else {
            unlink(temp)
            throw .system(operation: "fsync", path: temp, errno: code)
        }
        guard rename(temp, path) == 0 else {
            let code = errno
            unlink(temp)
            throw .system(operation: "rename", path: path, errno: code)
        }
        try DurableFile.fsyncDirectory(directory)
    }

    /// True when both paths name the same inode.
    static func sameFile(_ a: String, _ b: String) -> Bool {
        var first = stat()
        var second = stat()
        guard stat(a, &first) == 0, stat(b, &second) == 0 else { return false }
        return first.st_dev == second.st_dev && first.st_ino == second.st_ino
    }
}
