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
        // Refuses to start (or a reload) when a configured group cannot be used.
        let spool = Spool(root: config.spool, access: try SpoolAccess.resolve(config.partners))
        try spool.prepare(for: config.partners)
        // State, key and audit log must belong together (spec §8); refused otherwise.
        let (store, pseudonymizer) = try StartupCheck.open(spool)
        let audit = try AuditLog(path: spool.auditLog, pseudonymizer: pseudonymizer, checkpoints: AuditCheckpoints(store: store))
        let processor = MessageProcessor(config: config, validator: MessageValidator(schemas: schemas, limits: config.limits))
        worker = SpoolWorker(spool: spool, processor: processor, store: store, audit: audit, pseudonymizer: pseudonymizer,
                             workers: config.workers, metrics: metrics,
                             timelines: try PathwayTimelines.opened(store: store, pseudonymizer: pseudonymizer, catalog: config.pathways),
                             intake: IntakeHealth(reportPath: spool.intakeReport))
    }

    /// Most bytes of inbound files in one batch (at least one file is always taken).
    static let batchBytes = 64 << 20

    /// Set when the audit log ends before its newest checkpoint (records lost while stopped).
    public var auditIntegrityWarning: String? { worker.audit.integrityWarning }

    /// Set when partners with a group cannot traverse a directory above the spool.
    public var layoutWarning: String? {
        let blocked = worker.spool.untraversableAncestors()
        guard !blocked.isEmpty else { return nil }
        return "partners with a group cannot traverse \(blocked.joined(separator: ", ")) (no o+x) to reach the spool; "
            + "chmod o+x it (docs/operations.md, Deployment with separate users)"
    }

    /// Ends this instance's audit writing with a checkpoint of the head, so that a log cut while
    /// the gateway is stopped is detected. The daemon must not process files afterwards.
    public func close() throws { try worker.audit.close() }

    /// Finishes interrupted work; returns how many messages it touched.
    public func recover() throws -> Int { try worker.recover(partners: config.partners, batchSize: config.batchSize) }

    /// Messages decided but not finished: held back by a fault (their outputs cannot be written
    /// yet). Zero after a drain that finished everything.
    public func heldBackCount() throws -> Int { try worker.store.pendingWork().count }

    /// What keeps files waiting in inboxes (operator problems; spec §8).
    public var intake: IntakeHealth { worker.intake }

    /// One pass over every inbox; returns the number of files taken. Files that appear during the
    /// pass are taken by the next one. The files go through in batches (group commit, see
    /// `SpoolWorker`); `shouldStop` is asked between batches, so a SIGTERM finishes the batch in
    /// hand and no more. What the pass had to leave waiting is in `intake`; `onIntake` hears what
    /// changed there.
    func drainPass(shouldStop: @Sendable () -> Bool = { false },
                          onIntake: (IntakeHealth.Change) -> Void = { _ in }) throws -> Int {
        let listing = listInboxes()
        let taken = try worker.take(batches(of: listing.work[...]), shouldStop: shouldStop)
        let change = intake.finishPass(found: listing.problems + IntakeHealth.unconfiguredInboxes(spool: worker.spool, partners: config.partners),
                                       visited: listing.visited)
        if !change.isEmpty { onIntake(change) }
        return taken
    }

    /// The files each inbox offers that the gateway may read, and what keeps others waiting: an
    /// inbox it may not list, a file it may not read (an operator's permission problem, not the
    /// sender's: the file is left where it is, not rejected). Partners whose claims keep failing
    /// are left alone until their backoff runs out.
    private func listInboxes() -> (work: [SpoolWorker.Claimed], problems: [IntakeHealth.Problem], visited: Set<String>) {
        var work: [SpoolWorker.Claimed] = []
        var problems: [IntakeHealth.Problem] = []
        var visited: Set<String> = []
        for partner in config.partners where !intake.isBackingOff(partner.id) {
            visited.insert(partner.id)
            let inbox = worker.spool.inbound(partner.id)
            let names: [String]
            do { names = try Spool.listCandidates(in: inbox, renamingNonUTF8: true) } catch {
                problems.append(.init(kind: .inboxUnlistable, partner: partner.id, path: worker.spool.relative(inbox), files: 0,
                                      error: error.description))
                continue
            }
            for name in names {
                // The link itself, never its target: a symbolic link is taken and refused (T01).
                if faccessat(AT_FDCWD, "\(inbox)/\(name)", R_OK, AT_EACCESS | AT_SYMLINK_NOFOLLOW) != 0, errno == EACCES {
                    problems.append(.init(kind: .fileUnreadable, partner: partner.id, path: worker.spool.relative("\(inbox)/\(name)"),
                                          files: 1, error: String(cString: strerror(EACCES))))
                    continue
                }
                work.append(SpoolWorker.Claimed(partner: partner, name: name))
            }
        }
        return (work, problems, visited)
    }

    /// The files cut into batches of at most `batchSize` files and about `batchBytes` bytes.
    private func batches(of files: ArraySlice<SpoolWorker.Claimed>) -> [[SpoolWorker.Claimed]] {
        var work = files
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
        return batches
    }

    private static func fileSize(_ path: String) -> Int {
        var info = stat()
        return lstat(path, &info) == 0 ? Int(info.st_size) : 0
    }

    /// Passes until one finds nothing.
    public func drain(shouldStop: @Sendable () -> Bool = { false }, onIntake: (IntakeHealth.Change) -> Void = { _ in }) throws -> Int {
        var total = 0
        while !shouldStop() {
            let taken = try drainPass(shouldStop: shouldStop, onIntake: onIntake)
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
    /// `onRecovered` hears, with the number of failed attempts, when work goes through again after
    /// failures, so the log that said "failed" also says when it stopped failing.
    public func serve(shouldStop: @Sendable () -> Bool, recoverFirst: Bool = false, whenIdle: () -> Void = {},
                      onError: (any Error) -> Void = { _ in }, onIntake: (IntakeHealth.Change) -> Void = { _ in },
                      onRecovered: (Int) -> Void = { _ in }) throws {
        // An inbox it cannot watch (no permission to read it) is still scanned: its problem is
        // reported by the scan, and the other partners are watched as usual.
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
                        if try worker.retryHeldBack() == 0 {  // else reported below
                            onRecovered(heldBack.failures)
                            heldBack.succeeded()
                        }
                    } catch {
                        // Still failing for all of them: not the others' problem, back off further.
                        heldBack.failed()
                        onError(error)
                    }
                }
                let taken = try drainPass(shouldStop: shouldStop, onIntake: onIntake)
                if failedPasses.failures > 0 { onRecovered(failedPasses.failures) }
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
