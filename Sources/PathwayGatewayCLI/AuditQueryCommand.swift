import Foundation
import PathwayGateway

#if canImport(Glibc)
    import Glibc
#endif

/// `audit show MSGID` and `audit find` (the number on standard input): records printed with their detail lines.
enum AuditQueryCommand {
    static func show(_ context: AuditCommand.Context) -> ExitCode {
        guard context.args.positionals.count == 1, let msgId = context.args.positionals.first, !msgId.isEmpty else {
            return CLI.usageError("audit show needs exactly one MSGID", usage: AuditCommand.usage)
        }
        return list({ try $0.story(of: msgId) }, context, none: "no audit records for MsgId \(msgId)")
    }

    static func find(_ context: AuditCommand.Context) -> ExitCode {
        guard context.args.positionals.isEmpty else {
            return CLI.usageError("unexpected argument '\(context.args.positionals[0])'", usage: AuditCommand.usage)
        }
        guard context.args["--patient"] == nil else {
            return CLI.usageError(
                "audit find reads the identity number from standard input, not from --patient "
                    + "(a command line is visible in ps, shell history and auditd)", usage: AuditCommand.usage)
        }
        guard let given = SecretInput.readLine(prompt: "fødselsnummer: ") else {
            return CLI.usageError("audit find needs the identity number on standard input", usage: AuditCommand.usage)
        }
        let number = given.filter { !$0.isWhitespace }
        guard number.count == 11, number.allSatisfy({ ("0"..."9").contains($0) }) else {
            return CLI.usageError(
                "--patient needs an 11-digit identity number (fødselsnummer, D- or H-nummer)", usage: AuditCommand.usage
            )
        }
        CLI.printError(
            "warning: looking up a patient's records is an access to personal data; record who asked, when and why")
        let pseudonym: String
        do { pseudonym = try Pseudonymizer.load(keyAt: context.spool.pseudonymKey).pseudonym(for: number) } catch {
            return CLI.fail("cannot compute the pseudonym: \(error)")
        }
        print("patient \(pseudonym)")
        return list(
            { try $0.records(ofPatient: pseudonym) }, context, none: "no audit records for patient \(pseudonym)")
    }

    private static func list(
        _ query: (AuditReader) throws -> [AuditRecord], _ context: AuditCommand.Context, none: String
    ) -> ExitCode {
        let formatter = AuditLineFormatter(
            colour: AuditLineFormatter.colourWanted(
                isTerminal: isatty(1) == 1,
                environment: ProcessInfo.processInfo.environment))
        do {
            let records = try query(AuditReader(directory: context.directory))
            guard !records.isEmpty else {
                CLI.printError(none)
                return .checkFailed
            }
            for record in records { print(formatter.detailed(record)) }
            return .success
        } catch {
            return CLI.fail("cannot read \(context.directory.path): \(error)")
        }
    }
}
