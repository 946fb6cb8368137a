import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A request to stop, or to pause for a reload, that every loop and every sleeper sees at once.
///
/// Why not a flag polled in 250 ms slices: a sleeping loop would wake four times a second for
/// nothing and still see a stop up to 250 ms late. A request here also makes a pipe readable, so
/// `wait` — a `poll` on that pipe and, optionally, one more descriptor such as the inotify queue —
/// returns the moment it comes. A stop outranks a reload: once asked to stop, nothing else is.
public final class StopToken: Sendable {
    public enum Request: Int, Sendable {
        case reload = 1
        case stop = 2
    }

    private let pending = Atomic<Int>(0)
    private let readEnd: Int32
    private let writeEnd: Int32

    public init() {
        var ends: [Int32] = [-1, -1]
        _ = pipe(&ends)
        for end in ends {
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
            _ = fcntl(end, F_SETFL, O_NONBLOCK)
        }
        (readEnd, writeEnd) = (ends[0], ends[1])
    }

    deinit {
        close(readEnd)
        close(writeEnd)
    }

    /// What was asked, if anything.
    public var request: Request? { Request(rawValue: pending.load(ordering: .acquiring)) }
    public var isRequested: Bool { pending.load(ordering: .acquiring) != 0 }

    /// Asks every loop holding this token to stop (or to pause for a reload). Safe from any thread.
    public func request(_ request: Request) {
        var current = pending.load(ordering: .relaxed)
        while current < request.rawValue {
            let (exchanged, original) = pending.compareExchange(
                expected: current, desired: request.rawValue, ordering: .acquiringAndReleasing)
            if exchanged { break }
            current = original
        }
        var byte: UInt8 = 1
        _ = write(writeEnd, &byte, 1)
    }

    /// A reload has been carried out: the loops may run again. A stop, once asked, stays.
    public func reloadDone() {
        guard
            pending.compareExchange(expected: Request.reload.rawValue, desired: 0, ordering: .acquiringAndReleasing)
                .exchanged
        else { return }
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(readEnd, &buffer, buffer.count) > 0 {}
        // A request that came while the pipe was drained has set `pending` again: make it seen.
        if isRequested {
            var byte: UInt8 = 1
            _ = write(writeEnd, &byte, 1)
        }
    }

    /// Sleeps up to `milliseconds`, or until a request comes or `descriptor` (when given) turns
    /// readable; true only in the last case.
    @discardableResult
    public func wait(milliseconds: Int, orReadable descriptor: Int32? = nil) -> Bool {
        guard !isRequested else { return false }
        var fds = [pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)]
        if let descriptor { fds.append(pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)) }
        let ready = SystemCall.retryingInterrupts {
            poll(&fds, nfds_t(fds.count), Int32(clamping: max(0, milliseconds)))
        }
        guard ready > 0, fds.count > 1 else { return false }
        return fds[1].revents & Int16(POLLIN) != 0
    }
}
