#if canImport(Glibc)
    import Glibc
#endif

/// Shared exit-code and stderr conventions: 0 success, 1 the checked thing failed, 2 usage error
/// or the command could not run. Errors are one line each on stderr.
enum CLI {
    static func printError(_ line: String) {
        var text = "pathway-gateway: " + line.replacingNewlines() + "\n"
        text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    }

    static func usageError(_ message: String, usage: String) -> ExitCode {
        printError(message)
        var text = usage + "\n"
        text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
        return .cannotRun
    }

    static func fail(_ message: String) -> ExitCode {
        printError(message)
        return .cannotRun
    }
}

extension String {
    func replacingNewlines() -> String {
        String(map { $0.isNewline ? " " : $0 })
    }
}
