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
    /// Folds the showings of identities into the audit log on each pass.
    let identityAccess: IdentityAccessFolding
    /// Reminders (spec §9); nil when no contact point has them on.
    let reminders: ReminderSweep?

    /// `metrics`: counts each outcome and its latency (kept across reloads by the caller).
    public init(config: GatewayConfig, schemas: SchemaSet, metrics: GatewayMetrics? = nil) throws {
        self.config = config
        // Refuses to start (or a reload) when a configured group cannot be used.
        let spool = Spool(root: config.spool, access: try SpoolAccess.resolve(config.partners))
        try spool.prepare(for: config.partners)
        // State, key and audit log must belong together (spec §8); refused otherwise.
        let (store, pseudonymizer) = try StartupCheck.open(spool)
        let audit = try AuditLog(
            path: spool.auditLog, pseudonymizer: pseudonymizer, checkpoints: AuditCheckpoints(store: store))
        let processor = MessageProcessor(
            config: config, validator: MessageValidator(schemas: schemas, limits: config.limits),
            pseudonymizer: pseudonymizer)
        worker = SpoolWorker(
            spool: spool, processor: processor, store: store, audit: audit, workers: config.workers, metrics: metrics,
            timelines: try PathwayTimelines.opened(
                store: store, pseudonymizer: pseudonymizer, catalog: config.pathways),
            intake: IntakeHealth(reportPath: spool.intakeReport))
        identityAccess = IdentityAccessFolding(spool: spool, audit: audit, store: store)
        reminders =
            config.sendsReminders
            ? ReminderSweep(config: config, spool: spool, store: store, pseudonymizer: pseudonymizer) : nil
    }

    /// One reminder tick (spec §9): files for the windows open today written into the gateway's
    /// own inbox, for the next drain pass to deliver. Nil when reminders are off.
    func remind(now: Date = Date()) throws -> ReminderSweep.Outcome? {
        try reminders?.run(today: ReminderClock.today(now: now), now: now)
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
    /// `SpoolWorker`); `stop` is asked between batches, so a SIGTERM finishes the batch in hand
    /// and no more. What the pass had to leave waiting is in `intake`; `onIntake` hears what
    /// changed there.
    func drainPass(
        stop: StopToken, onIntake: (IntakeHealth.Change) -> Void = { _ in },
        onIdentityAccess: (any Error) -> Void = { _ in }
    ) throws -> Int {
        identityAccess.fold(reporting: onIdentityAccess)
        let listing = listInboxes()
        let taken = try worker.take(batches(of: listing.work[...]), stop: stop)
        let change = intake.finishPass(
            found: listing.problems + IntakeHealth.unconfiguredInboxes(spool: worker.spool, partners: config.partners),
            visited: listing.visited)
        if !change.isEmpty { onIntake(change) }
        return taken
    }

    /// The files each inbox offers that the gateway may read, and what keeps others waiting: an
    /// inbox it may not list, a file it may not read (an operator's permission problem, not the
    /// sender's: the file is left where it is, not rejected). Partners whose claims keep failing
    /// are left alone until their backoff runs out. At most `passLimit` files per inbox and pass,
    /// the first in name order: the intake's memory does not grow with the backlog (the next pass
    /// takes the next ones).
    private func listInboxes() -> (work: [SpoolWorker.Claimed], problems: [IntakeHealth.Problem], visited: Set<String>)
    {
        var work: [SpoolWorker.Claimed] = []
        var problems: [IntakeHealth.Problem] = []
        var visited: Set<String> = []
        for partner in config.partners where !intake.isBackingOff(partner.id) {
            visited.insert(partner.id)
            let inbox = worker.spool.inbound(partner.id)
            do {
                let listed = try readableFiles(in: inbox, of: partner)
                work += listed.readable
                problems += listed.unreadable
            } catch {
                problems.append(
                    .init(
                        kind: .inboxUnlistable, partner: partner.id, path: worker.spool.relative(inbox), files: 0,
                        error: error.description))
            }
        }
        return (work, problems, visited)
    }

    /// Files per inbox and pass (4 batches' worth).
    private var passLimit: Int { 4 * config.batchSize }

    /// The first files of `inbox` in name order that the gateway may read, and those it may not.
    /// When every file listed is unreadable and more are there, it lists further, so unreadable
    /// files at the front never keep the readable ones behind them waiting.
    private func readableFiles(in inbox: String, of partner: Partner) throws(Spool.ListingFailure)
        -> (readable: [SpoolWorker.Claimed], unreadable: [IntakeHealth.Problem])
    {
        var limit = passLimit
        while true {
            let names = try Spool.listCandidates(in: inbox, renamingNonUTF8: true, limit: limit)
            var readable: [SpoolWorker.Claimed] = []
            var unreadable: [IntakeHealth.Problem] = []
            for name in names {
                // The link itself, never its target: a symbolic link is taken and refused (T01).
                if faccessat(AT_FDCWD, "\(inbox)/\(name)", R_OK, AT_EACCESS | AT_SYMLINK_NOFOLLOW) != 0, errno == EACCES
                {
                    unreadable.append(
                        .init(
                            kind: .fileUnreadable, partner: partner.id, path: worker.spool.relative("\(inbox)/\(name)"),
                            files: 1, error: String(cString: strerror(EACCES))))
                } else {
                    readable.append(SpoolWorker.Claimed(partner: partner, name: name))
                }
            }
            if !readable.isEmpty || names.count < limit { return (readable, unreadable) }
            limit *= 4
        }
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

    /// Passes until one finds nothing, or until `stop` is requested.
    /// `onIdentityAccess`: the showings of identities could not be folded into the audit log.
    public func drain(
        stop: StopToken = StopToken(), onIntake: (IntakeHealth.Change) -> Void = { _ in },
        onIdentityAccess: (any Error) -> Void = { _ in }
    ) throws -> Int {
        var total = 0
        while !stop.isRequested {
            let taken = try drainPass(stop: stop, onIntake: onIntake, onIdentityAccess: onIdentityAccess)
            total += taken
            if taken == 0 { return total }
        }
        return total
    }
}
