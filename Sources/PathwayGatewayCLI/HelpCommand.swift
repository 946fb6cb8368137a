/// `pathway-gateway help [COMMAND]`: the top-level usage, or with a command name that command's own
/// `--help` (as git and cargo do), so `help run` answers what `run --help` answers.
enum HelpCommand {
    /// Commands that print their own usage for `--help`.
    static let commands: [String: @Sendable ([String]) -> ExitCode] = [
        "run": RunCommand.run, "validate": ValidateCommand.run, "check-config": CheckConfigCommand.run,
        "status": StatusCommand.run, "demo": DemoCommand.run, "replay": ReplayCommand.run,
        "audit": AuditCommand.run, "state": StateCommand.run, "pathways": PathwaysCommand.run,
    ]

    static func run(_ arguments: [String], topLevel usage: String) -> ExitCode {
        guard let name = arguments.first else {
            print(usage)
            return .success
        }
        guard arguments.count == 1, let command = commands[name] else {
            return CLI.usageError("help: unknown command '\(arguments.joined(separator: " "))'", usage: usage)
        }
        return command(["--help"])
    }
}
