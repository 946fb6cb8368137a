import Foundation
import PathwayGateway

/// `pathway-gateway state rebuild`: the state database rebuilt from the audit log and the archive
/// after it was lost, emptied or restored from an older backup (`StateRebuild`, spec §8).
enum StateCommand {
    static let usage = """
        usage: pathway-gateway state rebuild [--config FILE] [--new-key]

        Rebuilds spool/state/gateway.sqlite from the audit log (every rotated file) and the archived
        and quarantined originals, after the database was lost, emptied or restored from a backup
        older than the audit log (`run` refuses to start then). Rebuilt: every message the log names
        (done), the keys that recognise a resend (it gets the same AppRec, and a routed message is
        never routed twice), the AppRecs' exact bytes (from outbound/ while not fetched, else
        re-encoded from the archived original), routed messages awaiting the receiver's AppRec, and
        pathway timeline events. The old database is renamed to gateway.sqlite.before-rebuild-<time>,
        never deleted. Prints what it rebuilt and what it could not (counts and reasons).
        The daemon must be stopped (the command takes the spool lock). The pseudonym key must be
        the one the log was written with; --new-key makes a new one when it is lost for good
        (patients then get new pseudonyms). See docs/operations.md, "When state is lost".
        Exit status: 0 all rebuilt, 1 rebuilt with gaps (listed as NOT REBUILT), 2 usage error or
        it could not run (nothing changed).
        """

    static func run(_ arguments: [String]) -> ExitCode {
        if arguments.contains("--help") || arguments.contains("-h") {
            print(usage)
            return .success
        }
        guard arguments.first == "rebuild" else {
            return CLI.usageError("state needs a subcommand: rebuild", usage: usage)
        }
        let args: CommandLineArguments
        do {
            args = try CommandLineArguments(Array(arguments.dropFirst()), flags: ["--new-key"], options: ["--config"])
        } catch {
            return CLI.usageError("\(error)", usage: usage)
        }
        guard args.positionals.isEmpty else { return CLI.usageError("state rebuild takes no arguments", usage: usage) }
        let config: GatewayConfig
        let schemas: SchemaSet
        let lock: SpoolLock
        do {
            config = try ConfigLoader.load(ConfigLoader.locate(explicit: args["--config"]))
            schemas = try SchemaLocator.load(explicit: config.schemas)
            let spool = Spool(root: config.spool)
            let audit = AuditDirectory(current: spool.auditLog)
            guard !audit.isEmpty else {
                return CLI.fail("cannot rebuild: no audit log in \(audit.path) (a fresh install needs no rebuild)")
            }
            try DurableFile.ensureDirectory("\(spool.root)/state")  // removed with everything in it, perhaps
            lock = try SpoolLock.acquire(spool.lockFile, patience: 0.5)
        } catch {
            return CLI.fail("cannot rebuild: \(error)")
        }
        defer { withExtendedLifetime(lock) {} }
        do {
            let report = try StateRebuild.run(config: config, schemas: schemas, newKey: args.has("--new-key"))
            for line in report.lines { print(line) }
            return report.complete ? .success : .checkFailed
        } catch {
            return CLI.fail("cannot rebuild: \(error)")
        }
    }
}
