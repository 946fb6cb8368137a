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
      pathways due|report [--config FILE] [--format ...]    patients due/overdue per kommune; monitoring report
      help                                                  this text

    Run `pathway-gateway COMMAND --help` for a command's options.
    """

var arguments = Array(CommandLine.arguments.dropFirst())
let command = arguments.isEmpty ? "help" : arguments.removeFirst()

let status: ExitCode = switch command {
case "validate": ValidateCommand.run(arguments)
case "run": RunCommand.run(arguments)
case "check-config": CheckConfigCommand.run(arguments)
case "status": StatusCommand.run(arguments)
case "demo": DemoCommand.run(arguments)
case "replay": ReplayCommand.run(arguments)
case "audit": AuditCommand.run(arguments)
case "pathways": PathwaysCommand.run(arguments)
case "help", "--help", "-h": { print(usage); return .success }()
default: CLI.usageError("unknown command '\(command)'", usage: usage)
}
exit(status.rawValue)
