import Foundation
import Synchronization
import Testing
@testable import PathwayGateway

/// The operations pieces on their own: logger lines, spool lock, metrics text, audit head, config keys.
@Suite struct OperationsUnitTests {
    static let fixedClock: @Sendable () -> Date = { Date(timeIntervalSince1970: 1_795_000_000.125) }

    private func lines(_ format: GatewayLogger.Format, level: GatewayLogger.Level = .info,
                       _ body: (GatewayLogger) -> Void) -> [String] {
        let collected = Mutex<[String]>([])
        let logger = GatewayLogger(format: format, level: level, clock: Self.fixedClock) { line in collected.withLock { $0.append(line) } }
        body(logger)
        return collected.withLock { $0 }
    }

    @Test func logfmtQuotesWhatWouldBreakTheLine() {
        let out = lines(.logfmt) { $0.info("reload refused", ["error": "line 1\nline \"2\"", "files": 3, "ok": true, "empty": ""]) }
        #expect(out == [#"ts=2026-11-18T11:06:40.125Z level=info msg="reload refused" error="line 1\nline \"2\"" files=3 ok=true empty="""# + "\n"])
    }

    @Test func jsonLinesParseAndKeepFieldOrder() throws {
        let out = lines(.json) { $0.warn("cannot write metrics file", ["file": "/x/\u{1}y", "pages": 12]) }
        #expect(out.count == 1)
        #expect(out[0].hasSuffix("}\n") && !out[0].dropLast().contains("\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(out[0].utf8)) as? [String: Any])
        #expect(object["level"] as? String == "warn")
        #expect(object["file"] as? String == "/x/\u{1}y")
        #expect(object["pages"] as? Int == 12)
        #expect(out[0].hasPrefix(#"{"ts":"2026-11-18T11:06:40.125Z","level":"warn","msg":"#))
    }

    @Test func levelsFilter() {
        let out = lines(.logfmt, level: .warn) { logger in
            logger.debug("d"); logger.info("i"); logger.warn("w"); logger.error("e")
        }
        #expect(out.map { $0.contains("level=warn") || $0.contains("level=error") } == [true, true])
    }

    @Test func spoolLockIsExclusiveNamesItsHolderAndDiesWithIt() throws {
        let dir = try DatabaseTestDirectory()
        let path = dir.path("gateway.lock")
        #expect(try SpoolLock.probe(path) == .none)
        #expect(!FileManager.default.fileExists(atPath: path), "probing must not create the lock file")
        var lock: SpoolLock? = try SpoolLock.acquire(path)
        #expect(try SpoolLock.probe(path) == .process(pid: getpid()))
        #expect(throws: SpoolLock.Failure.held(path: path, pid: getpid())) { _ = try SpoolLock.acquire(path, patience: 0.1) }
        withExtendedLifetime(lock) {}
        lock = nil
        #expect(try SpoolLock.probe(path) == .none)
        #expect(throws: Never.self) { _ = try SpoolLock.acquire(path, patience: 0) }
    }

    @Test func metricsTextIsValidExpositionFormat() throws {
        let metrics = GatewayMetrics(startTime: Date(timeIntervalSince1970: 1_795_000_000))
        metrics.observe(outcome: "accepted", partner: "helse-bergen", latencySeconds: 0.012)
        metrics.observe(outcome: "accepted", partner: "helse-bergen", latencySeconds: 0.3)
        metrics.observe(outcome: "rejected", partner: "odd\"partner\\x", latencySeconds: 99)
        let survey = SpoolSurvey(inboxes: [.init(partner: "helse-bergen", waiting: 2, oldestAgeSeconds: 12.5, processing: 1,
                                                 outbound: 4, quarantined: 1)])
        let pending = [OperationsQueries.PendingAppRecs(partner: "bergen-kommune", count: 2, oldest: Date(timeIntervalSince1970: 1_794_990_000))]
        let text = MetricsExposition(counters: metrics.snapshot(), survey: survey,
                                     database: .init(pendingAppRecs: pending, receiverRejections: 1),
                                     now: Date(timeIntervalSince1970: 1_795_000_000)).text
        let samples = try PrometheusTextCheck.parse(text)
        #expect(samples[#"pathway_gateway_messages_total{partner="helse-bergen",outcome="accepted"}"#] == 2)
        #expect(samples[#"pathway_gateway_messages_total{partner="odd\"partner\\x",outcome="rejected"}"#] == 1)
        #expect(samples[#"pathway_gateway_processing_seconds_bucket{le="0.025"}"#] == 1)
        #expect(samples[#"pathway_gateway_processing_seconds_bucket{le="30"}"#] == 2)
        #expect(samples[#"pathway_gateway_processing_seconds_count"#] == 3)
        #expect(samples[#"pathway_gateway_apprec_pending_messages{partner="bergen-kommune"}"#] == 2)
        #expect(samples[#"pathway_gateway_apprec_pending_oldest_age_seconds{partner="bergen-kommune"}"#] == 10_000)
        #expect(samples[#"pathway_gateway_apprec_pending_messages{partner="helse-bergen"}"#] == 0)
        #expect(samples[#"pathway_gateway_inbound_oldest_file_age_seconds{partner="helse-bergen"}"#] == 12.5)
        #expect(samples["pathway_gateway_database_readable"] == 1)
        let unreadable = MetricsExposition(counters: metrics.snapshot(), survey: survey, database: nil, now: Date()).text
        #expect(try PrometheusTextCheck.parse(unreadable)["pathway_gateway_database_readable"] == 0)
    }

    @Test(arguments: [
        "x 1",                                                      // no trailing newline
        "x 1\n",                                                    // sample before its TYPE
        "# TYPE x gauge\nx{a=\"b\" 1\n",                            // unclosed labels
        "# TYPE x gauge\nx{a=\"b\\q\"} 1\n",                        // bad escape in a label value
        "# TYPE x gauge\nx 1 1795000000\n",                         // a timestamp
        "# TYPE x gauge\nx one\n",                                  // not a number
        "# TYPE x gauge\nx 1\nx 2\n",                               // duplicate series
        "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_count 1\n",  // not cumulative
    ])
    func theFormatCheckRejectsBrokenFiles(text: String) {
        #expect(throws: PrometheusTextCheck.Failure.self) { _ = try PrometheusTextCheck.parse(text) }
    }

    @Test func metricsObserveIsThreadSafe() {
        let metrics = GatewayMetrics()
        DispatchQueue.concurrentPerform(iterations: 8) { i in
            for _ in 0..<1_000 { metrics.observe(outcome: i % 2 == 0 ? "accepted" : "rejected", partner: "p", latencySeconds: 0.001) }
        }
        let snapshot = metrics.snapshot()
        #expect(snapshot.latencyCount == 8_000)
        #expect(snapshot.messages.values.reduce(0, +) == 8_000)
        #expect(snapshot.latencyBucketCounts.last == 8_000)
    }

    @Test func auditHeadIsTheLastWholeRecord() throws {
        let dir = try DatabaseTestDirectory()
        let path = dir.path("audit.jsonl")
        #expect(AuditHead.read(path) == nil)
        let log = try AuditLog(path: path, pseudonymizer: Pseudonymizer(key: Array(repeating: 7, count: 32)))
        for i in 0..<3 { try log.record(event: "received", partner: "p", file: "\(i).xml", outcome: "accepted", sha256: nil) }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let last = try #require(try JSONSerialization.jsonObject(with: Data(text.split(separator: "\n").last!.utf8)) as? [String: Any])
        // A torn tail (crash mid-append) is skipped.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"seq":4,"hash":"ab"#.utf8))
        try handle.close()
        #expect(AuditHead.read(path, window: 2_000) == AuditHead(seq: 3, hash: last["hash"] as! String, ts: last["ts"] as? String))
    }

    @Test func operationsKeysParseWithDefaultsAndReportMistakes() throws {
        let base = String(decoding: try Data(contentsOf: TestPaths.packageRoot.appendingPathComponent("samples/pathway-gateway.json")), as: UTF8.self)
        func config(_ extra: String) throws(ConfigError) -> GatewayConfig {
            let text = base.replacingOccurrences(of: #""spool": "spool","#, with: #""spool": "spool", \#(extra)"#)
            return try GatewayConfig.parse(Data(text.utf8), file: "t.json", baseDirectory: "/srv/gw")
        }
        let defaults = try config("")
        #expect(defaults.operations == OperationsSettings())
        #expect(defaults.metricsDirectory == "/srv/gw/spool/metrics")
        let set = try config(#""metrics": {"directory": "prom", "intervalSeconds": 2.5}, "retention": {"archiveDays": 90, "quarantineDays": 365}, "log": {"format": "json", "level": "debug"},"#)
        #expect(set.metricsDirectory == "/srv/gw/prom")
        #expect(set.operations.metrics.intervalSeconds == 2.5)
        #expect(set.operations.retention == .init(archiveDays: 90, quarantineDays: 365))
        #expect(set.operations.log == .init(format: .json, level: .debug))
        #expect(try config(#""metrics": {"enabled": false},"#).operations.metrics.enabled == false)
        do {
            _ = try config(#""metrics": {"enabled": "no", "dir": "x"}, "retention": {"archiveDays": 0}, "log": {"format": "xml", "level": "loud"},"#)
            Issue.record("a bad operations section must be refused")
        } catch {
            guard case let .invalid(_, problems) = error else { Issue.record("\(error)"); return }
            #expect(Set(problems.map(\.path)) == ["$.metrics.enabled", "$.metrics.dir", "$.retention.archiveDays", "$.log.format", "$.log.level"])
        }
    }
}

/// A strict reader of the Prometheus text exposition format (0.0.4) as node_exporter's textfile
/// collector parses it: HELP/TYPE before a family's samples, metric and label names, escaped label
/// values, float values, no timestamps, no duplicate series, histogram buckets cumulative with
/// +Inf equal to _count. Returns every sample by its series text.
enum PrometheusTextCheck {
    struct Failure: Error, CustomStringConvertible { var description: String }

    static func parse(_ text: String) throws -> [String: Double] {
        guard text.hasSuffix("\n") else { throw Failure(description: "the file must end with a newline") }
        let name = #"[a-zA-Z_:][a-zA-Z0-9_:]*"#
        let helpLine = try Regex(#"^# HELP (\#(name)) .+$"#)
        let typeLine = try Regex(#"^# TYPE (\#(name)) (counter|gauge|histogram|summary|untyped)$"#)
        let sampleLine = try Regex(#"^(\#(name))(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\["\\n])*")(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\["\\n])*")*\})? (\S+)$"#)
        var types: [String: String] = [:]
        var samples: [String: Double] = [:]
        var buckets: [String: [Double]] = [:]
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().enumerated() {
            let where_ = "line \(number + 1): \(line)"
            if line.hasPrefix("# HELP") {
                guard line.wholeMatch(of: helpLine) != nil else { throw Failure(description: "bad HELP, \(where_)") }
            } else if line.hasPrefix("# TYPE") {
                guard let match = line.wholeMatch(of: typeLine), let family = match.output[1].substring,
                      let type = match.output[2].substring else { throw Failure(description: "bad TYPE, \(where_)") }
                guard types.updateValue(String(type), forKey: String(family)) == nil else { throw Failure(description: "second TYPE, \(where_)") }
            } else {
                guard let match = line.wholeMatch(of: sampleLine), let metric = match.output[1].substring,
                      let valueText = match.output.last?.substring else { throw Failure(description: "bad sample, \(where_)") }
                guard let value = valueText == "+Inf" ? Double.infinity : Double(valueText) else {
                    throw Failure(description: "bad value, \(where_)")
                }
                let family = ["_bucket", "_sum", "_count"].reduce(String(metric)) { name, suffix in
                    types[name] == nil && name.hasSuffix(suffix) ? String(name.dropLast(suffix.count)) : name
                }
                guard types[family] != nil else { throw Failure(description: "sample before its TYPE, \(where_)") }
                let series = String(line[..<line.lastIndex(of: " ")!])
                guard samples.updateValue(value, forKey: series) == nil else { throw Failure(description: "duplicate series, \(where_)") }
                if metric.hasSuffix("_bucket") { buckets[family, default: []].append(value) }
            }
        }
        for (family, values) in buckets {
            guard values == values.sorted() else { throw Failure(description: "\(family) buckets are not cumulative") }
            guard values.last == samples["\(family)_count"] else { throw Failure(description: "\(family) +Inf bucket differs from _count") }
        }
        return samples
    }
}
