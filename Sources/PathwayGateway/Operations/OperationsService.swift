import Dispatch
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The daemon's operations side for one loaded configuration: rewrites the metrics file on a timer
/// of its own (so it stays fresh while a long drain pass keeps the main loop busy) and runs
/// retention when the main loop is idle and an hour has passed. One per `run`; replaced on reload.
///
/// It reads the database through a connection of its own (WAL: never blocking the daemon's
/// writer); retention's few writes are short transactions the daemon's busy timeout waits out.
public final class OperationsService: Sendable {
    /// At most one retention run per this many seconds.
    static let retentionInterval: TimeInterval = 3_600

    let config: GatewayConfig
    let metrics: GatewayMetrics
    let logger: GatewayLogger
    let metricsFile: String?
    private let spool: Spool
    private let clock: @Sendable () -> Date
    private let queue = DispatchQueue(label: "pathway-gateway.operations")
    /// Dispatch sources are thread-safe (their methods may be called from any thread), but the
    /// protocol is not marked Sendable; `resumed`/`cancelled` (under `state`) make resume and cancel
    /// happen once each (libdispatch traps on releasing a source that was never resumed).
    private nonisolated(unsafe) let timer: any DispatchSourceTimer
    private struct State {
        var resumed = false
        var cancelled = false
        var queries: OperationsQueries?
        var lastRetention: Date?
        var lastWriteFailed = false
    }
    private let state = Mutex(State())

    public init(config: GatewayConfig, metrics: GatewayMetrics, logger: GatewayLogger,
                clock: @escaping @Sendable () -> Date = { Date() }) {
        self.config = config
        self.metrics = metrics
        self.logger = logger
        self.clock = clock
        spool = Spool(root: config.spool)
        metricsFile = config.operations.metrics.enabled ? "\(config.metricsDirectory)/\(Self.metricsFileName)" : nil
        timer = DispatchSource.makeTimerSource(queue: queue)
    }

    deinit {
        let (resumed, cancelled) = state.withLock { ($0.resumed, $0.cancelled) }
        if !resumed { timer.resume() }
        if !cancelled { timer.cancel() }
    }

    /// node_exporter's textfile collector reads `*.prom`; the temporary name must not end so.
    static let metricsFileName = "pathway_gateway.prom"

    /// Starts the metrics timer (first write at once). No-op when metrics are disabled.
    public func start() {
        metrics.noteLastSuccess(try? queries()?.lastDone())
        guard metricsFile != nil, state.withLock({ s in defer { s.resumed = true }; return !s.resumed && !s.cancelled }) else { return }
        let interval = config.operations.metrics.intervalSeconds
        timer.schedule(deadline: .now(), repeating: interval, leeway: .milliseconds(Int(min(1_000, interval * 100))))
        timer.setEventHandler { [weak self] in self?.writeMetrics() }
        timer.resume()
    }

    /// Stops the timer and writes the metrics one last time, so the file shows the final counts.
    public func stop() {
        guard state.withLock({ s in defer { s.cancelled = true }; return s.resumed && !s.cancelled }) else { return }
        timer.cancel()
        queue.sync { writeMetrics() }
    }

    /// Collects and writes the metrics file now. Failures are logged once per streak, never thrown:
    /// a full metrics disk must not stop message processing.
    func writeMetrics() {
        guard let metricsFile else { return }
        let now = clock()
        let exposition = MetricsExposition(counters: metrics.snapshot(),
                                           survey: SpoolSurvey.take(spool: spool, partners: config.partners, now: now),
                                           database: databaseFacts(), now: now)
        do {
            try DurableFile.ensureDirectory(config.metricsDirectory, mode: 0o755)
            try Self.replace(metricsFile, with: exposition.text)
            if state.withLock({ s in defer { s.lastWriteFailed = false }; return s.lastWriteFailed }) {
                logger.info("metrics file written again", ["file": "\(metricsFile)"])
            }
        } catch {
            if !state.withLock({ s in defer { s.lastWriteFailed = true }; return s.lastWriteFailed }) {
                logger.warn("cannot write metrics file", ["file": "\(metricsFile)", "error": "\(error)"])
            }
        }
    }

    /// Runs retention if the last run is an hour old (or there was none); called by the daemon loop
    /// between passes. Returns the report when it ran.
    @discardableResult
    public func maintainIfDue() -> Retention.Report? {
        let now = clock()
        let due = state.withLock { s -> Bool in
            guard s.lastRetention.map({ now.timeIntervalSince($0) >= Self.retentionInterval }) ?? true else { return false }
            s.lastRetention = now
            return true
        }
        guard due else { return nil }
        let report = Retention.run(spool: spool, partners: config.partners, settings: config.operations.retention,
                                   database: queries()?.db, now: now)
        let r = config.operations.retention
        logger.info("retention", [
            "archive_days": r.archiveDays.map { .int($0) } ?? "off", "quarantine_days": r.quarantineDays.map { .int($0) } ?? "off",
            "archive_removed": .int(report.archiveFilesRemoved), "archive_bytes": .int(Int(report.archiveBytesRemoved)),
            "quarantine_removed": .int(report.quarantineFilesRemoved), "quarantine_bytes": .int(Int(report.quarantineBytesRemoved)),
            "output_blobs_cleared": .int(report.outputBlobsCleared), "output_bytes_cleared": .int(Int(report.outputBytesCleared)),
            "wal_pages_checkpointed": report.checkpointedPages.map { .int($0) } ?? "n/a",
        ])
        for problem in report.problems { logger.warn("retention problem", ["problem": "\(problem)"]) }
        return report
    }

    private func databaseFacts() -> MetricsExposition.DatabaseFacts? {
        guard let queries = queries() else { return nil }
        do {
            return .init(pendingAppRecs: try queries.pendingAppRecs(), receiverRejections: try queries.receiverRejections())
        } catch {
            logger.debug("metrics: database not readable", ["error": "\(error)"])
            return nil
        }
    }

    /// The operations connection, opened on first use (the daemon creates the database first).
    private func queries() -> OperationsQueries? {
        state.withLock { s in
            if s.queries == nil { s.queries = try? OperationsQueries(databasePath: spool.database) }
            return s.queries
        }
    }

    /// Replaces `path` atomically: temp file in the same directory, then rename over the old one, so
    /// the collector reads either the previous or the new file, never half of one. No fsync: the file
    /// is rewritten every few seconds from memory, so after a power cut a lost or empty file costs
    /// one scrape, while an fsync per write would compete with the spool's own fsyncs on the disk
    /// that decides message latency. Mode 0644: node_exporter runs as another user, and the file
    /// holds only counts and partner ids.
    static func replace(_ path: String, with text: String) throws {
        let temp = "\(path).\(getpid()).tmp"
        guard FileManager.default.createFile(atPath: temp, contents: Data(text.utf8), attributes: [.posixPermissions: 0o644]) else {
            throw DurableFile.Failure.system(operation: "write", path: temp, errno: errno)
        }
        guard rename(temp, path) == 0 else {
            let code = errno
            unlink(temp)
            throw DurableFile.Failure.system(operation: "rename", path: path, errno: code)
        }
    }
}

extension GatewayConfig {
    /// Where `pathway_gateway.prom` goes: `metrics.directory`, else `<spool>/metrics`.
    var metricsDirectory: String { operations.metrics.directory ?? Spool(root: spool).defaultMetricsDirectory }
}
