#if canImport(Glibc)
    import Glibc
#endif

/// Wakes the daemon when a file lands in an inbox: inotify `IN_CLOSE_WRITE` (a writer closed a file
/// it wrote in place) and `IN_MOVED_TO` (the recommended temp-name-then-rename), one watch per
/// inbound directory on one descriptor.
///
/// Events only say "look now": the daemon then scans the directories, so duplicate events (an
/// atomic write gives both), a queue overflow (`IN_Q_OVERFLOW`) or a missed event cost nothing but
/// a scan, and the periodic timeout scan is the safety net.
final class InboxWatcher: @unchecked Sendable {
    // @unchecked: the descriptor is immutable after init and only read from.
    private let descriptor: Int32
    /// Directories no watch could be added for (the periodic scan still covers them).
    public private(set) var unwatched: [String] = []

    struct Failure: Error, Sendable, CustomStringConvertible {
        var operation: String
        var path: String
        var errno: Int32
        var description: String { "\(operation) \(path): \(String(cString: strerror(errno)))" }
    }

    init(directories: [String]) throws(Failure) {
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { throw Failure(operation: "inotify_init1", path: "", errno: errno) }
        let mask = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_ONLYDIR)
        // A directory that cannot be watched (the gateway may not read it) is left to the periodic
        // scan, which reports why its files wait; it must not stop intake for everyone else.
        for directory in directories where inotify_add_watch(fd, directory, mask) < 0 {
            unwatched.append(directory)
        }
        descriptor = fd
    }

    deinit { close(descriptor) }

    /// Blocks up to `timeoutMilliseconds` for activity, or until `stop` is requested; true when
    /// something arrived (or the queue overflowed). Drains the queue either way.
    func wait(timeoutMilliseconds: Int, stop: StopToken) -> Bool {
        guard stop.wait(milliseconds: timeoutMilliseconds, orReadable: descriptor) else { return false }
        drain()
        return true
    }

    /// Reads and discards pending events (their names do not matter: the daemon rescans).
    private func drain() {
        let capacity = 64 * (MemoryLayout<inotify_event>.size + Int(NAME_MAX) + 1)
        let buffer = UnsafeMutableRawPointer.allocate(
            byteCount: capacity, alignment: MemoryLayout<inotify_event>.alignment)
        defer { buffer.deallocate() }
        while SystemCall.retryingInterrupts({ read(descriptor, buffer, capacity) }) > 0 {}
    }
}
