import Foundation

/// Where a configuration came from, so every command can say which one it used.
public enum ConfigSource: Sendable, Hashable, CustomStringConvertible {
    /// `--config FILE`.
    case commandLine(String)
    /// `$PATHWAY_GATEWAY_CONFIG`.
    case environment(String)
    /// `./pathway-gateway.json` in the current directory.
    case workingDirectory(String)
    /// `DefaultConfig`, compiled into the binary.
    case embedded

    /// The file to read, nil for the embedded default.
    var path: String? {
        switch self {
        case let .commandLine(path), let .environment(path), let .workingDirectory(path): path
        case .embedded: nil
        }
    }

    /// Name used as FILE in problem lines.
    var fileName: String { path ?? DefaultConfig.sourceName }

    public var description: String {
        switch self {
        case let .commandLine(path): "\(path) (--config)"
        case let .environment(path): "\(path) ($\(ConfigLoader.environmentVariable))"
        case let .workingDirectory(path): "\(path) (current directory)"
        case .embedded:
            "\(DefaultConfig.sourceName) (no --config, $\(ConfigLoader.environmentVariable) or ./\(ConfigLoader.fileName))"
        }
    }
}

/// Finds and loads the configuration in the order of spec §1: `--config`, else
/// `$PATHWAY_GATEWAY_CONFIG`, else `./pathway-gateway.json`, else the embedded default.
///
/// A named file (flag or environment variable) must exist: the operator asked for it, and silently
/// falling back to the sample partners would route real messages by the wrong table. Only the
/// implicit `./pathway-gateway.json` falls through to the default when absent.
public enum ConfigLoader {
    static let environmentVariable = "PATHWAY_GATEWAY_CONFIG"
    static let fileName = "pathway-gateway.json"

    /// Which source applies; the environment and file-existence check are injectable for tests.
    public static func locate(
        explicit: String?,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        currentDirectory: String = FileManager.default.currentDirectoryPath,
        fileExists: (String) -> Bool = { FileManager.default.fileExists(atPath: $0) }
    ) -> ConfigSource {
        if let explicit { return .commandLine(explicit) }
        if let env = environment[environmentVariable], !env.isEmpty { return .environment(env) }
        let local = ConfigParser.resolve(fileName, against: currentDirectory)
        if fileExists(local) { return .workingDirectory(local) }
        return .embedded
    }

    /// Loads `source`. Relative config paths are taken from `currentDirectory`; the config's `spool`
    /// and `schemas` are then resolved against the config file's own directory.
    public static func load(
        _ source: ConfigSource,
        currentDirectory: String = FileManager.default.currentDirectoryPath
    ) throws(ConfigError) -> GatewayConfig {
        guard let path = source.path else { return DefaultConfig.load(currentDirectory: currentDirectory) }
        let absolute = ConfigParser.resolve(path, against: currentDirectory)
        // stat, not fileExists: a file the user may not reach is "Permission denied", not missing.
        var info = stat()
        guard stat(absolute, &info) == 0 else {
            let code = errno
            throw .unreadable(file: path, reason: code == ENOENT ? "no such file" : String(cString: strerror(code)))
        }
        guard info.st_mode & S_IFMT != S_IFDIR else { throw .unreadable(file: path, reason: "is a directory") }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: absolute))
        } catch {
            throw .unreadable(file: path, reason: (error as NSError).localizedDescription)
        }
        let directory = URL(fileURLWithPath: absolute).deletingLastPathComponent().path
        return try GatewayConfig.parse(data, file: path, baseDirectory: directory)
    }
}

extension GatewayConfig {
    /// Parses config JSON, collecting every problem; `file` names the source in problem lines and
    /// relative `spool`/`schemas` paths are resolved against `baseDirectory`.
    static func parse(_ data: Data, file: String, baseDirectory: String) throws(ConfigError) -> GatewayConfig {
        try ConfigParser.parse(data, file: file, baseDirectory: baseDirectory)
    }
}
