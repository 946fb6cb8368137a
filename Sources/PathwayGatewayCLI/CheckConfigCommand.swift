import Foundation
import PathwayGateway

/// `pathway-gateway check-config`: load a config the way `run` would and list every problem, so an
/// operator can fix a config before restarting the daemon.
enum CheckConfigCommand {
    static let usage = """
        usage: pathway-gateway check-config [--config FILE]

        Loads the configuration (--config, else $PATHWAY_GATEWAY_CONFIG, else ./pathway-gateway.json,
        else the embedded default), prints which one was used, then either a summary or one line per
        problem as FILE: PATH: message. Exit status: 0 valid, 1 problems found, 2 usage error or the
        file could not be read.
        """

    static func run(_ arguments: [String]) -> ExitCode {
        let args: CommandLineArguments
        do {
            args = try CommandLineArguments(arguments, flags: [], options: ["--config"])
        } catch {
            return CLI.usageError("\(error)", usage: usage)
        }
        if args.has("--help") {
            print(usage)
            return .success
        }
        guard args.positionals.isEmpty else {
            return CLI.usageError("unexpected argument '\(args.positionals[0])'", usage: usage)
        }
        let source = ConfigLoader.locate(explicit: args["--config"])
        print("config: \(source)")
        do {
            let config = try ConfigLoader.load(source)
            print(
                "ok: \(config.partners.count { !$0.isInternalPartner }) partners, "
                    + "\(config.contactPoints.count) contact points, \(config.kommuner.count) kommuner")
            if let reminders = config.reminderSummary { print(reminders) }
            return .success
        } catch {
            switch error {
            case let .unreadable(file, reason):
                return CLI.fail("\(file): cannot read config: \(reason)")
            case let .invalid(file, problems):
                for problem in problems {
                    let place = problem.line.map { "\(file):\($0)" } ?? file
                    print("\(place): \(problem.path): \(problem.message.replacingNewlines())")
                }
                return .checkFailed
            }
        }
    }
}
