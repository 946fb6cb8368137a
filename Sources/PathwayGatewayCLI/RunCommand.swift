import PathwayGateway

/// `pathway-gateway run [--config FILE] [--once] [--log-format logfmt|json] [--log-level LEVEL]`:
/// the arguments, then the daemon's life (`GatewayService`).
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
            args = try CommandLineArguments(
                arguments, flags: ["--once"], options: ["--config", "--log-format", "--log-level"])
        } catch {
            return CLI.usageError("\(error)", usage: usage)
        }
        if args.has("--help") {
            print(usage)
            return .success
        }
        var overrides = LogOverrides()
        if let text = args["--log-format"] {
            guard let format = GatewayLogger.Format(rawValue: text) else {
                return CLI.usageError("--log-format must be logfmt or json", usage: usage)
            }
            overrides.format = format
        }
        if let text = args["--log-level"] {
            guard let level = GatewayLogger.Level(rawValue: text) else {
                return CLI.usageError("--log-level must be debug, info, warn or error", usage: usage)
            }
            overrides.level = level
        }
        // Signals are watched from the start, so one that arrives while starting up is not lost.
        let token = StopToken()
        let signals = SignalWatcher(token: token, reloadOnHangUp: !args.has("--once"))
        defer { withExtendedLifetime(signals) {} }
        let service = GatewayService(
            source: ConfigLoader.locate(explicit: args["--config"]), token: token,
            makeLogger: overrides.logger)
        switch service.run(once: args.has("--once")) {
        case .finished: return .success
        case .leftWaiting: return .checkFailed
        case .couldNotRun: return .cannotRun
        }
    }
}
