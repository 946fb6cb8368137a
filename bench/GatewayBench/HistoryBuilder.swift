import Foundation
import PathwayGateway

/// `gateway-bench history`: a spool whose state database holds about `messages` messages of
/// pathway history over `days` days ending on `end` (default today), with the sample
/// configuration beside it, so `status`, `pathways due` and `pathways report` can be run (and
/// measured, bench/history.py) against years of traffic: `--config DIR/pathway-gateway.json`.
enum HistoryBuilder {
    static func run(messages: Int, days: Int, end: String?, directory: String, seed: UInt64) throws {
        let root = URL(fileURLWithPath: directory).standardizedFileURL.path
        try FileManager.default.createDirectory(atPath: root + "/spool/state", withIntermediateDirectories: true)
        // The sample configuration, read from the repository (run from its root, as bench/history.py does).
        guard let sample = try? String(contentsOfFile: "samples/pathway-gateway.json", encoding: .utf8) else {
            FileHandle.standardError.write(
                Data("gateway-bench history: run from the repository root (needs samples/pathway-gateway.json)\n".utf8))
            exit(2)
        }
        let configPath = root + "/pathway-gateway.json"
        try sample.replacingOccurrences(of: "\"spool\": \"spool\"", with: "\"spool\": \"\(root)/spool\"")
            .write(toFile: configPath, atomically: true, encoding: .utf8)
        let config = try ConfigLoader.load(ConfigLoader.locate(explicit: configPath))
        guard let last = end.map({ CalendarDate(iso: $0) }) ?? CalendarDate(Date()) else {
            throw CocoaError(.formatting, userInfo: [NSLocalizedDescriptionKey: "--end must be YYYY-MM-DD"])
        }
        let history = SyntheticHistory(config: config, start: last.adding(days: 1 - days), days: days, seed: seed)
        let started = Date()
        let summary = try history.write(to: Spool(root: config.spool).database, messages: messages)
        print(
            String(
                format: "wrote %@ over %d days ending %@ in %.1f s; config %@", summary.description, days,
                last.description,
                Date().timeIntervalSince(started), configPath))
    }
}
