#if canImport(Glibc)
    import Glibc
#endif

/// Whether standard error is connected to the systemd journal, so log lines can carry their syslog
/// priority as a `<N>` prefix that journald turns into the entry's PRIORITY (`journalctl -p err`).
///
/// systemd sets `JOURNAL_STREAM=<device>:<inode>` for a service whose stdout/stderr go to the
/// journal; the check compares it with stderr's own device and inode (as sd_journal_stream_fd(3)
/// advises), so a child that inherited the variable but writes to a pipe or a file gets plain lines.
public enum JournalStream {
    /// True when fd 2 is the stream `JOURNAL_STREAM` names; computed once per process.
    public static let standardErrorIsJournal: Bool = matches(
        environment: getenv("JOURNAL_STREAM").map { String(cString: $0) },
        descriptor: 2)

    /// `value` is `JOURNAL_STREAM`'s text (nil when unset).
    public static func matches(environment value: String?, descriptor: Int32) -> Bool {
        guard let value, !value.isEmpty else { return false }
        let parts = value.split(separator: ":")
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return false }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return false }
        return UInt64(info.st_dev) == device && UInt64(info.st_ino) == inode
    }

    /// The syslog priority journald reads from a `<N>` line prefix (sd-daemon(3)): err 3, warning 4,
    /// info 6, debug 7.
    public static func priority(_ level: GatewayLogger.Level) -> Int {
        switch level {
        case .error: 3
        case .warn: 4
        case .info: 6
        case .debug: 7
        }
    }
}
