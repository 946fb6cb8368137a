import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The sd_notify protocol without libsystemd: one datagram per state change to the Unix socket named
/// by `$NOTIFY_SOCKET` (a path, or `@name` in the abstract namespace). With `Type=notify` systemd
/// counts the service as started only at `READY=1` (after the schemas compiled, the spool lock was
/// taken and crash recovery ran), shows `STOPPING=1` while in-flight files are finished, and with
/// `WatchdogSec=` restarts a daemon whose loop stops sending `WATCHDOG=1`.
///
/// Without `NOTIFY_SOCKET` (a terminal, Docker, Kubernetes, the tests) every call does nothing.
/// Sending never blocks and never fails the daemon: a lost notification is systemd's timeout to
/// handle, not a reason to stop carrying messages.
public final class SystemdNotifier: Sendable {
    /// The process's notifier, from its environment at first use.
    public static let shared = SystemdNotifier(environment: ProcessInfo.processInfo.environment)

    private let address: [UInt8]?
    /// Half the watchdog interval systemd set (sd_watchdog_enabled(3)), nil without a watchdog.
    private let watchdogInterval: Duration?
    private let lastPing = Mutex<ContinuousClock.Instant?>(nil)

    public init(environment: [String: String]) {
        let socket = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
        address = socket.map { Array($0.utf8) }
        let forUs = environment["WATCHDOG_PID"].map { Int32($0) == getpid() } ?? true
        if socket != nil, forUs, let text = environment["WATCHDOG_USEC"], let usec = Int64(text), usec > 0 {
            watchdogInterval = .microseconds(usec / 2)
        } else {
            watchdogInterval = nil
        }
    }

    /// True when a service manager listens.
    public var isActive: Bool { address != nil }

    /// How long a loop may wait between calls of `watchdogIfDue` (nil: no watchdog, wait as long
    /// as it likes): half the ping interval, so a ping is never later than the watchdog allows.
    public var heartbeatMilliseconds: Int? {
        watchdogInterval.map {
            max(1, Int($0.components.seconds * 500 + $0.components.attoseconds / 2_000_000_000_000_000))
        }
    }

    /// Start-up finished: the daemon takes files now.
    public func ready() { send("READY=1\nSTATUS=carrying messages\nMAINPID=\(getpid())") }

    /// A stop was requested; the files in hand are being finished.
    public func stopping() { send("STOPPING=1\nSTATUS=finishing the files in hand") }

    /// Keeps the watchdog fed; cheap enough to call from every turn of the daemon loop (it sends at
    /// most once per half interval).
    public func watchdogIfDue() {
        guard let watchdogInterval else { return }
        let now = ContinuousClock.now
        let due = lastPing.withLock { last -> Bool in
            guard last.map({ now - $0 >= watchdogInterval }) ?? true else { return false }
            last = now
            return true
        }
        if due { send("WATCHDOG=1") }
    }

    private func send(_ message: String) {
        guard let address, address.count < 108 else { return }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var target = sockaddr_un()
        target.sun_family = sa_family_t(AF_UNIX)
        // `@name`: abstract namespace, the @ becomes a NUL byte and the length counts exactly.
        let path = address.first == UInt8(ascii: "@") ? [0] + address.dropFirst() : address
        withUnsafeMutableBytes(of: &target.sun_path) { raw in
            for (index, byte) in path.enumerated() { raw[index] = byte }
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + path.count + (path.first == 0 ? 0 : 1))
        var text = message
        text.withUTF8 { bytes in
            withUnsafePointer(to: &target) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                    _ = sendto(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL), socketAddress, length)
                }
            }
        }
    }
}
