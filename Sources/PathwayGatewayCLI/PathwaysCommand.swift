import Foundation
import PathwayGateway

/// `pathway-gateway pathways due|report`: the patient pathways the gateway has seen, from the
/// state database (read only). The work is in the library (`PathwayMonitor`,
/// `PathwayReportBuilder`); this only parses options and prints.
enum PathwaysCommand {
    static let usage = """
        usage: pathway-gateway pathways due [--kommune NNNN] [--format text|csv|html|json] [--show-identities] [--config FILE] [--as-of YYYY-MM-DD]
               pathway-gateway pathways report [--format html|csv|json] [--out FILE] [--config FILE] [--as-of YYYY-MM-DD]

        due     a coordinator's worklist in Norwegian: per kommune (--kommune for one; retired numbers
                are accepted), patients whose SP2/SP3 window is open now or has passed without the
                event, most urgent first. Patients appear as keyed pseudonyms; --show-identities adds the
                start message (sender, MsgId) and, while its original is archived, the fødselsnummer
                and name, after recording the showing in spool/state/identity-access.log (refused if
                that cannot be written). Reads the stored episodes: the cost follows the answer.
        report  monitoring figures per kommune and per hospital: patients with SP1, share reaching SP2 and
                SP3 inside their windows, median days, overdue counts, delivery of routed messages.
                HTML (default) is one self-contained page; --out writes to FILE (replaced atomically).
        --as-of judges the windows on that day instead of today (Oslo).
        Exit status: 0 done, 2 usage error or the state database could not be read.
        """

    static func run(_ arguments: [String]) -> ExitCode {
        guard let sub = arguments.first else { return CLI.usageError("pathways needs due or report", usage: usage) }
        switch sub {
        case "due": return PathwaysDueCommand.run(Array(arguments.dropFirst()))
        case "report": return PathwaysReportCommand.run(Array(arguments.dropFirst()))
        case "--help", "-h", "help":
            print(usage)
            return .success
        default: return CLI.usageError("unknown pathways command '\(sub)'", usage: usage)
        }
    }

    /// What both subcommands need: the configuration, the store, and the day to judge on.
    struct Context {
        var source: ConfigSource
        var config: GatewayConfig
        var store: MessageStore
        var today: CalendarDate
        /// The moment the report is as of: now, or the end of the --as-of day if that is earlier.
        var now: Date
    }

    /// Loads config and state database; on failure prints the error and returns the exit status.
    static func open(_ args: CommandLineArguments) -> Result<Context, ExitCode> {
        var (today, now) = (CalendarDate(Date()), Date())
        if let text = args["--as-of"] {
            guard let date = CalendarDate(iso: text), text.count == 10 else {
                return .failure(CLI.usageError("--as-of must be a date YYYY-MM-DD, found '\(text)'", usage: usage))
            }
            today = date
            let endOfDay = Date(
                timeIntervalSince1970: Double(date.adding(days: 1).dayNumber) * 86_400
                    - Double(CalendarDate.zone.secondsFromGMT(for: now)) - 1)
            now = min(now, endOfDay)
        }
        let source = ConfigLoader.locate(explicit: args["--config"])
        let config: GatewayConfig
        do { config = try ConfigLoader.load(source) } catch {
            return .failure(CLI.fail("config \(source): \(error)"))
        }
        let database = Spool(root: config.spool).database
        guard FileManager.default.fileExists(atPath: database) else {
            return .failure(CLI.fail("\(database): no state database (has the gateway run with config \(source)?)"))
        }
        do {
            return .success(
                Context(source: source, config: config, store: try MessageStore(path: database), today: today, now: now)
            )
        } catch {
            return .failure(CLI.fail("\(database): \(error)"))
        }
    }
}
