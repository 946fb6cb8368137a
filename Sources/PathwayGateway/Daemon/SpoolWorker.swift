import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Carries one inbound file through claim → decide → write → archive, each step recorded before
/// the next so that a crash anywhere is finished on restart (see docs/daemon-design.md). The
/// decision itself is `MessageProcessor`'s; this type only does the I/O around it.
public final class SpoolWorker: Sendable {
    public let spool: Spool
    public let processor: MessageProcessor
    public let store: MessageStore
    public let audit: AuditLog
    /// Patients' pathway timelines (same database as `store`); nil records none.
    public let timelines: PathwayTimelines?

    public init(spool: Spool, processor: MessageProcessor, store: MessageStore, audit: AuditLog, timelines: PathwayTimelines? = nil) {
        self.spool = spool
        self.processor = processor
        self.store = store
        self.audit = audit
        self.timelines = timelines
    }

    /// Claims `inbound/<partner>/<name>` by renaming it into `state/processing/`; false when another
    /// worker (or an earlier event) already took it.
    @discardableResult
    public func take(_ partner: Partner, _ name: String) throws -> Bool {
        let source = "\(spool.inbound(partner.id))/\(name)"
        let claimed = "\(spool.processing(partner.id))/\(name)"
        guard rename(source, claimed) == 0 else {
            if errno == ENOENT { return false }
            throw DurableFile.Failure.system(operation: "rename", path: source, errno: errno)
        }
        try process(partner, name)
        return true
    }

    /// Works on a file already in `state/processing/<partner>/` (fresh, or left by a crash).
    public func process(_ partner: Partner, _ name: String) throws {
        let path = "\(spool.processing(partner.id))/\(name)"
        var bytes: [UInt8] = []
        var readFailure: String?
        do { bytes = try FileReader.read(path, limit: processor.validator.limits.maxBytes) } catch { readFailure = error.description }
        let sha = SHA256.hex(bytes)
        let claim = try store.claim(partnerId: partner.id, fileName: name, sha256: sha)
        if claim.state == .claimed {
            let now = Date()
            let input = MessageProcessor.Input(partner: partner, fileName: name, messageId: claim.messageId, bytes: bytes,
                                               sha256: sha, readFailure: readFailure, now: now,
                                               newId: { UUID().uuidString.lowercased() })
            let plan = try decide(input)
            CrashPoint.hit("decided")
            try audit.record(event: "received", partner: partner.id, file: name, outcome: plan.decision.outcome.rawValue,
                             sha256: sha, facts: plan.facts, now: now)
        }
        try finish(messageId: claim.messageId)
    }

    /// Plans and records the decision. Two workers may take two copies of one message at once: the
    /// second to record finds the (sender, MsgId) key taken and plans again, now as a duplicate.
    private func decide(_ input: MessageProcessor.Input) throws -> ProcessingPlan {
        let lookups = MessageProcessor.Lookups(firstMessage: store.findFirst, routedMessage: store.matchAppRec)
        for attempt in 1...2 {
            let plan = try processor.plan(input, lookups: lookups)
            do {
                if let answer = plan.receiverAppRec {
                    try store.recordReceiverAppRec(routedId: answer.routedId, status: answer.status, errorCode: answer.errorCode,
                                                   errorText: answer.errorText, appRecMessageId: input.messageId)
                }
                // PATHWAYS-INTEGRATION: the decision and the patient's timeline event commit together.
                try store.db.transaction {
                    if try store.recordDecision(messageId: input.messageId, plan.decision), plan.decision.outcome == .accepted {
                        try timelines?.record(facts: plan.facts, partner: input.partner.id, messageId: input.messageId, receivedAt: input.now)
                    }
                }
                return plan
            } catch MessageStore.Failure.keyAlreadyRegistered where attempt == 1 {
                continue
            }
        }
        preconditionFailure("unreachable: the second attempt returns or throws")
    }

    /// Writes whatever a decided message still lacks, moves the original, marks it done. Safe to
    /// repeat: identical existing outputs count as written.
    public func finish(messageId: String) throws {
        guard let work = try store.pendingWork(messageId: messageId).first else { return }
        // Routed messages and notices first, the AppRec last: no receipt is visible before its effects.
        let ordered = work.outputs.filter { $0.kind != .apprec } + work.outputs.filter { $0.kind == .apprec }
        for output in ordered {
            _ = try DurableFile.write(output.bytes, to: spool.absolute(output.path))
            CrashPoint.hit("\(output.kind.rawValue)-written")
        }
        _ = try store.markOutputsWritten(messageId: messageId)
        if let destination = work.destination {
            let source = "\(spool.processing(work.partnerId))/\(work.fileName)"
            if FileManager.default.fileExists(atPath: source) || FileManager.default.fileExists(atPath: spool.absolute(destination)) {
                do {
                    _ = try DurableFile.atomicMove(from: source, to: spool.absolute(destination))
                } catch {
                    // A directory or FIFO named *.xml cannot be hard-linked; a plain rename still
                    // takes it out of the way (nothing reads it afterwards).
                    guard rename(source, spool.absolute(destination)) == 0 else { throw error }
                }
            }
        }
        CrashPoint.hit("archived")
        try store.markDone(messageId: messageId)
    }

    /// After a restart: finish every decided message, then re-process files still in processing/.
    public func recover(partners: [Partner]) throws -> Int {
        removeAbandonedTempFiles(partners: partners)
        var count = 0
        for work in try store.pendingWork() where work.state == .decided {
            // The decision may not have reached the audit log before the crash: say what was finished.
            try audit.record(event: "recovered", partner: work.partnerId, file: work.fileName, outcome: nil, sha256: nil)
            try finish(messageId: work.messageId)
            count += 1
        }
        for partner in partners {
            for name in Spool.candidates(in: spool.processing(partner.id)) {
                try process(partner, name)
                count += 1
            }
        }
        return count
    }
}

extension SpoolWorker {
    /// A crash mid-write leaves `.<name>.<suffix>.tmp` files (never visible under a final name); only
    /// the gateway writes these directories, so at start-up any such file is an orphan.
    func removeAbandonedTempFiles(partners: [Partner]) {
        for partner in partners {
            for dir in [spool.outbound(partner.id), spool.absolute("archive/\(partner.id)"), spool.absolute("quarantine/\(partner.id)")] {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
                for name in names where name.hasPrefix(".") && name.hasSuffix(".tmp") {
                    try? FileManager.default.removeItem(atPath: "\(dir)/\(name)")
                }
            }
        }
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
