import Foundation
import PathwayGateway

/// `pathway-gateway demo [--dir DIR]`: the newcomer's tour (logic in `DemoTour`).
enum DemoCommand {
    static let usage = """
        usage: pathway-gateway demo [--dir DIR]

        Sets up a spool in DIR (default: a new temporary directory; DIR must be new or empty) with the
        embedded sample configuration, drops the sample messages as Helse Bergen would, runs the real
        pipeline, then lets the partners go on round by round: resend, spoof, answer with AppRecs
        (relayed to the hospital), take a copy and have it sent again, reply through the gateway and
        answer the reply. Prints what happened to each file and which files to open. Exit status:
        0 done, 2 the directory or the schemas could not be used.
        """

    static func run(_ arguments: [String]) -> ExitCode {
        let args: CommandLineArguments
        do {
            args = try CommandLineArguments(arguments, flags: [], options: ["--dir"])
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
        do {
            let tour = try DemoTour(directory: args["--dir"], schemas: try SchemaLocator.load(explicit: nil))
            print(try tour.run(), terminator: "")
            return .success
        } catch {
            return CLI.fail("demo: \(error)")
        }
    }
}
