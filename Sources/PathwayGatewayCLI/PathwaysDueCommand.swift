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
        do {
            args = try CommandLineArguments(arguments, flags: ["--show-identities"],
                                            options: ["--config", "--format", "--as-of", "--kommune"])
        } catch {
            return CLI.usageError("\(error)", usage: PathwaysCommand.usage)
        }
        if args.has("--help") { print(PathwaysCommand.usage); return .success }
        guard args.positionals.isEmpty else { return CLI.usageError("unexpected argument '\(args.positionals[0])'", usage: PathwaysCommand.usage) }
        let format = args["--format"] ?? "text"
        guard formats.contains(format) else { return CLI.usageError("--format must be text, csv, html or json", usage: PathwaysCommand.usage) }
        if let kommune = args["--kommune"], kommune.count != 4 || !kommune.allSatisfy(\.isASCII) || !kommune.allSatisfy(\.isNumber) {
            return CLI.usageError("--kommune must be a kommunenummer of four digits, found '\(kommune)'", usage: PathwaysCommand.usage)
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
            items = try PathwayMonitor.dueItems(store: context.store, config: context.config, on: context.today, kommune: kommune,
                                                withStart: identities)
        } catch {
            return CLI.fail("reading pathway timelines: \(error)")
        }
        let spool = Spool(root: context.config.spool)
        if identities {
            // Recorded before anything is shown; nothing is shown when it cannot be recorded.
            do {
                try IdentityAccessLog(spool: spool).record(command: "pathways due", kommune: kommune, pseudonyms: items.map(\.patient))
            } catch {
                return CLI.fail("\(error); no identities shown")
            }
        }
        let lookup = identities ? PatientIdentityLookup(spool: spool, store: context.store) : nil
        let lines = items.map { DueWorklist.Line(item: $0, identity: lookup?.identity(for: $0)) }
        let worklist = DueWorklist(asOf: context.today, kommune: kommune, lines: lines, config: context.config)
        switch format {
        case "json":
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let output = Output(asOf: context.today, kommune: kommune, overdue: items.filter { $0.state == .overdue }.count,
                                open: items.filter { $0.state == .open }.count,
                                items: lines.map { Entry(item: $0.item, identity: $0.identity) })
            print(String(decoding: (try? encoder.encode(output)) ?? Data(), as: UTF8.self))
        case "csv": print(worklist.csv, terminator: "")
        case "html": print(worklist.html, terminator: "")
        default: print(worklist.text, terminator: "")
        }
        return .success
    }
}
