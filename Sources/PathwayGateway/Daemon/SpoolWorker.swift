import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Carries batches of inbound files through their life, in this order (docs/daemon-design.md has
/// the map): claim → prepare (read, plan, stage) → commit (record every decision in one
/// transaction) → audit → publish (final names, originals moved) → close. Each step is durable
/// before the next depends on it, so a crash anywhere is finished on restart. The decision itself
/// is `MessageProcessor`'s; this type does the I/O.
///
/// Group commit: a batch shares its syncs. One transaction records every decision, committed once
/// a `syncfs` made its staged outputs durable (usually the previous batch's, which covered them);
/// one fsync the audit records; one `syncfs` the outputs' final names and the moved originals,
/// run while the next batch is recorded, whose transaction then closes this batch — a handful of
/// syncs per batch instead of a dozen per message, and no AppRec visible before what it confirms
/// is durable. Faults that only some messages meet are `+HeldBack`'s; restarts are `+Recovery`'s.
public final class SpoolWorker: Sendable {
    public let spool: Spool
    let processor: MessageProcessor
    let store: MessageStore
    let audit: AuditLog
    /// Threads that read and plan a batch's files in parallel (validation is the CPU work).
    let workers: Int
    /// Counts each outcome and its processing latency (nil where nobody reads them).
    let metrics: GatewayMetrics?
    /// Patients' pathway timelines (same database as `store`); nil records none.
    let timelines: PathwayTimelines?
    /// Set when work was held back by a fault only it meets (see `takeHeldBack`).
    let heldBackReport = Mutex<HeldBack?>(nil)
    /// When the last successful `syncfs` of the spool started (monotonic nanoseconds).
    let lastSyncStarted = Mutex<UInt64>(0)
    /// What keeps files waiting in inboxes: claims that fail are reported here (spec §8).
    public let intake: IntakeHealth
    /// Connections the planning threads look committed state up on (`MessageStore.reader`), so
    /// they need not wait for the batch transaction open on `store`.
    private let readers = Mutex<[MessageStore]>([])

    init(
        spool: Spool, processor: MessageProcessor, store: MessageStore, audit: AuditLog, workers: Int = 2,
        metrics: GatewayMetrics? = nil, timelines: PathwayTimelines? = nil,
        intake: IntakeHealth = IntakeHealth(reportPath: nil)
    ) {
        self.spool = spool
        self.processor = processor
        self.store = store
        self.audit = audit
        self.workers = max(1, workers)
        self.metrics = metrics
        self.timelines = timelines
        self.intake = intake
    }

    /// Claims and processes batches of inbound files; returns how many were taken. While one batch
    /// is committed (the disk's part), the next is already claimed, read, planned and staged on
    /// other threads (the CPU's part). `stop` is asked before each batch is claimed: a stop
    /// finishes the batches in hand and claims no more.
    @discardableResult
    func take(_ batches: [[Claimed]], stop: StopToken = StopToken()) throws -> Int {
        guard let first = batches.first, !stop.isRequested else { return 0 }
        var taken = 0
        var next = BackgroundWork { [self] in try prepare(claim(first)) }
        var publishing: Publishing?
        for index in batches.indices {
            let prepared: [Prepared]
            do { prepared = try next.wait() } catch {
                _ = try? publishing?.sync.wait()  // its messages stay decided; recovery closes them
                throw error
            }
            if index + 1 < batches.count, !stop.isRequested {
                let batch = batches[index + 1]
                next = BackgroundWork { [self] in try prepare(claim(batch)) }
            } else {
                next = BackgroundWork { [] }
            }
            do { publishing = try commit(prepared, after: publishing) } catch {
                _ = try? next.wait()  // its files stay claimed; a restart finishes them
                throw error
            }
            taken += prepared.count
        }
        try close(publishing)
        return taken
    }

    /// The same steps for files already in `state/processing/` (left by a crash), one batch.
    func process(_ files: [Claimed]) throws { try close(commit(prepare(files), after: nil)) }

    // MARK: 1. Claim

    /// Renames each `inbound/<partner>/<name>` into `state/processing/` before any work; a name
    /// another process or an earlier pass already took is skipped. So is a name still in
    /// `processing/` from an earlier file (a sender reusing a name while the first is in flight):
    /// it is never replaced, and the new file is taken once the earlier one is done.
    /// A file that cannot be claimed (an inbox the gateway may not write, EACCES; an inbox on
    /// another file system, EXDEV) stays where it is, and its partner is reported and backed off
    /// (`IntakeHealth`); it does not stop the other partners' files.
    private func claim(_ files: [Claimed]) -> [Claimed] {
        files.filter { file in
            let inbox = spool.inbound(file.partner.id)
            do {
                return try DurableFile.renameNoReplace(
                    "\(inbox)/\(file.name)", to: "\(spool.processing(file.partner.id))/\(file.name)")
            } catch {
                intake.claimFailed(partner: file.partner.id, inbox: spool.relative(inbox), error: "\(error)")
                return false
            }
        }
    }

    // MARK: 2. Prepare: read, plan, stage (on `workers` threads)

    /// Reads, plans and stages the files on `workers` threads. Lookups read committed state:
    /// collisions inside the batch are resolved when the plans are recorded (`record`).
    private func prepare(_ files: [Claimed]) throws -> [Prepared] {
        guard !files.isEmpty else { return [] }
        let now = Date()
        let results = Mutex([Result<Prepared?, any Error>?](repeating: nil, count: files.count))
        let next = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: min(workers, files.count)) { _ in
            while true {
                let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
                guard index < files.count else { return }
                let result = Result { try prepare(files[index], now: now) }
                results.withLock { $0[index] = result }
            }
        }
        return try results.withLock { try $0.compactMap { try $0!.get() } }
    }

    /// Nil when the gateway may not read the file (its permissions changed after the intake
    /// checked them): an operator problem, not the sender's, so it goes back to its inbox
    /// undecided, where the next pass reports it (`IntakeHealth`) until it can be read.
    private func prepare(_ file: Claimed, now: Date) throws -> Prepared? {
        guard let inbound = read(file, now: now) else { return nil }
        let planned = try withReader { try plan(inbound, messageId: inbound.proposedId, lookingUpIn: $0) }
        return try stage(Prepared(inbound: inbound, plan: planned, audit: audit))
    }

    /// The claimed file's bytes, or why they could not be read whole.
    private func read(_ file: Claimed, now: Date) -> Inbound? {
        var bytes: [UInt8] = []
        var readFailure: String?
        let path = "\(spool.processing(file.partner.id))/\(file.name)"
        var sha256: String?
        do {
            bytes = try FileReader.read(path, limit: processor.validator.limits.maxBytes)
        } catch .system(_, let code) where code == EACCES || code == EPERM {
            if (try? DurableFile.renameNoReplace(path, to: "\(spool.inbound(file.partner.id))/\(file.name)")) == true {
                return nil
            }
            readFailure = FileReader.Failure.system(operation: "open", errno: code).description
        } catch {
            readFailure = error.description
            // Over the limit: its start still names the message (for a T01 AppRec), and the audit
            // records the digest of the whole file.
            if case .tooLarge = error, let summary = try? FileReader.summary(path, keeping: HeaderSalvage.scannedBytes)
            {
                (bytes, sha256) = (summary.head, summary.sha256)
            }
        }
        return Inbound(
            file: file, bytes: bytes, sha256: sha256 ?? SHA256.hex(bytes), readFailure: readFailure,
            proposedId: TimeOrderedID.make(now: now), now: now)
    }

    /// The pipeline's decision for one file (`MessageProcessor`: the patient already pseudonymized,
    /// so nothing after this point — database, audit — sees the fødselsnummer).
    /// `source`: a reader while preparing (committed state: a collision with a decision recorded
    /// since is found when the plan is recorded), `store` when re-planning inside the transaction.
    private func plan(_ inbound: Inbound, messageId: String, lookingUpIn source: MessageStore) throws -> ProcessingPlan
    {
        let input = MessageProcessor.Input(
            partner: inbound.file.partner, fileName: inbound.file.name, messageId: messageId,
            bytes: inbound.bytes, sha256: inbound.sha256, readFailure: inbound.readFailure,
            now: inbound.now, newId: { TimeOrderedID.make() })
        let lookups = MessageProcessor.Lookups(
            firstMessage: source.findFirst, routedMessage: source.matchAppRec,
            outputExists: { [spool] in DurableFile.exists(spool.absolute($0)) }, deliveries: source.deliveries,
            archivedHead: { [spool, processor] id in
                try? ArchivedOriginal.read(
                    messageId: id, store: source, spool: spool, limits: processor.validator.limits
                ).get().head
            })
        return try processor.plan(input, lookups: lookups)
    }

    /// Runs `body` with a reader connection no other thread uses meanwhile; kept for the next file.
    private func withReader<T>(_ body: (MessageStore) throws -> T) throws -> T {
        let reader = try readers.withLock { $0.popLast() } ?? store.reader()
        defer { readers.withLock { $0.append(reader) } }
        return try body(reader)
    }

    /// Writes a plan's outputs to hidden temp files in `state/staging/`, not yet synced: one sync
    /// covers the whole batch before the decisions that name them are committed, so the database
    /// records a name instead of the bytes.
    private func stage(_ prepared: Prepared) throws -> Prepared {
        var prepared = prepared
        for output in prepared.plan.decision.outputs() {
            let (mode, group) = spool.access.output(at: output.path)
            let temp = try DurableFile.stage(
                output.bytes, for: spool.absolute(output.path), in: spool.staging, mode: mode,
                group: group, sync: false)
            prepared.staged[output.path] = spool.relative(temp)
        }
        prepared.stagedAt = DispatchTime.now().uptimeNanoseconds
        return prepared
    }

    // MARK: 3. Commit: every decision in one transaction, then the audit records

    /// Per batch, each step durable before the next depends on it:
    /// - intent before effects: claims and decisions in ONE transaction, naming the staged files,
    ///   committed only after a sync made those files durable (the previous batch's sync covers
    ///   them when they were written before it started). A plan that collides with one recorded
    ///   before it (two copies of one message) is re-planned there and sees it. The same
    ///   transaction closes the previous batch (`after`), whose sync it waits for first;
    /// - every step's audit record, synced before any of those steps becomes visible;
    /// - the effects (`publish`), whose sync runs on another thread for the next batch (or
    ///   `close`) to wait for.
    private func commit(_ prepared: [Prepared], after previous: Publishing?) throws -> Publishing? {
        guard !prepared.isEmpty else {
            try close(previous)
            return nil
        }
        let started = prepared[0].inbound.now
        let decided: [Decided]
        do {
            decided = try store.batch {
                // Closed only if this transaction commits, which waits for their sync below.
                if let previous { try store.markDone(messageIds: previous.messageIds) }
                // One savepoint per message (in `record`), none per statement group: a failure other
                // than a collision fails the whole batch anyway.
                let decided = try store.joined { try prepared.compactMap(record) }
                try previous?.sync.wait()
                if decided.contains(where: \.restaged) {
                    try syncSpool()  // re-planned outputs were staged just now
                } else {
                    try syncSpool(unlessCoveringWritesBefore: prepared.map(\.stagedAt).max() ?? .max)
                }
                CrashPoint.hit("staged")
                return decided
            }
        } catch {
            _ = try? previous?.sync.wait()  // not left running past a failed batch
            throw error
        }
        CrashPoint.hit("decided")
        try audit.append(encoded: decided.flatMap(\.trail))
        let publishing = try publish(decided)
        let seconds = Date().timeIntervalSince(started)
        for item in decided {
            if let outcome = item.outcome {
                metrics?.observe(outcome: outcome, partner: item.work.partnerId, latencySeconds: seconds)
            }
        }
        return publishing
    }

    /// Claims and records one file inside the batch transaction. A file whose earlier claim was
    /// already decided (a crash after the decision) is finished as decided, never re-decided.
    private func record(_ prepared: Prepared) throws -> Decided? {
        let inbound = prepared.inbound
        let partner = inbound.file.partner.id
        let claim = try store.claim(
            partnerId: partner, fileName: inbound.file.name, sha256: inbound.sha256, id: inbound.proposedId)
        guard claim.state == .claimed else {
            guard let work = try store.pendingWork(messageId: claim.messageId).first else { return nil }
            return Decided(work: work, outcome: nil, trail: [])  // its trail was written with the decision
        }
        var prepared = prepared
        var restaged = false
        if claim.messageId != inbound.proposedId {
            try replan(&prepared, messageId: claim.messageId, restaged: &restaged)
        }
        var replannedForCollision = false
        while true {
            let plan = prepared.plan
            do {
                // A savepoint: a collision undoes only this message's rows before it is re-planned.
                try store.step {
                    if let answer = plan.receiverAppRec {
                        let first = try store.recordReceiverAppRec(
                            routedId: answer.routedId, status: answer.status, errorCode: answer.errorCode,
                            errorText: answer.errorText, appRecMessageId: claim.messageId)
                        // Another AppRec in this batch answered the copy first: that one is relayed.
                        guard first else { throw MessageStore.Failure.deliveryChanged(routedId: answer.routedId) }
                    }
                    try store.recordDecision(
                        messageId: claim.messageId, plan.decision, staged: prepared.staged,
                        auditTrail: prepared.storedTrail, pathwayEvent: plan.facts.pathwayEvent)
                    // The patient's timeline event commits with the decision.
                    if plan.decision.outcome == .accepted {
                        try timelines?.record(
                            facts: plan.facts, partner: partner, messageId: claim.messageId, receivedAt: inbound.now)
                    }
                }
                let work = MessageStore.PendingWork(
                    messageId: claim.messageId, partnerId: partner, fileName: inbound.file.name,
                    state: .decided, outputs: plan.decision.outputs(staged: prepared.staged),
                    destination: plan.decision.destination)
                return Decided(
                    work: work, outcome: plan.decision.outcome.rawValue, trail: prepared.trail, restaged: restaged)
            } catch let failure as MessageStore.Failure {
                // An earlier file in this batch registered the same (sender, MsgId), or resent the same
                // delivered message; the lookups now see it (same transaction), so the new plan is a
                // duplicate, an E10, or a resend that finds the other's copy still unread. A plan that
                // still collides then would collide for ever: the batch fails (logged, retried with
                // backoff) instead of the thread spinning.
                guard failure.isCollision, !replannedForCollision else { throw failure }
                replannedForCollision = true
                try replan(&prepared, messageId: claim.messageId, restaged: &restaged)
            }
        }
    }

    /// Plans a file again (inside the batch transaction) and stages the new plan's outputs in
    /// place of the old plan's.
    private func replan(_ prepared: inout Prepared, messageId: String, restaged: inout Bool) throws {
        for temp in prepared.staged.values { unlink(spool.absolute(temp)) }
        prepared = try stage(
            Prepared(
                inbound: prepared.inbound, plan: plan(prepared.inbound, messageId: messageId, lookingUpIn: store),
                audit: audit))
        restaged = true
    }

    // MARK: 4. Publish, 5. Close

    /// Gives the batch's outputs their final names and moves its originals (`giveFinalNames`;
    /// a fault some messages meet holds only those back), then starts the `syncfs` that makes it
    /// durable on another thread. The next batch's transaction (or `close`) closes the messages
    /// once that sync has returned.
    private func publish(_ decided: [Decided]) throws -> Publishing? {
        let together = try finish(decided.map(\.work), together: giveFinalNames).together
        guard !together.isEmpty else { return nil }
        return Publishing(
            sync: BackgroundWork { [self] in
                try syncSpool()
                CrashPoint.hit("archived")
            }, messageIds: together)
    }

    /// Waits for a publishing batch's sync and closes its messages.
    private func close(_ publishing: Publishing?) throws {
        guard let publishing else { return }
        try publishing.sync.wait()
        try store.markDone(messageIds: publishing.messageIds)
    }
}
