#if canImport(Glibc)
    import Glibc
#endif

/// Reads inbound files with a size bound and without following symlinks or blocking on FIFOs.
public enum FileReader {
    public enum Failure: Error, Sendable, Hashable, CustomStringConvertible {
        case tooLarge(byteCount: Int, limit: Int)
        case notRegularFile(String)
        case system(operation: String, errno: Int32)

        public var description: String {
            switch self {
            case let .tooLarge(count, limit): "file is \(count) bytes, over the limit of \(limit) bytes"
            case let .notRegularFile(kind): "not a regular file (\(kind))"
            case let .system(operation, code): "\(operation) failed: \(String(cString: strerror(code)))"
            }
        }
    }

    /// For a file too large to read whole: its first `keeping` bytes and the SHA-256 of all of it,
    /// read in 1 MiB pieces (memory stays bounded whatever the size).
    static func summary(_ path: String, keeping: Int) throws(Failure) -> (head: [UInt8], sha256: String) {
        let fd = try openForReading(path)
        defer { close(fd) }
        let digest = SHA256.Incremental()
        var head: [UInt8] = []
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 1)
        defer { buffer.deallocate() }
        while case let n = try readSome(fd, into: buffer), n > 0 {
            digest.update(UnsafeRawBufferPointer(rebasing: buffer[..<n]))
            if head.count < keeping { head += buffer[..<min(n, keeping - head.count)] }
        }
        return (head, digest.finalHex())
    }

    /// The whole file, refusing anything that is not a regular file or is larger than `limit`.
    /// `onlyOwnFile`: refuse a file this process's user did not create or that has a second name —
    /// for a file read back from a directory a partner may also write (its outbox, spec §8), where
    /// a partner could have put a file of its own under the gateway's name.
    public static func read(_ path: String, limit: Int, onlyOwnFile: Bool = false) throws(Failure) -> [UInt8] {
        let fd = try openForReading(path)
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .system(operation: "fstat", errno: errno) }
        let type = info.st_mode & S_IFMT
        guard type == S_IFREG else {
            throw .notRegularFile(type == S_IFDIR ? "directory" : type == S_IFIFO ? "FIFO" : "special file")
        }
        if onlyOwnFile, info.st_uid != geteuid() || info.st_nlink != 1 {
            throw .notRegularFile("not a file of the gateway's own")
        }
        let size = Int(info.st_size)
        guard size <= limit else { throw .tooLarge(byteCount: size, limit: limit) }
        // Into uninitialised storage: zeroing it first, and a 64 kB buffer for the check below, were
        // 2 % of a drain's instructions (callgrind).
        var failure: Failure?
        var bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            do throws(Failure) {
                while count < size {
                    let n = try readSome(
                        fd, into: UnsafeMutableRawBufferPointer(UnsafeMutableBufferPointer(rebasing: buffer[count...])))
                    if n == 0 { break }
                    count += n
                }
            } catch { failure = error }
        }
        if let failure { throw failure }
        // Grew while we read it: read on to the limit so nothing is silently cut off.
        try withUnsafeTemporaryAllocation(byteCount: 4_096, alignment: 1) { (extra) throws(Failure) in
            while case let n = try readSome(fd, into: extra), n > 0 {
                bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: extra[..<n]))
                if bytes.count > limit { throw .tooLarge(byteCount: bytes.count, limit: limit) }
            }
        }
        return bytes
    }

    /// The last `count` bytes of `path` (all of it when shorter), where they start, and the file's
    /// size: the one home for reading a log's end (the audit tail at start-up and in recovery).
    static func end(of path: String, count: Int) throws(Failure) -> (bytes: [UInt8], start: Int, size: Int) {
        try slice(of: path, from: { size in max(0, size - count) }, count: count)
    }

    /// At most `count` bytes of `path` from `offset` (fewer at its end), and the file's size: a log
    /// read on from where the last reader stopped, a bounded piece at a time.
    static func slice(of path: String, from offset: Int, count: Int) throws(Failure) -> (bytes: [UInt8], size: Int) {
        let read = try slice(of: path, from: { _ in offset }, count: count)
        return (read.bytes, read.size)
    }

    private static func slice(of path: String, from offset: (Int) -> Int, count: Int) throws(Failure)
        -> (bytes: [UInt8], start: Int, size: Int)
    {
        let fd = try openForReading(path)
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .system(operation: "fstat", errno: errno) }
        let size = Int(info.st_size)
        let start = min(offset(size), size)
        var bytes = [UInt8](repeating: 0, count: min(count, size - start))
        var filled = 0
        while filled < bytes.count {
            let n = SystemCall.retryingInterrupts {
                bytes.withUnsafeMutableBytes {
                    pread(fd, $0.baseAddress! + filled, $0.count - filled, off_t(start + filled))
                }
            }
            guard n >= 0 else { throw .system(operation: "read", errno: errno) }
            if n == 0 { break }  // cut short meanwhile
            filled += n
        }
        return (Array(bytes[..<filled]), start, size)
    }

    /// Opens without following a symbolic link (refused as not a regular file) or blocking on a FIFO.
    private static func openForReading(_ path: String) throws(Failure) -> Int32 {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        guard fd < 0 else { return fd }
        let code = errno
        throw code == ELOOP ? .notRegularFile("symbolic link") : .system(operation: "open", errno: code)
    }

    /// One read(2) into `buffer`, repeated when a signal interrupts it; 0 at the end of the file.
    private static func readSome(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) throws(Failure) -> Int {
        let n = SystemCall.retryingInterrupts { buffer.baseAddress.map { Glibc.read(fd, $0, buffer.count) } ?? 0 }
        guard n >= 0 else { throw .system(operation: "read", errno: errno) }
        return n
    }
}
