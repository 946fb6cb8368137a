import PathwayGateway

#if canImport(Glibc)
    import Glibc
#endif

let usage = """
    usage: pathway-gateway COMMAND [options]

    commands:
      run [--config FILE] [--once]                          the gateway daemon; --once drains the inbound dirs and exits
      validate [--json] [--policy strict|lenient] FILE...   check files as the daemon would
      check-config [--config FILE]                          load and check a config; list every problem
      status [--config FILE] [--json]                       is it running, backlog, outcomes, AppRecs awaited; exit 1 if unhealthy
      replay [--config FILE] ID...                          run rejected messages again after a fix; never routes twice
      demo [--dir DIR]                                      a newcomer's tour on a fresh spool with the sample messages
      audit verify|tail|show|find [--config FILE]           check the audit log's chain; read it (audit --help)
      state rebuild [--config FILE]                         rebuild a lost or outdated state database from the audit log
      pathways due|report [--config FILE] [--format ...]    patients due/overdue per kommune; monitoring report
      help [COMMAND]                                        this text, or a command's options
      --version, -V, version                                the version

    Run `pathway-gateway COMMAND --help` for a command's options.
    """

var arguments = Array(CommandLine.arguments.dropFirst())
let command = arguments.isEmpty ? "help" : arguments.removeFirst()

let status: ExitCode =
    switch command {
    case "validate": ValidateCommand.run(arguments)
    case "run": RunCommand.run(arguments)
    case "check-config": CheckConfigCommand.run(arguments)
    case "status": StatusCommand.run(arguments)
    case "demo": DemoCommand.run(arguments)
    case "replay": ReplayCommand.run(arguments)
    case "audit": AuditCommand.run(arguments)
    case "state": StateCommand.run(arguments)
    case "pathways": PathwaysCommand.run(arguments)
    case "--version", "-V", "version":
        {
            print(BuildInfo.versionLine)
            return ExitCode.success
        }()
    case "help", "--help", "-h": HelpCommand.run(arguments, topLevel: usage)
    default: CLI.usageError("unknown command '\(command)'", usage: usage)
    }
exit(status.rawValue)
