import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The operator's log on stderr: one line per event, logfmt (default) or JSON, with a level filter.
///
/// Why a type of its own: the daemon logs from several threads (workers, the metrics timer, the
/// signal handlers), and interleaved half-lines are useless to `journalctl` and `docker logs`. Each
/// line is built completely and handed to one `write(2)`; lines shorter than PIPE_BUF (4 KiB) are
/// atomic on a pipe, and a longer one is still never mixed with a line from this process because
/// `sink` is called under a lock. The logger holds no personal data by construction only if callers
/// pass none: log ids, counts, partner ids and paths, never names or fødselsnummer (the audit log's
/// pseudonyms are the way to follow a patient).
public final class GatewayLogger: Sendable {
    public enum Format: String, Sendable, CaseIterable { case logfmt, json }

    public enum Level: String, Sendable, CaseIterable, Comparable {
        case debug, info, warn, error
        private var rank: Int { Self.allCases.firstIndex(of: self)! }
        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rank < rhs.rank }
    }

    let format: Format
    let level: Level
    /// Each line starts with `<N>`, its syslog priority, for journald (see `JournalStream`).
    let priorityPrefix: Bool
    private let sink: @Sendable (String) -> Void
    private let clock: @Sendable () -> Date
    private let lock = Mutex(())

    /// `sink` receives whole lines with their newline (default: one write(2) to stderr); `clock`
    /// stamps them. Both are injectable so tests can read exactly what an operator would.
    /// `priorityPrefix` defaults to whether stderr is the journal, so `journalctl -p err` finds
    /// errors while `docker logs` and a terminal get plain lines.
    public init(
        format: Format = .logfmt, level: Level = .info, priorityPrefix: Bool = JournalStream.standardErrorIsJournal,
        clock: @escaping @Sendable () -> Date = { Date() },
        sink: @escaping @Sendable (String) -> Void = GatewayLogger.writeToStandardError
    ) {
        self.format = format
        self.level = level
        self.priorityPrefix = priorityPrefix
        self.clock = clock
        self.sink = sink
    }

    func debug(_ message: String, _ fields: KeyValuePairs<String, LogValue> = [:]) { log(.debug, message, fields) }
    public func info(_ message: String, _ fields: KeyValuePairs<String, LogValue> = [:]) { log(.info, message, fields) }
    public func warn(_ message: String, _ fields: KeyValuePairs<String, LogValue> = [:]) { log(.warn, message, fields) }
    public func error(_ message: String, _ fields: KeyValuePairs<String, LogValue> = [:]) {
        log(.error, message, fields)
    }

    func log(_ level: Level, _ message: String, _ fields: KeyValuePairs<String, LogValue> = [:]) {
        log(level, message, fields: Array(fields))
    }

    /// The same with fields built at run time (some present only when they apply).
    func log(_ level: Level, _ message: String, fields: [(key: String, value: LogValue)]) {
        guard level >= self.level else { return }
        let line = self.line(level, message, fields)
        lock.withLock { _ in sink(line) }
    }

    /// The line for one event (with its newline): `ts`, `level`, `msg`, then the fields in order,
    /// after a `<N>` priority prefix when writing to the journal.
    func line(_ level: Level, _ message: String, _ fields: [(key: String, value: LogValue)]) -> String {
        (priorityPrefix ? "<\(JournalStream.priority(level))>" : "") + body(level, message, fields)
    }

    private func body(_ level: Level, _ message: String, _ fields: [(key: String, value: LogValue)]) -> String {
        let all: [(key: String, value: LogValue)] =
            [
                ("ts", .string(Timestamp.rfc3339(clock()))), ("level", .string(level.rawValue)),
                ("msg", .string(message)),
            ] + fields
        switch format {
        case .logfmt:
            return all.map { "\(Self.logfmtKey($0.key))=\($0.value.logfmt)" }.joined(separator: " ") + "\n"
        case .json:
            return "{" + all.map { "\(JSONString.quoted($0.key)):\($0.value.json)" }.joined(separator: ",") + "}\n"
        }
    }

    /// Keys are ours, but a key with a space or `=` would break the line for every parser.
    private static func logfmtKey(_ key: String) -> String {
        String(key.map { $0 == " " || $0 == "=" || $0 == "\"" || $0.isNewline ? "_" : $0 })
    }

    /// One `write(2)` of the whole line; a short write (a signal, a full pipe) continues with the rest.
    public static let writeToStandardError: @Sendable (String) -> Void = { line in
        var text = line
        text.withUTF8 { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = SystemCall.retryingInterrupts { write(2, buffer.baseAddress! + offset, buffer.count - offset) }
                if n < 0 { return }
                offset += n
            }
        }
    }
}

/// A field value: text, or a number or boolean that JSON shows unquoted.
public enum LogValue: Sendable, Equatable, ExpressibleByStringInterpolation, ExpressibleByIntegerLiteral,
    ExpressibleByBooleanLiteral
{
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)

    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }

    var logfmt: String {
        switch self {
        case let .string(text):
            let plain =
                !text.isEmpty
                && !text.contains { $0 == " " || $0 == "=" || $0 == "\"" || $0 == "\\" || $0.isNewline || $0 == "\t" }
            if plain { return text }
            var quoted = "\""
            for character in text {
                switch character {
                case "\"": quoted += "\\\""
                case "\\": quoted += "\\\\"
                case "\n", "\r\n": quoted += "\\n"
                case "\r": quoted += "\\r"
                case "\t": quoted += "\\t"
                default: quoted.append(character)
                }
            }
            return quoted + "\""
        case let .int(number): return String(number)
        case let .double(number): return Self.number(number)
        case let .bool(flag): return flag ? "true" : "false"
        }
    }

    var json: String {
        switch self {
        case let .string(text): return JSONString.quoted(text)
        case let .int(number): return String(number)
        case let .double(number): return number.isFinite ? Self.number(number) : JSONString.quoted(String(number))
        case let .bool(flag): return flag ? "true" : "false"
        }
    }

    static func number(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
