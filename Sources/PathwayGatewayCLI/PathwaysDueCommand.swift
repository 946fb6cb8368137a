import Foundation
import PathwayGateway

/// `pathway-gateway pathways due`: a coordinator's worklist of open and overdue due events, per
/// kommune (`--kommune K` for one), in Norwegian as text, CSV or HTML (JSON for machines).
enum PathwaysDueCommand {
    /// One line of the JSON output: the item, plus the identity when asked for.
    struct Entry: Encodable {
        var item: DueItem
        var identity: PatientIdentityLookup.Identity?

        enum Key: String, CodingKey { case identity }

        func encode(to encoder: any Encoder) throws {
            try item.encode(to: encoder)
            var container = encoder.container(keyedBy: Key.self)
            try container.encodeIfPresent(identity, forKey: .identity)
        }
    }

    struct Output: Encodable {
        var asOf: CalendarDate
        var kommune: String?
        var overdue: Int
        var open: Int
        var items: [Entry]
    }

    static let formats = ["text", "csv", "html", "json"]

    static func run(_ arguments: [String]) -> ExitCode {
        let args: CommandLineArguments
        switch parse(arguments) {
        case let .success(parsed): args = parsed
        case let .failure(status): return status
        }
        let context: PathwaysCommand.Context
        switch PathwaysCommand.open(args) {
        case let .success(c): context = c
        case let .failure(status): return status
        }
        let identities = args.has("--show-identities")
        let kommune = args["--kommune"].map(context.config.resolvedKommune)
        let items: [DueItem]
        do {
            items = try PathwayMonitor.dueItems(
                store: context.store, config: context.config, on: context.today, kommune: kommune,
                withStart: identities)
        } catch {
            return CLI.fail("reading pathway timelines: \(error)")
        }
        let spool = Spool(root: context.config.spool)
        if identities {
            // Recorded before anything is shown; nothing is shown when it cannot be recorded.
            do {
                try IdentityAccessLog(spool: spool).record(
                    command: "pathways due", kommune: kommune, pseudonyms: items.map(\.patient))
            } catch {
                return CLI.fail("\(error); no identities shown")
            }
        }
        let lookup = identities ? PatientIdentityLookup(spool: spool, store: context.store) : nil
        let lines = items.map { DueWorklist.Line(item: $0, identity: lookup?.identity(for: $0)) }
        show(lines, format: args["--format"] ?? "text", kommune: kommune, context: context)
        return .success
    }

    /// The arguments, checked: a usage error (exit 2) names what is wrong.
    private static func parse(_ arguments: [String]) -> Result<CommandLineArguments, ExitCode> {
        let args: CommandLineArguments
        do {
            args = try CommandLineArguments(
                arguments, flags: ["--show-identities"],
                options: ["--config", "--format", "--as-of", "--kommune"])
        } catch {
            return .failure(CLI.usageError("\(error)", usage: PathwaysCommand.usage))
        }
        if args.has("--help") {
            print(PathwaysCommand.usage)
            return .failure(.success)
        }
        guard args.positionals.isEmpty else {
            return .failure(
                CLI.usageError("unexpected argument '\(args.positionals[0])'", usage: PathwaysCommand.usage))
        }
        guard formats.contains(args["--format"] ?? "text") else {
            return .failure(CLI.usageError("--format must be text, csv, html or json", usage: PathwaysCommand.usage))
        }
        if let kommune = args["--kommune"],
            kommune.count != 4 || !kommune.allSatisfy(\.isASCII) || !kommune.allSatisfy(\.isNumber)
        {
            return .failure(
                CLI.usageError(
                    "--kommune must be a kommunenummer of four digits, found '\(kommune)'", usage: PathwaysCommand.usage
                ))
        }
        return .success(args)
    }

    /// The worklist in the chosen format on standard output.
    private static func show(
        _ lines: [DueWorklist.Line], format: String, kommune: String?, context: PathwaysCommand.Context
    ) {
        let items = lines.map(\.item)
        switch format {
        case "json":
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let output = Output(
                asOf: context.today, kommune: kommune, overdue: items.filter { $0.state == .overdue }.count,
                open: items.filter { $0.state == .open }.count,
                items: lines.map { Entry(item: $0.item, identity: $0.identity) })
            print(String(decoding: (try? encoder.encode(output)) ?? Data(), as: UTF8.self))
        default:
            let worklist = DueWorklist(asOf: context.today, kommune: kommune, lines: lines, config: context.config)
            print(format == "csv" ? worklist.csv : format == "html" ? worklist.html : worklist.text, terminator: "")
        }
    }
}
