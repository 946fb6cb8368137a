#if canImport(Glibc)
    import Glibc
#endif

/// Reads an audit file line by line in 1 MiB chunks, so a large file is never held whole.
/// Used by `audit verify`, `tail`, `show` and `find`, and by the writer to find its head.
struct AuditLineReader {
    /// One line without its newline; `complete` is false only for a last line with no newline
    /// (a torn append, or one being written right now).
    struct Line {
        var bytes: ArraySlice<UInt8>
        /// 1-based.
        var number: Int
        var complete: Bool
    }

    /// Calls `body` for each line of `path` from `offset` until it returns false or the file ends.
    /// Returns the offset just past the last complete line read, where a follower resumes.
    @discardableResult
    static func forEachLine(
        in path: String, from offset: Int = 0, firstLineNumber: Int = 1,
        _ body: (Line) throws -> Bool
    ) throws -> Int {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw DurableFile.Failure.system(operation: "open", path: path, errno: errno) }
        defer { close(fd) }
        return try forEachLine(fd: fd, path: path, from: offset, firstLineNumber: firstLineNumber, body)
    }

    /// As above on an open descriptor (a follower keeps reading a file after it was renamed).
    static func forEachLine(
        fd: Int32, path: String, from offset: Int, firstLineNumber: Int,
        _ body: (Line) throws -> Bool
    ) throws -> Int {
        var position = offset
        var consumed = offset
        var number = firstLineNumber
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = SystemCall.retryingInterrupts {
                chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, $0.count, off_t(position)) }
            }
            if n < 0 { throw DurableFile.Failure.system(operation: "read", path: path, errno: errno) }
            if n == 0 { break }
            position += n
            var start = 0
            while start < n, let index = newline(in: chunk, from: start, to: n) {
                let line: ArraySlice<UInt8>
                if pending.isEmpty {
                    line = chunk[start..<index]
                } else {
                    pending += chunk[start..<index]
                    line = pending[...]
                }
                consumed += line.count + 1
                guard try body(Line(bytes: line, number: number, complete: true)) else { return consumed }
                pending.removeAll(keepingCapacity: true)
                number += 1
                start = index + 1
            }
            pending += chunk[start..<n]
        }
        if !pending.isEmpty { _ = try body(Line(bytes: pending[...], number: number, complete: false)) }
        return consumed
    }

    /// The index of the next newline in `buffer[from..<to]`.
    private static func newline(in buffer: [UInt8], from: Int, to: Int) -> Int? {
        ByteSearch.firstIndex(of: 0x0A, in: buffer, from: from, to: to)
    }

    /// The last complete line of `path` (read from the end; nil when there is none) and the byte
    /// length of the file's whole lines (anything after the last newline is a torn append).
    static func tail(of path: String) throws -> (lastLine: [UInt8]?, wholeLinesEnd: Int) {
        var window = 64 * 1024
        while true {
            let (bytes, start, _) = try FileReader.end(of: path, count: window)
            if let end = bytes.lastIndex(of: UInt8(ascii: "\n")) {
                if let previous = bytes[..<end].lastIndex(of: UInt8(ascii: "\n")) {
                    return (Array(bytes[(previous + 1)..<end]), start + end + 1)
                }
                if start == 0 { return (Array(bytes[..<end]), end + 1) }
            } else if start == 0 {
                return (nil, 0)
            }
            window *= 4
        }
    }
}
