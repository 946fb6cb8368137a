import Dispatch
import Foundation
import PathwayGateway

#if canImport(Glibc)
    import Glibc
#endif

/// `audit tail [--follow] [-n N]`: the last records as human-readable lines, then (with
/// --follow) every new one until SIGINT/SIGTERM, flushed line by line so a pipe sees them at once.
enum AuditTailCommand {
    static func run(_ context: AuditCommand.Context) -> ExitCode {
        guard context.args.positionals.isEmpty else {
            return CLI.usageError("unexpected argument '\(context.args.positionals[0])'", usage: AuditCommand.usage)
        }
        var count = 10
        if let text = context.args["-n"] {
            guard let n = Int(text), n >= 0 else {
                return CLI.usageError("-n needs a number ≥ 0, not '\(text)'", usage: AuditCommand.usage)
            }
            count = n
        }
        let formatter = AuditLineFormatter(
            colour: AuditLineFormatter.colourWanted(
                isTerminal: isatty(1) == 1,
                environment: ProcessInfo.processInfo.environment))
        let reader = AuditReader(directory: context.directory)
        do {
            let records = try reader.last(count)
            for record in records { print(formatter.line(record)) }
            fflush(nil)
            guard context.args.has("--follow") else { return .success }
            // The same signal watcher as `run`: SIGINT/SIGTERM end the wait at once.
            let token = StopToken()
            let signals = SignalWatcher(token: token)
            defer { withExtendedLifetime(signals) {} }
            let head = try records.last?.seq ?? reader.last(1).last?.seq ?? 0
            try AuditFollower(directory: context.directory, after: head).run(stop: token) { record in
                print(formatter.line(record))
                fflush(nil)
            }
            return .success
        } catch {
            return CLI.fail("cannot read \(context.directory.path): \(error)")
        }
    }
}
