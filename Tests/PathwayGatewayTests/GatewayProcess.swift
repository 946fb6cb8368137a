import Foundation

/// Runs the real `pathway-gateway` binary (built by `swift test`) and captures its output.
struct GatewayProcess {
    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
        var lines: [String] { stdout.split(separator: "\n").map(String.init) }
    }

    /// `wrapper`: a command the binary runs under (e.g. `setpriv` to drop to another user).
    /// `input`: what it reads on standard input (nothing: an empty input).
    /// `binary`: another copy of it (one that other users can reach, `TestPaths.binaryForOtherUsers`).
    static func run(_ arguments: [String], environment: [String: String] = [:], cwd: URL? = nil,
                    wrapper: [String] = [], input: String = "", binary: String = TestPaths.binary) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: wrapper.first ?? binary)
        process.arguments = wrapper.isEmpty ? arguments : Array(wrapper.dropFirst()) + [binary] + arguments
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { $1 }
        process.environment = env
        if let cwd { process.currentDirectoryURL = cwd }
        let outFile = FileManager.default.temporaryDirectory.appendingPathComponent("pg-out-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: outFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: outFile) }
        let out = try FileHandle(forWritingTo: outFile)
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let stdin = Pipe()
        process.standardInput = stdin
        try process.run()
        try stdin.fileHandleForWriting.write(contentsOf: Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let stderrData = try err.fileHandleForReading.readToEnd() ?? Data()
        process.waitUntilExit()
        try out.close()
        return Output(status: process.terminationStatus,
                      stdout: String(decoding: try Data(contentsOf: outFile), as: UTF8.self),
                      stderr: String(decoding: stderrData, as: UTF8.self))
    }

    /// SIGTERM, as systemd or Docker would stop the daemon; returns its exit status.
    static func stop(_ process: Process) -> Int32 {
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        return process.terminationStatus
    }
}
