#if canImport(Glibc)
import Glibc
#endif

/// Crash-safe file operations for the spool: a file either appears complete under its final name
/// or not at all, and once a name exists it is never overwritten (§3: outbound files are "written
/// atomically, never overwritten, never partial").
///
/// Why `link()` rather than `rename()`: `rename` silently replaces an existing target, and
/// `renameat2(RENAME_NOREPLACE)` is not exported to Swift by Glibc. `link(temp, final)` fails with
/// EEXIST atomically in the kernel, so two writers racing for the same name cannot both win: the
/// loser sees the winner's file and compares bytes. Requires a filesystem with hard links (ext4,
/// xfs, btrfs; not vfat). A crash can leave a `.<name>.<suffix>.tmp` file behind; it starts with
/// "." so spool readers ignore it, and it never carries a final name.
public enum DurableFile {
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// A system call failed; `errno` is kept so callers can tell ENOSPC from EACCES.
        case system(operation: String, path: String, errno: Int32)
        /// The final name exists with different content: refusing to overwrite it.
        case existsWithDifferentContent(path: String)
        /// A path that should be a directory is something else.
        case notADirectory(path: String)

        public var path: String {
            switch self {
            case let .system(_, path, _), let .existsWithDifferentContent(path), let .notADirectory(path): path
            }
        }

        public var description: String {
            switch self {
            case let .system(operation, path, code):
                "\(operation) \(path) failed: \(String(cString: strerror(code))) (errno \(code))"
            case let .existsWithDifferentContent(path):
                "\(path) already exists with different content; refusing to overwrite it"
            case let .notADirectory(path):
                "\(path) exists but is not a directory"
            }
        }
    }

    /// What `write` and `atomicMove` found: a fresh result, or proof an earlier run already did it.
    public enum Outcome: Sendable, Equatable {
        case created
        /// The final file already existed with identical content (re-run after a crash).
        case alreadyPresent
    }

    /// Writes `bytes` to `finalPath` durably: temp file in the same directory, fsync, link to the
    /// final name (never replacing), unlink the temp, fsync the directory. Identical existing
    /// content counts as success so a restarted gateway can redo its planned writes blindly.
    @discardableResult
    public static func write(_ bytes: [UInt8], to finalPath: String, mode: mode_t = 0o600) throws(Failure) -> Outcome {
        let directory = parent(of: finalPath)
        let temp = directory + "/." + baseName(of: finalPath) + "." + uniqueSuffix() + ".tmp"
        let fd = try retrying("open", temp) { open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode) }
        defer { unlink(temp) }  // after a successful link the final name keeps the inode
        do {
            defer { close(fd) }
            // fchmod: the mode given to open() is filtered by the process umask.
            _ = try retrying("fchmod", temp) { fchmod(fd, mode) }
            try writeAll(fd, bytes, path: temp)
            _ = try retrying("fsync", temp) { fsync(fd) }
        }
        if link(temp, finalPath) != 0 {
            let code = errno
            guard code == EEXIST else { throw .system(operation: "link", path: finalPath, errno: code) }
            guard try contents(of: finalPath) == bytes else { throw .existsWithDifferentContent(path: finalPath) }
            // The earlier run may have crashed before its directory fsync.
            try fsyncDirectory(directory)
            return .alreadyPresent
        }
        try fsyncDirectory(directory)
        return .created
    }

    /// Makes directory entries (creations, renames, unlinks) in `path` durable.
    public static func fsyncDirectory(_ path: String) throws(Failure) {
        let fd = try retrying("open", path) { open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        defer { close(fd) }
        _ = try retrying("fsync", path) { fsync(fd) }
    }

    /// Moves a file to `destination` without ever replacing an existing file, then fsyncs both
    /// directories. Same filesystem assumed (EXDEV is reported, not copied around). Implemented as
    /// link + unlink: a crash in between leaves both names on one inode, which a re-run recognises
    /// and finishes; a re-run after a completed move returns `.alreadyPresent`.
    @discardableResult
    public static func atomicMove(from source: String, to destination: String) throws(Failure) -> Outcome {
        var outcome = Outcome.created
        if link(source, destination) != 0 {
            let code = errno
            var sourceInfo = stat(), destinationInfo = stat()
            let sourceExists = lstat(source, &sourceInfo) == 0
            let destinationExists = lstat(destination, &destinationInfo) == 0
            if !sourceExists, destinationExists {
                // Moved by an earlier run (the source is gone, so the content cannot be compared).
                outcome = .alreadyPresent
            } else if code == EEXIST, sourceExists, destinationExists {
                guard sourceInfo.st_dev == destinationInfo.st_dev, sourceInfo.st_ino == destinationInfo.st_ino else {
                    throw .existsWithDifferentContent(path: destination)
                }
                outcome = .alreadyPresent          // crashed between link and unlink
            } else {
                throw .system(operation: "link", path: code == ENOENT && !sourceExists ? source : destination, errno: code)
            }
        }
        if unlink(source) != 0, errno != ENOENT { throw .system(operation: "unlink", path: source, errno: errno) }
        try fsyncDirectory(parent(of: destination))
        try fsyncDirectory(parent(of: source))
        return outcome
    }

    /// Creates `path` and any missing parents with `mode` (exact, not reduced by the umask) and
    /// fsyncs each parent so the new entries survive a crash. Existing directories are kept as they
    /// are: an operator may have chosen group access deliberately.
    public static func ensureDirectory(_ path: String, mode: mode_t = 0o700) throws(Failure) {
        var info = stat()
        if stat(path, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFDIR else { throw .notADirectory(path: path) }
            return
        }
        let parentPath = parent(of: path)
        if parentPath != path { try ensureDirectory(parentPath, mode: mode) }
        if mkdir(path, mode) != 0 {
            let code = errno
            // Lost a race with another creator: fine if it is a directory.
            guard code == EEXIST else { throw .system(operation: "mkdir", path: path, errno: code) }
            return try ensureDirectory(path, mode: mode)
        }
        _ = try retrying("chmod", path) { chmod(path, mode) }
        try fsyncDirectory(parentPath)
    }

    // MARK: Helpers

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(Failure) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, bytes.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .system(operation: "write", path: path, errno: errno)
            }
            offset += n
        }
    }

    private static func contents(of path: String) throws(Failure) -> [UInt8] {
        let fd = try retrying("open", path) { open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW) }
        defer { close(fd) }
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .system(operation: "read", path: path, errno: errno)
            }
            if n == 0 { return result }
            result += buffer[0..<n]
        }
    }

    /// Calls `body` until it returns a non-negative value or fails with something other than EINTR.
    private static func retrying(_ operation: String, _ path: String, _ body: () -> Int32) throws(Failure) -> Int32 {
        while true {
            let result = body()
            if result >= 0 { return result }
            let code = errno
            if code != EINTR { throw .system(operation: operation, path: path, errno: code) }
        }
    }

    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func baseName(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    /// Process id plus random bits: unique across concurrent writers and restarts.
    private static func uniqueSuffix() -> String {
        "\(getpid())-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
    }
}
