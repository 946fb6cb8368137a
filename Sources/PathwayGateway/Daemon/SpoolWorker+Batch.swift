import Foundation

/// What a batch carries from one step to the next (`SpoolWorker`, in run order).
extension SpoolWorker {
    /// 1. A file claimed into `state/processing/<partner>/`.
    struct Claimed: Sendable {
        var partner: Partner
        var name: String
    }

    /// 2. One file read from `processing/`, with the id its claim will get.
    struct Inbound: Sendable {
        var file: Claimed
        var bytes: [UInt8]
        var sha256: String
        var readFailure: String?
        var proposedId: String
        var now: Date
    }

    /// 2. A read file, the plan made for it, that plan's audit records, and where its outputs
    /// were staged.
    struct Prepared: Sendable {
        var inbound: Inbound
        var plan: ProcessingPlan
        var trail: [AuditLog.Encoded]
        /// The records as the database keeps them until they are in the log (for recovery).
        var storedTrail: String
        /// Final path → spool-relative temp file already holding that output.
        var staged: [String: String] = [:]
        /// When its outputs were staged (monotonic nanoseconds; `.max` until they are).
        var stagedAt = UInt64.max

        /// Plans are made in parallel, so the costly part of recording them (encoding the audit
        /// records, which the database keeps for recovery and the log gets) is done here too.
        init(inbound: Inbound, plan: ProcessingPlan, audit: AuditLog) {
            self.inbound = inbound
            self.plan = plan
            trail = AuditTrail.entries(
                for: plan, partner: inbound.file.partner.id, fileName: inbound.file.name,
                sha256: inbound.sha256, now: inbound.now
            ).map(audit.encode)
            storedTrail = AuditTrail.stored(trail)
        }
    }

    /// 3. A recorded decision: what to write and move (`work`) and what the audit log says (`trail`).
    struct Decided: Sendable {
        var work: MessageStore.PendingWork
        /// Nil for a decision recorded by an earlier run (observed then, or lost with a crash).
        var outcome: String?
        var trail: [AuditLog.Encoded]
        /// Re-planned inside the transaction, with outputs staged after the batch's sync.
        var restaged = false
    }

    /// 4. A batch whose outputs have their final names, while the `syncfs` that makes them durable
    /// runs on another thread: the next batch records its decisions meanwhile, and closes this
    /// batch's messages in the same transaction, committed only once that sync has returned.
    struct Publishing {
        var sync: BackgroundWork<Void>
        var messageIds: [String]
    }
}
