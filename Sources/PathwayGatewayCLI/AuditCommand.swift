import Foundation
import PathwayGateway

/// `pathway-gateway audit verify|tail|show|find`: the operator's and auditor's view of the audit
/// log. Parsing and printing only; the work is in the library (`AuditVerifier`, `AuditReader`,
/// `AuditFollower`, `AuditLineFormatter`).
enum AuditCommand {
    static let usage = """
        usage: pathway-gateway audit verify [--config FILE]
               pathway-gateway audit tail [--follow] [-n N] [--config FILE]
               pathway-gateway audit show MSGID [--config FILE]
               pathway-gateway audit find [--config FILE]   (the fødselsnummer on standard input)

        verify  checks the hash chain across every audit file, each rotated file's seq range, and the
                head checkpoints in the state database (a cut-off tail); prints a one-line summary,
                or the first bad record as FILE:LINE. Exit 0 intact, 1 broken, 2 could not run.
        tail    the last N records (default 10), one line each; --follow keeps printing new ones,
                across rotations, until interrupted. Times are Europe/Oslo local time with the UTC
                offset; colour only on a terminal (and not when NO_COLOR is set).
        show    a message's whole story: every record with that MsgId or refMsgId, and the records
                of its routed copies (including the municipality's AppRec), in order. Exit 1 if none.
        find    the records of one patient, found by computing the keyed pseudonym of the identity
                number read from standard input (asked for without echo on a terminal; never an
                argument, which ps, shell history and auditd would keep) with the gateway's key;
                the number itself is not printed. This is an access to personal data:
                note who asked and why. Exit 1 if none.

        The configuration is found as for `run` (--config, $PATHWAY_GATEWAY_CONFIG,
        ./pathway-gateway.json, the embedded default); the log is <spool>/audit/.
        """

    static func run(_ arguments: [String]) -> ExitCode {
        if arguments.contains("--help") || arguments.contains("-h") {
            print(usage)
            return .success
        }
        guard let sub = arguments.first, !sub.hasPrefix("-") else {
            return CLI.usageError("audit needs a subcommand: verify, tail, show or find", usage: usage)
        }
        let rest = Array(arguments.dropFirst())
        switch sub {
        case "verify": return parse(rest, flags: [], options: []).map(verify) ?? .cannotRun
        case "tail": return parse(rest, flags: ["--follow"], options: ["-n"]).map(AuditTailCommand.run) ?? .cannotRun
        case "show": return parse(rest, flags: [], options: []).map(AuditQueryCommand.show) ?? .cannotRun
        case "find": return parse(rest, flags: [], options: ["--patient"]).map(AuditQueryCommand.find) ?? .cannotRun
        default: return CLI.usageError("unknown audit subcommand '\(sub)'", usage: usage)
        }
    }

    /// The parsed arguments and the spool they point at.
    struct Context {
        var args: CommandLineArguments
        var spool: Spool
        var directory: AuditDirectory { AuditDirectory(current: spool.auditLog) }
    }

    /// Parses the arguments and loads the configuration; nil (after printing why) when the command
    /// cannot run.
    private static func parse(_ arguments: [String], flags: Set<String>, options: Set<String>) -> Context? {
        let args: CommandLineArguments
        do { args = try CommandLineArguments(arguments, flags: flags, options: options.union(["--config"])) } catch {
            _ = CLI.usageError("\(error)", usage: usage)
            return nil
        }
        let source = ConfigLoader.locate(explicit: args["--config"])
        do {
            let config = try ConfigLoader.load(source)
            let spool = Spool(root: config.spool)
            guard FileManager.default.fileExists(atPath: AuditDirectory(current: spool.auditLog).path) else {
                _ = CLI.fail("no audit log in \(spool.root) (config \(source)): has the gateway run there?")
                return nil
            }
            return Context(args: args, spool: spool)
        } catch {
            _ = CLI.fail("config \(source): \(error)")
            return nil
        }
    }

    private static func verify(_ context: Context) -> ExitCode {
        guard context.args.positionals.isEmpty else {
            return CLI.usageError("unexpected argument '\(context.args.positionals[0])'", usage: usage)
        }
        do {
            let checkpoints = try AuditCheckpoints.existing(at: context.spool.database)
            let report = try AuditVerifier.verify(context.directory, checkpoints: checkpoints)
            for note in report.notes { CLI.printError("note: \(note)") }
            if (report.checkpointsKnown ?? 0) == 0 {
                CLI.printError(
                    "warning: no audit checkpoints in \(context.spool.database): a cut-off tail cannot be detected")
            }
            let summary =
                "\(report.files) file(s), \(report.records) record(s), head seq \(report.headSeq) hash \(report.headHash), "
                + "\(report.checkpointsChecked) checkpoint(s) matched"
            if let problem = report.problem {
                print(problem.description.replacingNewlines())
                print("BROKEN: verified \(summary) before the problem above")
                return .checkFailed
            }
            print("ok: \(summary)")
            return .success
        } catch {
            return CLI.fail("cannot verify \(context.directory.path): \(error)")
        }
    }
}
