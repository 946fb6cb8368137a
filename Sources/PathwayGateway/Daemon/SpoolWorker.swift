import Dispatch
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Carries batches of inbound files through claim → plan → record → audit → effects → done, each
/// stage durable before the next, so that a crash anywhere is finished on restart
/// (docs/daemon-design.md). The decision itself is `MessageProcessor`'s; this type does the I/O.
///
/// Group commit: a batch shares its syncs. One transaction records every decision, committed once
/// a `syncfs` made its staged outputs durable (usually the previous batch's, which covered them);
/// one fsync the audit records; one `syncfs` the outputs' final names and the moved originals,
/// run while the next batch is recorded, whose transaction then closes this batch — a handful of
/// syncs per batch instead of a dozen per message, and no AppRec visible before what it confirms
/// is durable.
public final class SpoolWorker: Sendable {
    public let spool: Spool
    let processor: MessageProcessor
    let store: MessageStore
    let audit: AuditLog
    let pseudonymizer: Pseudonymizer
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

    init(spool: Spool, processor: MessageProcessor, store: MessageStore, audit: AuditLog,
                pseudonymizer: Pseudonymizer, workers: Int = 2, metrics: GatewayMetrics? = nil,
                timelines: PathwayTimelines? = nil, intake: IntakeHealth = IntakeHealth(reportPath: nil)) {
        self.spool = spool
        self.processor = processor
        self.store = store
        self.audit = audit
        self.pseudonymizer = pseudonymizer
        self.workers = max(1, workers)
        self.metrics = metrics
        self.timelines = timelines
        self.intake = intake
    }

    /// A file claimed into `state/processing/<partner>/`.
    struct Claimed: Sendable {
        var partner: Partner
        var name: String
        init(partner: Partner, name: String) { self.partner = partner; self.name = name }
    }

    /// Claims and processes batches of inbound files; returns how many were taken. While one batch
    /// is committed (the disk's part), the next is already read, validated and staged on other
    /// threads (the CPU's part). `shouldStop` is asked before each batch is claimed: a stop
    /// finishes the batches in hand and claims no more.
    @discardableResult
    func take(_ batches: [[Claimed]], shouldStop: () -> Bool = { false }) throws -> Int {
        guard let first = batches.first, !shouldStop() else { return 0 }
        var taken = 0
        var next = BackgroundWork { [self] in try prepare(claim(first)) }
        var publishing: Publishing?
        for index in batches.indices {
            let prepared: [Prepared]
            do { prepared = try next.wait() } catch {
                _ = try? publishing?.sync.wait()  // its messages stay decided; recovery closes them
                throw error
            }
            if index + 1 < batches.count, !shouldStop() {
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
                return try DurableFile.renameNoReplace("\(inbox)/\(file.name)", to: "\(spool.processing(file.partner.id))/\(file.name)")
            } catch {
                intake.claimFailed(partner: file.partner.id, inbox: spool.relative(inbox), error: "\(error)")
                return false
            }
        }
    }

    /// The pipeline for files already in `state/processing/` (fresh, or left by a crash).
    func process(_ files: [Claimed]) throws { try close(commit(prepare(files), after: nil)) }

    /// A batch whose outputs have their final names, while the `syncfs` that makes them durable
    /// runs on another thread: the next batch records its decisions meanwhile, and closes this
    /// batch's messages in the same transaction, committed only once that sync has returned.
    struct Publishing {
        var sync: BackgroundWork<Void>
        var messageIds: [String]
    }

    /// Waits for a publishing batch's sync and closes its messages.
    private func close(_ publishing: Publishing?) throws {
        guard let publishing else { return }
        try publishing.sync.wait()
        try store.markDone(messageIds: publishing.messageIds)
    }

    /// Per batch, top to bottom; each stage is durable before the next depends on it.
    /// 1. (`prepare`) Read and plan every file in parallel — plans see the committed state only —
    ///    and write each planned output to a hidden temp file.
    /// 2. Intent before effects: claims and decisions in ONE transaction, naming the staged files,
    ///    committed only after a sync made those files durable (the previous batch's sync covers
    ///    them when they were written before it started). A plan that collides with one recorded
    ///    before it (two copies of one message) is re-planned there and sees it. The same
    ///    transaction closes the previous batch (`after`), whose sync it waits for first.
    /// 3. Every step's audit record, synced before any of those steps becomes visible.
    /// 4. The effects (`finish`): final names, originals moved; their sync is started on another
    ///    thread and returned, for the next batch (or `close`) to wait for.
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
        let finished = try finish(decided.map(\.work), closing: false).unclosed
        let seconds = Date().timeIntervalSince(started)
        for item in decided {
            if let outcome = item.outcome { metrics?.observe(outcome: outcome, partner: item.work.partnerId, latencySeconds: seconds) }
        }
        guard !finished.isEmpty else { return nil }
        return Publishing(sync: BackgroundWork { [self] in
            try syncSpool()
            CrashPoint.hit("archived")
        }, messageIds: finished)
    }

    /// One file read from `processing/`, with the id its claim will get.
    struct Inbound: Sendable {
        var file: Claimed
        var bytes: [UInt8]
        var sha256: String
        var readFailure: String?
        var proposedId: String
        var now: Date
    }

    /// A read file, the plan made for it, and that plan's audit records.
    struct Prepared: Sendable {
        var inbound: Inbound
        var plan: ProcessingPlan
        var trail: [AuditLog.Encoded]
        /// When its outputs were staged (monotonic nanoseconds; `.max` until they are).
        var stagedAt = UInt64.max

        /// Plans are made in parallel, so the costly part of recording them (encoding the audit
        /// records, which the database keeps for recovery and the log gets) is done here too.
        init(inbound: Inbound, plan: ProcessingPlan, audit: AuditLog) {
            self.inbound = inbound
            self.plan = plan
            trail = AuditTrail.entries(for: plan, partner: inbound.file.partner.id, fileName: inbound.file.name,
                                       sha256: inbound.sha256, now: inbound.now).map(audit.encode)
            self.plan.decision.auditFacts = AuditTrail.stored(trail)
        }
    }

    /// A recorded decision: what to write and move (`work`) and what the audit log says (`trail`).
    struct Decided: Sendable {
        var work: MessageStore.PendingWork
        /// Nil for a decision recorded by an earlier run (observed then, or lost with a crash).
        var outcome: String?
        var trail: [AuditLog.Encoded]
        /// Re-planned inside the transaction, with outputs staged after the batch's sync.
        var restaged = false
    }

    /// Reads and plans the files on `workers` threads. Lookups read committed state: collisions
    /// inside the batch are resolved when the plans are recorded.
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
        var bytes: [UInt8] = []
        var readFailure: String?
        let path = "\(spool.processing(file.partner.id))/\(file.name)"
        var sha256: String?
        do {
            bytes = try FileReader.read(path, limit: processor.validator.limits.maxBytes)
        } catch .system(_, let code) where code == EACCES || code == EPERM {
            if (try? DurableFile.renameNoReplace(path, to: "\(spool.inbound(file.partner.id))/\(file.name)")) == true { return nil }
            readFailure = FileReader.Failure.system(operation: "open", errno: code).description
        } catch {
            readFailure = error.description
            // Over the limit: its start still names the message (for a T01 AppRec), and the audit
            // records the digest of the whole file.
            if case .tooLarge = error, let summary = try? FileReader.summary(path, keeping: HeaderSalvage.scannedBytes) {
                (bytes, sha256) = (summary.head, summary.sha256)
            }
        }
        let inbound = Inbound(file: file, bytes: bytes, sha256: sha256 ?? SHA256.hex(bytes), readFailure: readFailure,
                              proposedId: TimeOrderedID.make(now: now), now: now)
        let planned = try withReader { try plan(inbound, messageId: inbound.proposedId, lookingUpIn: $0) }
        return try stage(Prepared(inbound: inbound, plan: planned, audit: audit))
    }

    /// Runs `body` with a reader connection no other thread uses meanwhile; kept for the next file.
    private func withReader<T>(_ body: (MessageStore) throws -> T) throws -> T {
        let reader = try readers.withLock { $0.popLast() } ?? store.reader()
        defer { readers.withLock { $0.append(reader) } }
        return try body(reader)
    }

    /// Writes a plan's outputs to hidden temp files next to their final names, not yet synced: one
    /// sync covers the whole batch before the decisions that name them are committed, so the
    /// database records a name instead of the bytes.
    private func stage(_ prepared: Prepared) throws -> Prepared {
        var prepared = prepared
        for output in prepared.plan.decision.plannedOutputs {
            let (mode, group) = spool.access.output(at: output.path)
            let temp = try DurableFile.stage(output.bytes, for: spool.absolute(output.path), in: spool.staging, mode: mode,
                                             group: group, sync: false)
            prepared.plan.decision.staged[output.path] = spool.relative(temp)
        }
        prepared.stagedAt = DispatchTime.now().uptimeNanoseconds
        return prepared
    }

    /// The pipeline's decision for one file, with the patient identity already replaced by its
    /// pseudonym: nothing after this point (database, audit) sees the fødselsnummer.
    /// `source`: a reader while preparing (committed state: a collision with a decision recorded
    /// since is found when the plan is recorded), `store` when re-planning inside the transaction.
    private func plan(_ inbound: Inbound, messageId: String, lookingUpIn source: MessageStore) throws -> ProcessingPlan {
        let input = MessageProcessor.Input(partner: inbound.file.partner, fileName: inbound.file.name, messageId: messageId,
                                           bytes: inbound.bytes, sha256: inbound.sha256, readFailure: inbound.readFailure,
                                           now: inbound.now, newId: { TimeOrderedID.make() })
        let lookups = MessageProcessor.Lookups(firstMessage: source.findFirst, routedMessage: source.matchAppRec,
                                               outputExists: { [spool] in access(spool.absolute($0), F_OK) == 0 })
        var plan = try processor.plan(input, lookups: lookups)
        plan.facts.gatewayId = messageId
        plan.facts.patientPseudonym = plan.facts.patientIdent.map(pseudonymizer.pseudonym(for:))
        plan.facts.patientIdent = nil
        return plan
    }

    /// Claims and records one file inside the batch transaction. A file whose earlier claim was
    /// already decided (a crash after the decision) is finished as decided, never re-decided.
    private func record(_ prepared: Prepared) throws -> Decided? {
        let inbound = prepared.inbound
        let partner = inbound.file.partner.id
        let claim = try store.claim(partnerId: partner, fileName: inbound.file.name, sha256: inbound.sha256, id: inbound.proposedId)
        guard claim.state == .claimed else {
            guard let work = try store.pendingWork(messageId: claim.messageId).first else { return nil }
            return Decided(work: work, outcome: nil, trail: [])   // its trail was written with the decision
        }
        var prepared = prepared
        var restaged = false
        if claim.messageId != inbound.proposedId { try replan(&prepared, messageId: claim.messageId, restaged: &restaged) }
        while true {
            let plan = prepared.plan
            do {
                // A savepoint: a collision undoes only this message's rows before it is re-planned.
                try store.step {
                    if let answer = plan.receiverAppRec {
                        try store.recordReceiverAppRec(routedId: answer.routedId, status: answer.status, errorCode: answer.errorCode,
                                                       errorText: answer.errorText, appRecMessageId: claim.messageId)
                    }
                    try store.recordDecision(messageId: claim.messageId, plan.decision)
                    // The patient's timeline event commits with the decision.
                    if plan.decision.outcome == .accepted {
                        try timelines?.record(facts: plan.facts, partner: partner, messageId: claim.messageId, receivedAt: inbound.now)
                    }
                }
                let work = MessageStore.PendingWork(messageId: claim.messageId, partnerId: partner, fileName: inbound.file.name,
                                                    state: .decided, outputs: plan.decision.plannedOutputs,
                                                    destination: plan.decision.destination)
                return Decided(work: work, outcome: plan.decision.outcome.rawValue, trail: prepared.trail, restaged: restaged)
            } catch MessageStore.Failure.keyAlreadyRegistered {
                // An earlier file in this batch registered the same (sender, MsgId); the lookups now
                // see it (same transaction), so the new plan is a duplicate or an E10.
                try replan(&prepared, messageId: claim.messageId, restaged: &restaged)
            }
        }
    }

    /// Plans a file again (inside the batch transaction) and stages the new plan's outputs in
    /// place of the old plan's.
    private func replan(_ prepared: inout Prepared, messageId: String, restaged: inout Bool) throws {
        for temp in prepared.plan.decision.staged.values { unlink(spool.absolute(temp)) }
        prepared = try stage(Prepared(inbound: prepared.inbound, plan: plan(prepared.inbound, messageId: messageId, lookingUpIn: store),
                                  audit: audit))
        restaged = true
    }
}

/// Test-only crash injection: with `PATHWAY_GATEWAY_CRASH_AT=<step>` the process ends at once
/// (`_exit`, no cleanup) right after that step, as a SIGKILL would.
enum CrashPoint {
    static let target = ProcessInfo.processInfo.environment["PATHWAY_GATEWAY_CRASH_AT"]

    static func hit(_ step: String) {
        if let target, target == step { _exit(137) }
    }
}
