import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The daemon's life (`pathway-gateway run`), in the spirit of swift-service-lifecycle: start
/// (configuration, the spool lock, schemas, the start-up checks, recovery), run until a stop,
/// reload on request, finish the work in hand and shut down. Requests come through one
/// `StopToken` (SIGTERM/SIGINT stop, SIGHUP reloads: `SignalWatcher`); the batch work stays on
/// threads, because fsync, SQLite and libxml2 block.
public final class GatewayService {
    /// How the run ended, for the exit status.
    public enum Ending: Sendable, Equatable {
        /// Stopped on request, or (`--once`) everything drained.
        case finished
        /// `--once` left files waiting or messages held back (each logged).
        case leftWaiting
        /// It could not start or could not go on (logged).
        case couldNotRun
    }

    /// The logger for a configuration's log settings (command-line flags may override them).
    public typealias LoggerFactory = (OperationsSettings.Log) -> GatewayLogger

    let source: ConfigSource
    let token: StopToken
    let makeLogger: LoggerFactory
    var logger: GatewayLogger
    /// Kept for the process's life and across reloads (counters must not reset on SIGHUP).
    let metrics = GatewayMetrics()

    /// The running generation: one per configuration (a reload starts the next).
    struct Running {
        var config: GatewayConfig
        var daemon: GatewayDaemon
        var operations: OperationsService
    }

    public init(source: ConfigSource, token: StopToken, makeLogger: @escaping LoggerFactory) {
        self.source = source
        self.token = token
        self.makeLogger = makeLogger
        logger = makeLogger(.init())
    }

    /// Starts, then runs until a stop (or, `once`, until the inboxes are drained).
    public func run(once: Bool) -> Ending {
        guard let config = loadConfig("cannot start") else { return .couldNotRun }
        logger = makeLogger(config.operations.log)
        let lock: SpoolLock
        var running: Running
        do {
            try DurableFile.ensureDirectory("\(config.spool)/state")
            lock = try SpoolLock.acquire(Spool(root: config.spool).lockFile)
            running = try launch(config, previous: nil)
        } catch {
            logger.error("cannot start", ["error": "\(error)"])
            return .couldNotRun
        }
        defer { withExtendedLifetime(lock) {} }
        do {
            let ending = once ? try drainOnce(running) : try serve(&running)
            running.operations.stop()
            try running.daemon.close()
            if !once { logger.info("stopped on signal; in-flight work finished") }
            return ending
        } catch {
            running.operations.stop()
            try? running.daemon.close()
            logger.error("stopped", ["error": "\(error)"])
            return .couldNotRun
        }
    }

    /// Loads the schemas, opens the spool (its checks run here) and starts the metrics timer.
    /// `previous`: the operations being replaced on a reload (no second "starting" line).
    private func launch(_ config: GatewayConfig, previous: OperationsService?) throws -> Running {
        let daemon = try GatewayDaemon(
            config: config, schemas: try SchemaLocator.load(explicit: config.schemas), metrics: metrics)
        if previous == nil {
            logger.info(
                "starting",
                [
                    "version": "\(BuildInfo.version)", "config": "\(source)", "spool": "\(config.spool)",
                    "partners": .int(config.partners.count), "workers": .int(config.workers),
                    "pid": .int(Int(getpid())),
                ])
        }
        if let warning = daemon.auditIntegrityWarning { logger.warn("audit log integrity", ["error": "\(warning)"]) }
        if let warning = daemon.layoutWarning {
            logger.warn("spool out of the partners' reach", ["error": "\(warning)"])
        }
        let operations = OperationsService(config: config, metrics: metrics, logger: logger, continuing: previous)
        operations.start()
        return Running(config: config, daemon: daemon, operations: operations)
    }

    /// `--once`: recovery must succeed, then every inbox is drained.
    private func drainOnce(_ running: Running) throws -> Ending {
        try recoverOrThrow(running.daemon)
        // Reminders before the drain, and once more after it (an SP1 just drained may have a
        // window open already): what they write is drained in the same run.
        let onIdentityAccess: (any Error) -> Void = { [logger] in Self.logIdentityAccess($0, logger) }
        logReminders(Result { try running.daemon.remind() })
        var count = try running.daemon.drain(stop: token, onIntake: logIntake, onIdentityAccess: onIdentityAccess)
        if case let .success(outcome?) = logReminders(Result { try running.daemon.remind() }), outcome.written > 0 {
            count += try running.daemon.drain(stop: token, onIntake: logIntake, onIdentityAccess: onIdentityAccess)
        }
        logger.info("drained", ["files": .int(count)])
        running.operations.maintainIfDue()
        return try leftWaiting(running.daemon) ? .leftWaiting : .finished
    }

    /// Serves until a stop; a reload request swaps in the next configuration (or keeps this one).
    /// A fault that stops recovery at start (disk full, an unwritable directory) is ridden out like
    /// one in a running daemon: logged, then retried with backoff — not an exit that turns a
    /// reboot during an outage into a restart loop.
    private func serve(_ running: inout Running) throws -> Ending {
        var recoveryPending = !recover(running.daemon)
        SystemdNotifier.shared.ready()
        while true {
            try running.daemon.serve(stop: token, recoverFirst: recoveryPending, events: events(running.operations))
            recoveryPending = false
            if token.request == .stop { break }
            if let next = reload(running) {
                running = next
                recoveryPending = !recover(running.daemon)
                logger.info("configuration reloaded")
            }
            token.reloadDone()
        }
        SystemdNotifier.shared.stopping()
        return .finished
    }

    /// The next generation for a reloaded configuration; nil (logged) when it is refused and the
    /// running one kept: a bad file, another spool, a group the gateway cannot use.
    private func reload(_ running: Running) -> Running? {
        guard let reloaded = loadConfig("reload refused, running configuration kept") else { return nil }
        guard reloaded.spool == running.config.spool else {
            logger.warn(
                "reload refused, running configuration kept",
                ["error": "the spool cannot change on reload (restart to move it)", "spool": "\(reloaded.spool)"])
            return nil
        }
        let previousLogger = logger
        logger = makeLogger(reloaded.operations.log)
        do {
            let next = try launch(reloaded, previous: running.operations)
            running.operations.stop()
            try? running.daemon.close()
            return next
        } catch {
            logger = previousLogger
            logger.warn("reload refused, running configuration kept", ["error": "\(error)"])
            return nil
        }
    }

    /// What the serving loop reports, as log lines; maintenance when idle; the systemd watchdog.
    private func events(_ operations: OperationsService) -> GatewayDaemon.ServeEvents {
        var events = GatewayDaemon.ServeEvents()
        let log = logger
        events.idle = { operations.maintainIfDue() }
        events.failed = { log.error("batch failed; finishing it and retrying with backoff", ["error": "\($0)"]) }
        events.intake = logIntake
        events.recovered = { log.info("recovered: files go through again", ["failed_attempts": .int($0)]) }
        events.identityAccess = { Self.logIdentityAccess($0, log) }
        events.heartbeat = { SystemdNotifier.shared.watchdogIfDue() }
        events.reminded = { [self] in logReminders($0.map { $0 }) }
        events.heartbeatMilliseconds = SystemdNotifier.shared.heartbeatMilliseconds
        return events
    }
}
