import Foundation
import PathwayGateway

/// `pathway-gateway status`: is the gateway running, do messages flow, what waits on whom.
enum StatusCommand {
    static let usage = """
        usage: pathway-gateway status [--config FILE] [--json] [--max-inbound-age SECONDS]

        Shows whether the daemon runs (it holds spool/state/gateway.lock), the inbound backlog and the
        age of the oldest waiting file, outcomes in the last hour and day, quarantined files, delivered
        messages awaiting the receiver's AppRec (per partner and per receiver, with the oldest's age,
        and the five waiting longest), overdue pathways and the audit log's head.
        Exit status: 0 healthy; 1 unhealthy: the daemon is not running, a file has waited in an
        inbound directory longer than --max-inbound-age (default 300 s), or the state database
        cannot be read; 2 usage error or the configuration could not be loaded.
        Suitable as a Docker HEALTHCHECK. Reads only; creates nothing.
        """

    static func run(_ arguments: [String]) -> ExitCode {
        let args: CommandLineArguments
        do {
            args = try CommandLineArguments(arguments, flags: ["--json"], options: ["--config", "--max-inbound-age"])
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
        var policy = GatewayStatus.HealthPolicy()
        if let text = args["--max-inbound-age"] {
            guard let seconds = Double(text), seconds > 0, seconds.isFinite else {
                return CLI.usageError("--max-inbound-age needs a number of seconds > 0", usage: usage)
            }
            policy.maxInboundAgeSeconds = seconds
        }
        let config: GatewayConfig
        do {
            config = try ConfigLoader.load(ConfigLoader.locate(explicit: args["--config"]))
        } catch {
            return CLI.fail("cannot load configuration: \(error)")
        }
        let report = GatewayStatus.collect(
            config: config, policy: policy,
            overduePathways: { config, now in
                let database = Spool(root: config.spool).database
                guard FileManager.default.fileExists(atPath: database) else { return 0 }
                return try PathwayMonitor.overdueCounts(store: MessageStore(path: database), config: config, now: now)
                    .total
            })
        print(args.has("--json") ? report.json : report.text, terminator: "")
        return report.healthy ? .success : .checkFailed
    }
}
