import Dispatch
import Foundation
import PathwayGateway
import Synchronization

/// Set by SIGTERM/SIGINT: finish the file in hand, claim no more, exit 0.
let stopRequested = Atomic<Bool>(false)
/// Set by SIGHUP: finish the file in hand, reload the configuration, go on.
let reloadRequested = Atomic<Bool>(false)

/// `pathway-gateway run [--config FILE] [--once]`.
enum RunCommand {
    static let usage = """
        usage: pathway-gateway run [--config FILE] [--once]

        Runs the gateway on the configured spool: finishes work a crash left, then takes every *.xml
        dropped into spool/inbound/<partner>/. --once drains the inbound directories and exits 0.
        SIGTERM/SIGINT: finish the file in hand and exit 0. SIGHUP: reload the configuration (a bad
        one is refused and the running one kept).
        """

    static func run(_ arguments: [String]) -> Int32 {
        let args: CommandLineArguments
        do { args = try CommandLineArguments(arguments, flags: ["--once"], options: ["--config"]) } catch {
            return CLI.usageError("\(error)", usage: usage)
        }
        if args.has("--help") { print(usage); return 0 }
        // Signals are caught from the start, so one that arrives while starting up is not lost.
        let sources = [SIGTERM, SIGINT, SIGHUP].map { signalNumber in
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                if signalNumber == SIGHUP {
                    reloadRequested.store(true, ordering: .sequentiallyConsistent)
                } else {
                    stopRequested.store(true, ordering: .sequentiallyConsistent)
                }
            }
            source.resume()
            return source
        }
        defer { sources.forEach { $0.cancel() } }
        let source = ConfigLoader.locate(explicit: args["--config"])
        var daemon: GatewayDaemon
        do {
            daemon = try start(source)
        } catch {
            return CLI.fail("cannot start: \(error)")
        }
        do {
            if args.has("--once") {
                let count = try daemon.drain(shouldStop: { stopRequested.load(ordering: .sequentiallyConsistent) })
                CLI.log("drained \(count) file(s)")
                return 0
            }
            let pause: @Sendable () -> Bool = {
                stopRequested.load(ordering: .sequentiallyConsistent) || reloadRequested.load(ordering: .sequentiallyConsistent)
            }
            while true {
                try daemon.serve(shouldStop: pause)
                if stopRequested.load(ordering: .sequentiallyConsistent) { break }
                reloadRequested.store(false, ordering: .sequentiallyConsistent)
                do {
                    daemon = try start(source)
                    CLI.log("configuration reloaded")
                } catch {
                    CLI.log("reload refused, running configuration kept: \(error)")
                }
            }
            CLI.log("stopped on signal; in-flight work finished")
            return 0
        } catch {
            return CLI.fail("stopped: \(error)")
        }
    }

    /// Loads the configuration and schemas, opens the spool and finishes interrupted work.
    private static func start(_ source: ConfigSource) throws -> GatewayDaemon {
        let config = try ConfigLoader.load(source)
        let daemon = try GatewayDaemon(config: config, schemas: try SchemaLocator.load(explicit: config.schemas))
        CLI.log("starting: config \(source), spool \(config.spool), \(config.partners.count) partners, \(config.workers) workers")
        let recovered = try daemon.recover()
        if recovered > 0 { CLI.log("recovered \(recovered) interrupted message(s)") }
        return daemon
    }
}
