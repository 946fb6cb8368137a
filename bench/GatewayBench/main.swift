import Foundation
import PathwayGateway

// Benchmark harness. Release build: `swift run -c release gateway-bench xml [--seconds N]`.
let arguments = Array(CommandLine.arguments.dropFirst())
let command = arguments.first ?? "help"

func option(_ name: String, default value: Double) -> Double {
    guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count, let v = Double(arguments[i + 1]) else {
        return value
    }
    return v
}

func stringOption(_ name: String) -> String? {
    guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count else { return nil }
    return arguments[i + 1]
}

switch command {
case "xml":
    XMLThroughput.run(secondsPerRound: option("--seconds", default: 2), rounds: Int(option("--rounds", default: 5)))
case "drain":
    try DrainThroughput.run(
        count: Int(option("--count", default: 10_000)), under: stringOption("--dir"),
        batchSize: arguments.contains("--batch-size") ? Int(option("--batch-size", default: 256)) : nil,
        workers: arguments.contains("--workers") ? Int(option("--workers", default: 2)) : nil)
case "history":
    try HistoryBuilder.run(
        messages: Int(option("--messages", default: 150_000)), days: Int(option("--days", default: 730)),
        end: stringOption("--end"), directory: stringOption("--dir") ?? "history",
        seed: UInt64(option("--seed", default: 1)))
case "disk":
    try DiskLimits.run(count: Int(option("--count", default: 2_000)), under: stringOption("--dir"))
case "generate":
    try TrafficGenerator.run(
        count: Int(option("--count", default: 20_000)), into: stringOption("--dir") ?? "traffic",
        seed: UInt64(option("--seed", default: 1)))
case "samples":
    // Regenerates samples/messages/ from SampleSet (a test keeps the two in step).
    let dir = arguments.count > 1 ? arguments[1] : "samples/messages"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    for sample in SampleSet.all {
        try Data(sample.bytes).write(to: URL(fileURLWithPath: dir).appendingPathComponent(sample.fileName))
        print("\(sample.fileName): \(sample.purpose)")
    }
default:
    print(
        """
        usage: gateway-bench xml [--seconds S] [--rounds N] | drain [--count N] [--dir DIR] [--batch-size N] [--workers N] | disk [--count N] [--dir DIR] | generate [--count N] [--dir DIR] [--seed S] | samples [DIR]
               | history [--messages N] [--days D] [--end YYYY-MM-DD] [--dir DIR] [--seed S]
          xml   parse + validate + decode throughput over the conformance corpus, against a bare
                libxml2 parse + validate loop over the same bytes (the physical limit of this step)
          history  a spool with a state database of N messages of pathway history over D days (default
                150,000 over 730 days ending today) and its config, for status/due/report with history
        """)
}
