import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// An `flock` on a directory: the part of the spool lock whose identity cannot be swapped.
///
/// Why: a lock *file* can be deleted while its holder runs; the next daemon then creates a new
/// file, locks that, and two daemons work on one spool (AppRecs lost and doubled, a forked audit
/// chain). A directory that holds files cannot be removed, and one that is renamed away takes the
/// state database and the audit log with it, so the newcomer finds a spool whose state and log do
/// not agree and refuses to start (`StartupCheck`). The holder's pid is read from `/proc/locks`,
/// which names the process for a locked inode even when `gateway.lock` is gone.
enum DirectoryLock {
    /// Locks `path` exclusively, retrying for `patience` seconds (`status` tests it for
    /// microseconds). Returns the open descriptor, which holds the lock until it is closed.
    static func acquire(_ path: String, patience: TimeInterval) throws(SpoolLock.Failure) -> Int32 {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { throw .system(operation: "open", path: path, errno: errno) }
        try SpoolLock.lockExclusively(fd, path: path, patience: patience, holder: holder(of:))
        return fd
    }

    /// Whether some process holds `path` locked; nil when the directory does not exist or the
    /// caller may not open it (the lock file then tells). The pid is the holder's as
    /// `/proc/locks` names it (nil when it cannot be read).
    static func probe(_ path: String) throws(SpoolLock.Failure) -> (held: Bool, pid: Int32?)? {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else {
            if errno == ENOENT || errno == EACCES { return nil }
            throw .system(operation: "open", path: path, errno: errno)
        }
        defer { close(fd) }
        if flock(fd, LOCK_SH | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return (false, nil)
        }
        guard errno == EWOULDBLOCK else { throw .system(operation: "flock", path: path, errno: errno) }
        return (true, holder(of: fd))
    }

    /// The pid holding an exclusive flock on the inode `fd` refers to, from `/proc/locks`
    /// (`N: FLOCK ADVISORY WRITE <pid> <maj>:<min>:<inode> 0 EOF`, device numbers in hex).
    static func holder(of fd: Int32) -> Int32? {
        var info = stat()
        guard fstat(fd, &info) == 0, let text = try? String(contentsOfFile: "/proc/locks", encoding: .utf8) else {
            return nil
        }
        let dev = UInt64(info.st_dev)
        let major = ((dev >> 8) & 0xfff) | ((dev >> 32) & ~0xfff)
        let minor = (dev & 0xff) | ((dev >> 12) & ~0xff)
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            // A waiter's line has "->" after the number; only holders are wanted.
            guard fields.count >= 6, fields[1] == "FLOCK", fields[3] == "WRITE" else { continue }
            let id = fields[5].split(separator: ":")
            guard id.count == 3, UInt64(id[0], radix: 16) == major, UInt64(id[1], radix: 16) == minor,
                UInt64(id[2]) == UInt64(info.st_ino)
            else { continue }
            return Int32(fields[4])
        }
        return nil
    }
}
