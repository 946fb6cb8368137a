/// One thing wrong with a configuration file.
///
/// Loading collects every problem instead of stopping at the first, so an operator fixes a broken
/// config in one pass; the JSON path says where, the message says what, on one line.
public struct ConfigProblem: Sendable, Hashable, CustomStringConvertible {
    /// Where the problem is, as a JSON path from the root: `$`, `$.partners[1].herIds[0]`.
    public var path: String
    /// One-line explanation, naming the offending value.
    public var message: String
    /// Line in the file, when known (only for JSON syntax errors).
    public var line: Int?

    init(path: String, message: String, line: Int? = nil) {
        self.path = path
        self.message = message
        self.line = line
    }

    public var description: String { "\(path): \(message)" }
}

/// Why a configuration could not be used.
public enum ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file could not be read at all (missing, a directory, no permission).
    case unreadable(file: String, reason: String)
    /// The file was read but has problems; `run` must refuse to start.
    case invalid(file: String, problems: [ConfigProblem])

    public var description: String {
        switch self {
        case let .unreadable(file, reason):
            "\(file): cannot read config: \(reason)"
        case let .invalid(file, problems):
            problems.map { "\(file): \($0)" }.joined(separator: "\n")
        }
    }
}
