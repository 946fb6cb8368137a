import Foundation
import PathwayGateway

/// `pathway-gateway replay`: re-queues rejected messages after a fix (see `Replay`).
enum ReplayCommand {
    static let usage = """
        usage: pathway-gateway replay [--config FILE] ID...

        Runs rejected messages again after the cause was fixed (e.g. a contact point added and the
        configuration reloaded). ID is the gateway id: the first 36 characters of the quarantined
        original's name (quarantine/<partner>/<id>-<name>), as shown by `audit show` and `status`.
        Each message's original goes back into its partner's inbox as replay-<id>-<name>; the running
        daemon (or the next `run`) decides it afresh and sends a new AppRec. Only rejected messages
        can be replayed, so nothing is ever routed twice. Exit status: 0 all queued, 1 any refused,
        2 usage error or the spool could not be opened.
        """

    static func run(_ arguments: [String]) -> ExitCode {
        let args: CommandLineArguments
        do { args = try CommandLineArguments(arguments, flags: [], options: ["--config"]) } catch {
            return CLI.usageError("\(error)", usage: usage)
        }
        if args.has("--help") {
            print(usage)
            return .success
        }
        guard !args.positionals.isEmpty else { return CLI.usageError("name at least one message id", usage: usage) }
        let replay: Replay
        do {
            let config = try ConfigLoader.load(ConfigLoader.locate(explicit: args["--config"]))
            let spool = Spool(root: config.spool)
            guard FileManager.default.fileExists(atPath: spool.database) else {
                return CLI.fail("no state database at \(spool.database)")
            }
            replay = Replay(spool: spool, store: try MessageStore(path: spool.database), limit: config.limits.maxBytes)
        } catch {
            return CLI.fail("cannot open the spool: \(error)")
        }
        var refused = false
        for id in args.positionals {
            do {
                print("\(id): queued as \(try replay.request(id))")
            } catch {
                CLI.printError("\(id): \(error)")
                refused = true
            }
        }
        return refused ? .checkFailed : .success
    }
}
