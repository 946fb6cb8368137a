import Dispatch
import Foundation
import PathwayGateway
import Synchronization

/// Set by SIGTERM/SIGINT: finish the file in hand, claim no more, exit 0.
let stopRequested = Atomic<Bool>(false)

/// `pathway-gateway run [--config FILE] [--once]`.
enum RunCommand {
    static let usage = """
        usage: pathway-gateway run [--config FILE] [--once]

        Runs the gateway on the configured spool: finishes work a crash left, then takes every *.xml
        dropped into spool/inbound/<partner>/. --once drains the inbound directories and exits 0.
        """

    static func run(_ arguments: [String]) -> Int32 {
        let args: CommandLineArguments
        do { args = try CommandLineArguments(arguments, flags: ["--once"], options: ["--config"]) } catch {
            return CLI.usageError("\(error)", usage: usage)
        }
        if args.has("--help") { print(usage); return 0 }
        let daemon: GatewayDaemon
        do {
            let source = ConfigLoader.locate(explicit: args["--config"])
            let config = try ConfigLoader.load(source)
            daemon = try GatewayDaemon(config: config, schemas: try SchemaLocator.load(explicit: config.schemas))
            CLI.log("starting: config \(source), spool \(config.spool), \(config.partners.count) partners")
            let recovered = try daemon.recover()
            if recovered > 0 { CLI.log("recovered \(recovered) interrupted message(s)") }
        } catch {
            return CLI.fail("cannot start: \(error)")
        }
        do {
            if args.has("--once") {
                let count = try daemon.drain()
                CLI.log("drained \(count) file(s)")
                return 0
            }
            let sources = [SIGTERM, SIGINT].map { signalNumber in
                signal(signalNumber, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
                source.setEventHandler { stopRequested.store(true, ordering: .sequentiallyConsistent) }
                source.resume()
                return source
            }
            defer { sources.forEach { $0.cancel() } }
            let shouldStop: @Sendable () -> Bool = { stopRequested.load(ordering: .sequentiallyConsistent) }
            try daemon.serve(shouldStop: shouldStop)
            CLI.log("stopped on signal; in-flight work finished")
            return 0
        } catch {
            return CLI.fail("stopped: \(error)")
        }
    }
}
