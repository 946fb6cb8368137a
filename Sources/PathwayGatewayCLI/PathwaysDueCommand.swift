import Foundation
import PathwayGateway

/// `pathway-gateway pathways due`: open and overdue due events per kommune.
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
        var overdue: Int
        var open: Int
        var items: [Entry]
    }

    static func run(_ arguments: [String]) -> ExitCode {
        let args: CommandLineArguments
        do {
            args = try CommandLineArguments(
                arguments, flags: ["--show-identities"], options: ["--config", "--format", "--as-of"])
        } catch {
            return CLI.usageError("\(error)", usage: PathwaysCommand.usage)
        }
        if args.has("--help") {
            print(PathwaysCommand.usage)
            return .success
        }
        guard args.positionals.isEmpty else {
            return CLI.usageError("unexpected argument '\(args.positionals[0])'", usage: PathwaysCommand.usage)
        }
        let format = args["--format"] ?? "text"
        guard format == "text" || format == "json" else {
            return CLI.usageError("--format must be text or json", usage: PathwaysCommand.usage)
        }
        let context: PathwaysCommand.Context
        switch PathwaysCommand.open(args) {
        case let .success(c): context = c
        case let .failure(status): return status
        }
        let identities = args.has("--show-identities")
        let items: [DueItem]
        do {
            items = try PathwayMonitor(store: context.store, config: context.config, knownBy: context.today).dueItems(
                on: context.today, withStart: identities)
        } catch {
            return CLI.fail("reading pathway timelines: \(error)")
        }
        let lookup =
            identities ? PatientIdentityLookup(spool: Spool(root: context.config.spool), store: context.store) : nil
        let entries = items.map { Entry(item: $0, identity: lookup?.identity(for: $0)) }
        if format == "json" {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let output = Output(
                asOf: context.today, overdue: items.filter { $0.state == .overdue }.count,
                open: items.filter { $0.state == .open }.count, items: entries)
            print(String(decoding: (try? encoder.encode(output)) ?? Data(), as: UTF8.self))
        } else {
            printText(entries, context: context)
        }
        return .success
    }

    private static func printText(_ entries: [Entry], context: PathwaysCommand.Context) {
        print("pathways due on \(context.today) (config: \(context.source))")
        var kommune: String?? = .none
        for entry in entries {
            let item = entry.item
            if kommune != .some(item.kommune) {
                kommune = .some(item.kommune)
                let here = entries.filter { $0.item.kommune == item.kommune }
                let name = item.kommune.map { context.config.kommuneName($0, pathway: item.pathway) }
                print(
                    "\nkommune \(item.kommune ?? "unknown")\(name.map { " \($0)" } ?? ""): "
                        + "\(here.filter { $0.item.state == .overdue }.count) overdue, \(here.filter { $0.item.state == .open }.count) open"
                )
            }
            let timing = item.state == .overdue ? "\(item.days) days overdue" : "\(item.days) days left"
            print(
                "  \(item.state == .overdue ? "OVERDUE" : "open   ")  \(item.event)  window \(item.windowOpens)..\(item.windowCloses), \(timing)  "
                    + "patient \(item.patient)  anchor \(item.anchor) (\(item.anchorSource == .diagnosisDate ? "diagnosis date" : "start event date"))"
                    + (item.hospital.map { "  from \($0)" } ?? ""))
            if !item.flags.isEmpty { print("           flags: \(item.flags.map(\.rawValue).joined(separator: ", "))") }
            if let id = entry.identity {
                var line = "           identity: start message \(id.partner) MsgId \(id.msgId ?? "?")"
                if let number = id.fodselsnummer {
                    line += ", fødselsnummer \(number)" + (id.name.map { " (\($0))" } ?? "")
                }
                if let note = id.note { line += "; \(note)" }
                print(line)
            }
        }
        let overdue = entries.filter { $0.item.state == .overdue }.count
        print("\n\(overdue) overdue, \(entries.count - overdue) open")
    }
}
