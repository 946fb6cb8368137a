import Foundation
import PathwayGateway

#if canImport(Glibc)
    import Glibc
#endif

/// `pathway-gateway pathways report`: the monitoring report as HTML, CSV or JSON.
enum PathwaysReportCommand {
    static func run(_ arguments: [String]) -> ExitCode {
        let args: CommandLineArguments
        do {
            args = try CommandLineArguments(
                arguments, flags: [], options: ["--config", "--format", "--out", "--as-of"])
        } catch {
            return CLI.usageError("\(error)", usage: PathwaysCommand.usage)
        }
        if args.has("--help") {
            print(PathwaysCommand.usage)
            return .success
        }
        guard args.positionals.isEmpty else {
            return CLI.usageError("unexpected argument '\(args.positionals[0])'", usage: PathwaysCommand.usage)
        }
        guard let format = PathwayReport.Format(rawValue: args["--format"] ?? "html") else {
            return CLI.usageError("--format must be html, csv or json", usage: PathwaysCommand.usage)
        }
        let context: PathwaysCommand.Context
        switch PathwaysCommand.open(args) {
        case let .success(c): context = c
        case let .failure(status): return status
        }
        let text: String
        do {
            let report = try PathwayReportBuilder.build(
                store: context.store, config: context.config, today: context.today, now: context.now,
                generatedAt: Date())
            text = try report.rendered(as: format)
        } catch {
            return CLI.fail("building the report: \(error)")
        }
        guard let out = args["--out"] else {
            FileHandle.standardOutput.write(Data(text.utf8))
            return .success
        }
        do {
            try replace(out, with: Array(text.utf8))
        } catch {
            return CLI.fail("\(out): \(error)")
        }
        GatewayLogger().info("report written", ["file": "\(out)"])
        return .success
    }

    /// Writes durably under a temporary name (DurableFile: fsync, mode 0600), then renames over
    /// `path`: a reader sees the old report or the new one, never a partial file.
    private static func replace(_ path: String, with bytes: [UInt8]) throws {
        let url = URL(fileURLWithPath: path)
        let temp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
            .path
        _ = try? FileManager.default.removeItem(atPath: temp)
        _ = try DurableFile.write(bytes, to: temp)
        guard rename(temp, path) == 0 else {
            let code = errno
            _ = try? FileManager.default.removeItem(atPath: temp)
            throw DurableFile.Failure.system(operation: "rename", path: path, errno: code)
        }
        try DurableFile.fsyncDirectory(url.deletingLastPathComponent().path)
    }
}
