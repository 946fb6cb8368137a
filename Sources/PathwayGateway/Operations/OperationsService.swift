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
        var overdue: (counts: [String: Int], at: Date)?
    }
    private let state = Mutex(State())

    /// `previous`: the service this one replaces on a reload; its last retention run is carried
    /// over, so a SIGHUP does not run retention again before the hour is up.
    public init(
        config: GatewayConfig, metrics: GatewayMetrics, logger: GatewayLogger,
        continuing previous: OperationsService? = nil,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.config = config
        self.metrics = metrics
        self.logger = logger
        self.clock = clock
        spool = Spool(root: config.spool)
        metricsFile = config.operations.metrics.enabled ? "\(config.metricsDirectory)/\(Self.metricsFileName)" : nil
        timer = DispatchSource.makeTimerSource(queue: queue)
        if let last = previous?.state.withLock({ $0.lastRetention }) { state.withLock { $0.lastRetention = last } }
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
        guard metricsFile != nil,
            state.withLock({ s in
                defer { s.resumed = true }
                return !s.resumed && !s.cancelled
            })
        else { return }
        let interval = config.operations.metrics.intervalSeconds
        timer.schedule(deadline: .now(), repeating: interval, leeway: .milliseconds(Int(min(1_000, interval * 100))))
        timer.setEventHandler { [weak self] in self?.writeMetrics() }
        timer.resume()
    }

    /// Stops the timer and writes the metrics one last time, so the file shows the final counts.
    public func stop() {
        guard
            state.withLock({ s in
                defer { s.cancelled = true }
                return s.resumed && !s.cancelled
            })
        else { return }
        timer.cancel()
        queue.sync { writeMetrics() }
    }

    /// Collects and writes the metrics file now. Failures are logged once per streak, never thrown:
    /// a full metrics disk must not stop message processing.
    func writeMetrics() {
        guard let metricsFile else { return }
        let now = clock()
        let exposition = MetricsExposition(
            counters: metrics.snapshot(),
            survey: SpoolSurvey.take(spool: spool, partners: config.partners, now: now),
            database: databaseFacts(now: now), now: now, receivers: config.configuredReceivers)
        do {
            let group = config.operations.metrics.group
            try DurableFile.ensureDirectory(config.metricsDirectory, mode: 0o755)
            if let group { try Self.restrict(config.metricsDirectory, to: group, mode: 0o750) }
            try Self.replace(metricsFile, with: exposition.text, group: group)
            if state.withLock({ s in
                defer { s.lastWriteFailed = false }
                return s.lastWriteFailed
            }) {
                logger.info("metrics file written again", ["file": "\(metricsFile)"])
            }
        } catch {
            if !state.withLock({ s in
                defer { s.lastWriteFailed = true }
                return s.lastWriteFailed
            }) {
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
            guard s.lastRetention.map({ now.timeIntervalSince($0) >= Self.retentionInterval }) ?? true else {
                return false
            }
            s.lastRetention = now
            return true
        }
        guard due else { return nil }
        let report = Retention.run(
            spool: spool, partners: config.partners, settings: config.operations.retention,
            database: queries()?.db, now: now)
        let r = config.operations.retention
        // Each field keeps one type: a setting that is off, or a figure SQLite did not give, is left
        // out rather than written as text where a number stands otherwise (JSON consumers type fields).
        var fields: [(key: String, value: LogValue)] = []
        if let days = r.archiveDays { fields.append(("archive_days", .int(days))) }
        if let days = r.quarantineDays { fields.append(("quarantine_days", .int(days))) }
        fields += [
            ("archive_removed", .int(report.archiveFilesRemoved)),
            ("archive_bytes", .int(Int(report.archiveBytesRemoved))),
            ("quarantine_removed", .int(report.quarantineFilesRemoved)),
            ("quarantine_bytes", .int(Int(report.quarantineBytesRemoved))),
            ("output_blobs_cleared", .int(report.outputBlobsCleared)),
            ("output_bytes_cleared", .int(Int(report.outputBytesCleared))),
        ]
        if let pages = report.checkpointedPages { fields.append(("wal_pages_checkpointed", .int(pages))) }
        logger.log(.info, "retention", fields: fields)
        for problem in report.problems { logger.warn("retention problem", ["problem": "\(problem)"]) }
        return report
    }

    /// Seconds between recomputations of the overdue pathways: they change with the day and with
    /// arriving events, and reading every timeline costs ~0.5 s at 10,000 patients.
    public static let overdueInterval: TimeInterval = 300

    private func databaseFacts(now: Date) -> MetricsExposition.DatabaseFacts? {
        guard let queries = queries() else { return nil }
        do {
            return .init(
                awaitingReceivers: try queries.awaitingByReceiver(),
                receiverRejections: try queries.receiverRejections(),
                overduePathways: overduePathways(now: now))
        } catch {
            logger.debug("metrics: database not readable", ["error": "\(error)"])
            return nil
        }
    }

    /// Overdue pathways by kommune, every configured kommune at 0 included; recomputed at most every
    /// `overdueInterval`, nil when the timelines cannot be read (logged at debug).
    private func overduePathways(now: Date) -> [String: Int]? {
        if let cached = state.withLock({ $0.overdue }), now.timeIntervalSince(cached.at) < Self.overdueInterval,
            now >= cached.at
        {
            return cached.counts
        }
        do {
            let found = try PathwayMonitor.overdueCounts(
                store: MessageStore(path: spool.database), config: config, now: now)
            var counts = Dictionary(uniqueKeysWithValues: config.kommuner.map { ($0, 0) })
            counts.merge(found.byKommune) { $1 }
            state.withLock { $0.overdue = (counts, now) }
            return counts
        } catch {
            logger.debug("metrics: overdue pathways not readable", ["error": "\(error)"])
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
    ///
    /// The temporary name is unique per write (pid and a counter): on a reload the outgoing service's
    /// last write and the incoming one's first can overlap, and with one shared name the first
    /// rename took the other's file away ("cannot write metrics file … No such file").
    /// With `group`, the file is 0640 in that group (the collector's), else 0644.
    static func replace(_ path: String, with text: String, group: MetricsGroup? = nil) throws {
        let temp = "\(path).\(getpid()).\(writeCounter.add(1, ordering: .relaxed).newValue).tmp"
        guard
            FileManager.default.createFile(
                atPath: temp, contents: Data(text.utf8),
                attributes: [.posixPermissions: group == nil ? 0o644 : 0o640])
        else {
            throw DurableFile.Failure.system(operation: "write", path: temp, errno: errno)
        }
        if let group {
            do { try restrict(temp, to: group, mode: 0o640) } catch {
                unlink(temp)
                throw error
            }
        }
        guard rename(temp, path) == 0 else {
            let code = errno
            unlink(temp)
            throw DurableFile.Failure.system(operation: "rename", path: path, errno: code)
        }
    }
}

extension OperationsService {
    /// Numbers the temporary metrics files of this process.
    private static let writeCounter = Atomic<Int>(0)

    /// Gives `path` to `group` with `mode`; chown needs the gateway's user to be a member of the
    /// group (or root), and fails with EPERM otherwise, which the warning then names.
    static func restrict(_ path: String, to group: MetricsGroup, mode: mode_t) throws {
        guard chown(path, uid_t.max, group.gid) == 0 else {
            throw DurableFile.Failure.system(operation: "chown to group \(group)", path: path, errno: errno)
        }
        guard chmod(path, mode) == 0 else {
            throw DurableFile.Failure.system(operation: "chmod", path: path, errno: errno)
        }
    }
}

extension GatewayConfig {
    /// Where `pathway_gateway.prom` goes: `metrics.directory`, else `<spool>/metrics`.
    var metricsDirectory: String { operations.metrics.directory ?? Spool(root: spool).defaultMetricsDirectory }
}
