import Dispatch
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// `pathway-gateway run`: opens the spool, finishes what a crash left, then drains the inbound
/// directories. Intake: inotify wake-ups plus a periodic full scan (docs/daemon-design.md).
public final class GatewayDaemon: Sendable {
    let config: GatewayConfig
    public let worker: SpoolWorker

    /// `metrics`: counts each outcome and its latency (kept across reloads by the caller).
    public init(config: GatewayConfig, schemas: SchemaSet, metrics: GatewayMetrics? = nil) throws {
        self.config = config
        let spool = Spool(root: config.spool)
        try spool.prepare(for: config.partners)
        let store = try MessageStore(path: spool.database)
        let pseudonymizer = try Pseudonymizer.loadOrCreate(keyAt: spool.pseudonymKey)
        let audit = try AuditLog(path: spool.auditLog, pseudonymizer: pseudonymizer, checkpoints: AuditCheckpoints(store: store))
        let processor = MessageProcessor(config: config, validator: MessageValidator(schemas: schemas, limits: config.limits))
        worker = SpoolWorker(spool: spool, processor: processor, store: store, audit: audit, pseudonymizer: pseudonymizer,
                             workers: config.workers, metrics: metrics,
                             timelines: PathwayTimelines(store: store, pseudonymizer: pseudonymizer))
    }

    /// Most bytes of inbound files in one batch (at least one file is always taken).
    static let batchBytes = 64 << 20

    /// Set when the audit log ends before its newest checkpoint (records lost while stopped).
    public var auditIntegrityWarning: String? { worker.audit.integrityWarning }

    /// Ends this instance's audit writing with a checkpoint of the head, so that a log cut while
    /// the gateway is stopped is detected. The daemon must not process files afterwards.
    public func close() throws { try worker.audit.close() }

    /// Finishes interrupted work; returns how many messages it touched.
    public func recover() throws -> Int { try worker.recover(partners: config.partners, batchSize: config.batchSize) }

    /// One pass over every inbox; returns the number of files taken. Files that appear during the
    /// pass are taken by the next one. The files go through in batches (group commit, see
    /// `SpoolWorker`); `shouldStop` is asked between batches, so a SIGTERM finishes the batch in
    /// hand and no more.
    func drainPass(shouldStop: @Sendable () -> Bool = { false }) throws -> Int {
        var work = config.partners.flatMap { partner in
            Spool.candidates(in: worker.spool.inbound(partner.id), renamingNonUTF8: true).map { SpoolWorker.Claimed(partner: partner, name: $0) }
        }[...]
        var batches: [[SpoolWorker.Claimed]] = []
        while !work.isEmpty {
            var batch: [SpoolWorker.Claimed] = []
            var bytes = 0
            while let next = work.first, batch.count < config.batchSize, batch.isEmpty || bytes < Self.batchBytes {
                bytes += Self.fileSize("\(worker.spool.inbound(next.partner.id))/\(next.name)")
                batch.append(work.removeFirst())
            }
            batches.append(batch)
        }
        return try worker.take(batches, shouldStop: shouldStop)
    }

    private static func fileSize(_ path: String) -> Int {
        var info = stat()
        return lstat(path, &info) == 0 ? Int(info.st_size) : 0
    }

    /// Passes until one finds nothing.
    public func drain(shouldStop: @Sendable () -> Bool = { false }) throws -> Int {
        var total = 0
        while !shouldStop() {
            let taken = try drainPass(shouldStop: shouldStop)
            total += taken
            if taken == 0 { return total }
        }
        return total
    }

    /// The daemon loop: a full scan at start, after every inotify wake-up, and at least every
    /// `scanIntervalSeconds` (the safety net for missed events). Waits are cut into 250 ms slices
    /// so that a stop request is seen quickly; returns once `shouldStop` says so.
    /// `whenIdle` runs after a pass that found nothing (maintenance such as retention); `onError`
    /// hears of each failed pass before the loop backs off (1 s doubling to 60 s) and retries.
    /// `recoverFirst`: start-up recovery failed; the loop backs off and retries it like a failed batch.
    public func serve(shouldStop: @Sendable () -> Bool, recoverFirst: Bool = false, whenIdle: () -> Void = {},
                      onError: (any Error) -> Void = { _ in }) throws {
        let watcher = try InboxWatcher(directories: config.partners.map { worker.spool.inbound($0.id) })
        let interval = max(1, Int(config.scanIntervalSeconds * 1000))
        var failedPasses = Backoff()
        if recoverFirst {
            failedPasses.failed()
            pause(milliseconds: failedPasses.delayMilliseconds, shouldStop: shouldStop)
        }
        // Work held back by a fault only it meets (SpoolWorker.finish) is retried on its own
        // backoff, while intake goes on for everyone else.
        var heldBack = Backoff()
        while !shouldStop() {
            do {
                if failedPasses.failures > 0 { _ = try recover() }  // finish what the failed batch left
                if heldBack.isDue {
                    do {
                        if try worker.retryHeldBack() == 0 { heldBack.succeeded() }  // else reported below
                    } catch {
                        // Still failing for all of them: not the others' problem, back off further.
                        heldBack.failed()
                        onError(error)
                    }
                }
                let taken = try drainPass(shouldStop: shouldStop)
                failedPasses.succeeded()
                if let report = worker.takeHeldBack() {
                    heldBack.failed()
                    onError(report)
                }
                if taken > 0 { continue }
            } catch {
                // A full disk or an unwritable directory must not end the service: what was
                // recorded is finished by `recover` once the fault clears; retry with backoff.
                failedPasses.failed()
                onError(error)
                pause(milliseconds: failedPasses.delayMilliseconds, shouldStop: shouldStop)
                continue
            }
            whenIdle()
            let wait = min(interval, heldBack.millisecondsLeft ?? interval)
            var waited = 0
            while waited < wait && !shouldStop() {
                if watcher.wait(timeoutMilliseconds: Int32(max(1, min(250, wait - waited)))) { break }
                waited += 250
            }
        }
    }

    private func pause(milliseconds: Int, shouldStop: @Sendable () -> Bool) {
        var waited = 0
        while waited < milliseconds && !shouldStop() {
            usleep(useconds_t(min(250, milliseconds - waited) * 1_000))
            waited += 250
        }
    }
}

/// Consecutive failures of one kind, and when the next attempt is due: 1 s after the first,
/// doubling to at most 60 s.
private struct Backoff {
    private(set) var failures = 0
    private var due: DispatchTime?

    var delayMilliseconds: Int { min(60_000, 1_000 << min(max(failures, 1) - 1, 6)) }
    var isDue: Bool { due.map { DispatchTime.now() >= $0 } ?? false }
    /// Until the next attempt; nil when none is waiting.
    var millisecondsLeft: Int? {
        due.map { Int(($0.uptimeNanoseconds - min($0.uptimeNanoseconds, DispatchTime.now().uptimeNanoseconds)) / 1_000_000) }
    }

    mutating func failed() {
        failures += 1
        due = .now() + .milliseconds(delayMilliseconds)
    }

    mutating func succeeded() { (failures, due) = (0, nil) }
}
