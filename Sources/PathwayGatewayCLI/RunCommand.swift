import Dispatch
import Foundation
import PathwayGateway
import Synchronization

/// Set by SIGTERM/SIGINT: finish the file in hand, claim no more, exit 0.
let stopRequested = Atomic<Bool>(false)
/// Set by SIGHUP: finish the file in hand, reload the configuration, go on.
let reloadRequested = Atomic<Bool>(false)

/// `pathway-gateway run [--config FILE] [--once] [--log-format logfmt|json] [--log-level LEVEL]`.
enum RunCommand {
    static let usage = """
        usage: pathway-gateway run [--config FILE] [--once] [--log-format logfmt|json] [--log-level debug|info|warn|error]

        Runs the gateway on the configured spool: finishes work a crash left, then takes every *.xml
        dropped into spool/inbound/<partner>/. --once drains the inbound directories and exits: 0 all
        drained, 1 files left waiting (an inbox or file the gateway may not read, a claim that fails,
        messages held back by an unwritable outbound; each is logged), 2 could not run.
        Refuses to start (exit 2) while another gateway holds the spool lock (spool/state/), or when the
        state database, the pseudonym key and the audit log do not belong together (one line names the
        fix: restore them from one backup, or `pathway-gateway state rebuild`).
        SIGTERM/SIGINT: finish the file in hand and exit 0. SIGHUP: reload the configuration (a bad
        one, or one naming another spool, is refused and the running one kept).
        Logs one line per event on stderr (logfmt unless --log-format or the config's log.format
        says json); writes metrics to <spool>/metrics/pathway_gateway.prom (docs/operations.md).
        """

    /// The flags' log settings win over the config's.
    struct LogOverrides {
        var format: GatewayLogger.Format?
        var level: GatewayLogger.Level?
        func logger(_ settings: OperationsSettings.Log = .init()) -> GatewayLogger {
            GatewayLogger(format: format ?? settings.format, level: level ?? settings.level)
        }
    }

    static func run(_ arguments: [String]) -> ExitCode {
        let args: CommandLineArguments
        do {
            args = try CommandLineArguments(arguments, flags: ["--once"], options: ["--config", "--log-format", "--log-level"])
        } catch {
            return CLI.usageError("\(error)", usage: usage)
        }
        if args.has("--help") { print(usage); return .success }
        var overrides = LogOverrides()
        if let text = args["--log-format"] {
            guard let format = GatewayLogger.Format(rawValue: text) else { return CLI.usageError("--log-format must be logfmt or json", usage: usage) }
            overrides.format = format
        }
        if let text = args["--log-level"] {
            guard let level = GatewayLogger.Level(rawValue: text) else {
                return CLI.usageError("--log-level must be debug, info, warn or error", usage: usage)
            }
            overrides.level = level
        }
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
        var logger = overrides.logger()
        let config: GatewayConfig
        do {
            config = try ConfigLoader.load(source)
        } catch {
            logConfigError(error, logger: logger, "cannot start")
            return .cannotRun
        }
        logger = overrides.logger(config.operations.log)
        let lock: SpoolLock
        do {
            try DurableFile.ensureDirectory("\(config.spool)/state")
            lock = try SpoolLock.acquire(Spool(root: config.spool).lockFile)
        } catch {
            logger.error("cannot start", ["error": "\(error)"])
            return .cannotRun
        }
        // Kept for the process's life and across reloads (counters must not reset on SIGHUP).
        let metrics = GatewayMetrics()
        var running: (daemon: GatewayDaemon, operations: OperationsService)
        do {
            running = try start(config, source: source, metrics: metrics, logger: logger)
        } catch {
            logger.error("cannot start", ["error": "\(error)"])
            return .cannotRun
        }
        defer { withExtendedLifetime(lock) {} }
        do {
            // A fault that stops recovery at start (disk full, an unwritable directory) is ridden
            // out like one in a running daemon: logged, then retried by `serve` with backoff —
            // not an exit that turns a reboot during an outage into a restart loop.
            var recoveryPending = !args.has("--once") && !recover(running.daemon, logger: logger)
            if args.has("--once") {
                try recoverOrThrow(running.daemon, logger: logger)
                let count = try running.daemon.drain(shouldStop: { stopRequested.load(ordering: .sequentiallyConsistent) },
                                                     onIntake: { logIntake($0, logger: logger) })
                logger.info("drained", ["files": .int(count)])
                running.operations.maintainIfDue()
                running.operations.stop()
                let waiting = try leftWaiting(running.daemon, logger: logger)
                try running.daemon.close()
                return waiting ? .checkFailed : .success
            }
            SystemdNotifier.shared.ready()
            let pause: @Sendable () -> Bool = {
                SystemdNotifier.shared.watchdogIfDue()
                return stopRequested.load(ordering: .sequentiallyConsistent) || reloadRequested.load(ordering: .sequentiallyConsistent)
            }
            while true {
                let operations = running.operations
                let log = logger
                try running.daemon.serve(shouldStop: pause, recoverFirst: recoveryPending, whenIdle: { operations.maintainIfDue() },
                                         onError: { failure in log.error("batch failed; finishing it and retrying with backoff", ["error": "\(failure)"]) },
                                         onIntake: { logIntake($0, logger: log) },
                                         onRecovered: { failures in log.info("recovered: files go through again", ["failed_attempts": .int(failures)]) })
                recoveryPending = false
                if stopRequested.load(ordering: .sequentiallyConsistent) { SystemdNotifier.shared.stopping(); break }
                reloadRequested.store(false, ordering: .sequentiallyConsistent)
                do {
                    let reloaded = try ConfigLoader.load(source)
                    guard reloaded.spool == config.spool else {
                        logger.warn("reload refused, running configuration kept",
                                    ["error": "the spool cannot change on reload (restart to move it)", "spool": "\(reloaded.spool)"])
                        continue
                    }
                    let newLogger = overrides.logger(reloaded.operations.log)
                    let next = try start(reloaded, source: source, metrics: metrics, logger: newLogger, previous: running.operations)
                    running.operations.stop()
                    try? running.daemon.close()
                    running = next
                    logger = newLogger
                    recoveryPending = !recover(running.daemon, logger: logger)
                    logger.info("configuration reloaded")
                } catch {
                    logConfigError(error, logger: logger, "reload refused, running configuration kept")
                }
            }
            running.operations.stop()
            try running.daemon.close()
            logger.info("stopped on signal; in-flight work finished")
            return .success
        } catch {
            running.operations.stop()
            try? running.daemon.close()
            logger.error("stopped", ["error": "\(error)"])
            return .cannotRun
        }
    }

    /// Loads the schemas, opens the spool and starts the metrics timer (recovery is the caller's).
    /// `previous`: the operations being replaced on a reload (no second "starting" line).
    private static func start(_ config: GatewayConfig, source: ConfigSource, metrics: GatewayMetrics, logger: GatewayLogger,
                              previous: OperationsService? = nil) throws -> (daemon: GatewayDaemon, operations: OperationsService) {
        let daemon = try GatewayDaemon(config: config, schemas: try SchemaLocator.load(explicit: config.schemas), metrics: metrics)
        if previous == nil {
            logger.info("starting", ["version": "\(BuildInfo.version)", "config": "\(source)", "spool": "\(config.spool)",
                                     "partners": .int(config.partners.count), "workers": .int(config.workers), "pid": .int(Int(getpid()))])
        }
        if let warning = daemon.auditIntegrityWarning { logger.warn("audit log integrity", ["error": "\(warning)"]) }
        if let warning = daemon.layoutWarning { logger.warn("spool out of the partners' reach", ["error": "\(warning)"]) }
        let operations = OperationsService(config: config, metrics: metrics, logger: logger, continuing: previous)
        operations.start()
        return (daemon, operations)
    }

    /// Finishes interrupted work; false (logged) when a fault stopped it.
    private static func recover(_ daemon: GatewayDaemon, logger: GatewayLogger) -> Bool {
        do {
            try recoverOrThrow(daemon, logger: logger)
            return true
        } catch {
            logger.error("recovery failed; retrying with backoff", ["error": "\(error)"])
            return false
        }
    }

    private static func recoverOrThrow(_ daemon: GatewayDaemon, logger: GatewayLogger) throws {
        let recovered = try daemon.recover()
        if recovered > 0 { logger.info("recovered interrupted messages", ["messages": .int(recovered)]) }
    }

    /// A config with problems is logged one problem per line, so each names its place in the file.
    private static func logConfigError(_ error: any Error, logger: GatewayLogger, _ message: String) {
        guard let configError = error as? ConfigError, case let .invalid(file, problems) = configError else {
            logger.error(message, ["error": "\(error)"])
            return
        }
        for problem in problems {
            logger.error(message, ["file": "\(file)", "line": problem.line.map { .int($0) } ?? "", "path": "\(problem.path)",
                                   "problem": "\(problem.message)"])
        }
    }
}
