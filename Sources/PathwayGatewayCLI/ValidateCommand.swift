import Foundation
import PathwayGateway

/// `pathway-gateway validate`: the daemon's checks on files, one verdict line per file.
enum ValidateCommand {
    static let usage = """
        usage: pathway-gateway validate [--json] [--policy strict|lenient] [--schemas DIR] FILE...

        Checks each file exactly as the daemon would (well-formedness and limits, supported message,
        schema, semantic rules) and prints one verdict per file with the AppRec error code the sender
        would get. Exit status: 0 all accepted, 1 any rejected, 2 usage or I/O error.
        """

    struct Verdict: Encodable {
        var file: String
        var verdict: String
        var code: String?
        var line: Int?
        var reason: String?
        var summary: String?
        var warnings: [String]?
    }

    static func run(_ arguments: [String]) -> ExitCode {
        let args: CommandLineArguments
        do {
            args = try CommandLineArguments(arguments, flags: ["--json"], options: ["--policy", "--schemas"])
        } catch {
            return CLI.usageError("\(error)", usage: usage)
        }
        if args.has("--help") {
            print(usage)
            return .success
        }
        guard !args.positionals.isEmpty else { return CLI.usageError("no FILE given", usage: usage) }
        guard let policy = SchemaPolicy(rawValue: args["--policy"] ?? "strict") else {
            return CLI.usageError("--policy must be strict or lenient", usage: usage)
        }
        let validator: MessageValidator
        do {
            validator = MessageValidator(schemas: try SchemaLocator.load(explicit: args["--schemas"]))
        } catch {
            return CLI.fail("\(error)")
        }
        var status = ExitCode.success
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for file in args.positionals {
            let verdict: Verdict
            switch readVerdict(file, validator: validator, policy: policy) {
            case let .success(v): verdict = v
            case let .failure(ioError):
                CLI.printError("\(file): \(ioError)")
                status = .cannotRun
                continue
            }
            if verdict.verdict == "rejected", status == .success { status = .checkFailed }
            if args.has("--json") {
                print(String(decoding: (try? encoder.encode(verdict)) ?? Data(), as: UTF8.self))
            } else {
                print(humanLine(verdict))
            }
        }
        return status
    }

    private static func readVerdict(_ file: String, validator: MessageValidator, policy: SchemaPolicy)
        -> Result<Verdict, FileReader.Failure>
    {
        let bytes: [UInt8]
        do {
            bytes = try FileReader.read(file, limit: validator.limits.maxBytes)
        } catch let failure {
            guard case .tooLarge = failure else { return .failure(failure) }
            return .success(
                Verdict(
                    file: file, verdict: "rejected", code: AppRecErrorCode.notWellFormed.rawValue,
                    reason: failure.description))
        }
        switch validator.validate(bytes, fileName: file, policy: policy) {
        case let .success(message):
            return .success(
                Verdict(
                    file: file, verdict: "accepted", summary: message.summary,
                    warnings: message.warnings.isEmpty ? nil : message.warnings))
        case let .failure(rejection):
            return .success(
                Verdict(
                    file: file, verdict: "rejected", code: rejection.code.rawValue,
                    line: rejection.line, reason: rejection.reason))
        }
    }

    private static func humanLine(_ v: Verdict) -> String {
        if v.verdict == "accepted" {
            let warnings = v.warnings ?? []
            let head =
                warnings.isEmpty
                ? "accepted" : "accepted with \(warnings.count) warning\(warnings.count == 1 ? "" : "s")"
            return (["\(v.file): \(head) (\(v.summary ?? ""))"] + warnings.map { "  warning: \($0)" })
                .joined(separator: "\n")
        }
        let place = v.line.map { "\(v.file):\($0)" } ?? v.file
        return "\(place): rejected \(v.code ?? "?"): \(v.reason ?? "")"
    }
}
