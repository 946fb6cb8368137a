import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The daemon's claim on a spool: an exclusive `flock` on `spool/state/gateway.lock`, held for the
/// life of the process, with the holder's pid written in the file.
///
/// Why flock: the kernel drops it when the process dies however it dies (SIGKILL, OOM, power), so a
/// stale lock file never blocks a restart, and `status` can tell "running" from "crashed" without
/// trusting a pid that may have been reused. Two daemons on one spool would be safe for single
/// files (claims are renames) but would double the inotify and scan work and confuse the operator's
/// view, so the second one refuses to start. Local file systems only (flock on NFS is emulated).
///
/// The file alone can be deleted under a running daemon, so the directory holding it (`state/`)
/// is locked first (`DirectoryLock`): whatever file is deleted, a second daemon finds that lock
/// held and names the holder's pid.
public final class SpoolLock: Sendable {
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// Another process holds the lock; `pid` is what it wrote (nil if unreadable).
        case held(path: String, pid: Int32?)
        case system(operation: String, path: String, errno: Int32)

        public var description: String {
            switch self {
            case let .held(path, pid):
                "another gateway\(pid.map { " (pid \($0))" } ?? "") is running on this spool (it holds the spool lock \(path))"
            case let .system(operation, path, code):
                "\(operation) \(path) failed: \(String(cString: strerror(code))) (errno \(code))"
            }
        }
    }

    /// What `probe` found.
    enum Holder: Sendable, Equatable {
        /// No process holds the lock (or the file does not exist yet).
        case none
        /// A running process holds it; `pid` as written in the file.
        case process(pid: Int32?)
    }

    let path: String
    private let fd: Int32
    /// The locked directory's descriptor (see `DirectoryLock`).
    private let directoryFd: Int32

    private init(path: String, fd: Int32, directoryFd: Int32) {
        self.path = path
        self.fd = fd
        self.directoryFd = directoryFd
    }

    deinit {  // closing the descriptors releases the locks
        close(fd)
        close(directoryFd)
    }

    /// Takes the lock on `path`'s directory, then the one at `path` (creating the file, mode 0600)
    /// and writes our pid into it. Retries
    /// for up to `patience` seconds because `status` takes the lock for a few microseconds to test
    /// it; a daemon holding it is reported as `.held` after that.
    public static func acquire(_ path: String, patience: TimeInterval = 2) throws(Failure) -> SpoolLock {
        let directoryFd: Int32
        do { directoryFd = try DirectoryLock.acquire(DurableFile.parent(of: path), patience: patience) } catch {
            if case let .held(_, pid) = error { throw .held(path: path, pid: pid ?? pidInFile(path)) }
            throw error
        }
        do { return try lockFile(path, patience: patience, directoryFd: directoryFd) } catch {
            close(directoryFd)
            throw error
        }
    }

    /// The lock file's part: kept for `status` of older builds and for the pid it names.
    private static func lockFile(_ path: String, patience: TimeInterval, directoryFd: Int32) throws(Failure)
        -> SpoolLock
    {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw .system(operation: "open", path: path, errno: errno) }
        try lockExclusively(fd, path: path, patience: patience, holder: readPid)
        let text = Array("\(getpid())\n".utf8)
        guard ftruncate(fd, 0) == 0, pwrite(fd, text, text.count, 0) == text.count else {
            let code = errno
            close(fd)
            throw .system(operation: "write", path: path, errno: code)
        }
        return SpoolLock(path: path, fd: fd, directoryFd: directoryFd)
    }

    /// Who holds the lock at `path`, without creating anything: opens `path`'s directory (else the
    /// file) read-only and tries a shared lock, released at once. Works for any user who can read
    /// the directory or the file.
    static func probe(_ path: String) throws(Failure) -> Holder {
        if let directory = try DirectoryLock.probe(DurableFile.parent(of: path)), directory.held {
            return .process(pid: directory.pid ?? pidInFile(path))
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else {
            if errno == ENOENT { return .none }
            throw .system(operation: "open", path: path, errno: errno)
        }
        defer { close(fd) }
        if flock(fd, LOCK_SH | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return .none
        }
        guard errno == EWOULDBLOCK else { throw .system(operation: "flock", path: path, errno: errno) }
        return .process(pid: readPid(fd))
    }

    /// The pid written in the lock file at `path`, if it can be read.
    private static func pidInFile(_ path: String) -> Int32? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        return readPid(fd)
    }

    private static func readPid(_ fd: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let n = pread(fd, &buffer, buffer.count, 0)
        guard n > 0 else { return nil }
        return Int32(String(decoding: buffer.prefix(n), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Takes an exclusive `flock` on `fd`, retrying for `patience` seconds (`status` holds a shared
    /// lock for microseconds to test it). On failure `fd` is closed and the error names the holder
    /// (`holder` reads its pid).
    static func lockExclusively(_ fd: Int32, path: String, patience: TimeInterval, holder: (Int32) -> Int32?)
        throws(Failure)
    {
        let deadline = Date().addingTimeInterval(patience)
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            guard code == EWOULDBLOCK || code == EINTR else {
                close(fd)
                throw .system(operation: "flock", path: path, errno: code)
            }
            if Date() >= deadline {
                let pid = holder(fd)
                close(fd)
                throw .held(path: path, pid: pid)
            }
            usleep(20_000)
        }
    }
}
