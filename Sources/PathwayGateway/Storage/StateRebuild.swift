import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// `pathway-gateway state rebuild`: a state database rebuilt from the audit log (every file,
/// rotated ones included) and the archived originals, after the database was lost, emptied or
/// restored from an older backup (spec §8).
///
/// What comes back, per message the log names, in the order they were decided: its row (done)
/// and its (sender, MsgId) key, so a resend is recognised; its AppRec with the exact bytes — the
/// outbound file while the partner has not fetched it, else the archived original run through
/// the pipeline again with the logged receipt id and time (the same bytes as then, while the
/// configuration is the same); routed rows, awaiting the receiver's AppRec or answered; pathway
/// timeline events (their dates are in the original). Where the original is gone or changed, the
/// log alone gives the row, the key and the routed rows. The new database is built under a
/// temporary name and only then put in place; the old one is renamed aside, never deleted.
public final class StateRebuild {
    public enum Failure: Error, Sendable, CustomStringConvertible {
        case noAuditLog(directory: String)
        case unreadableLog(reason: String)
        case keyMissing(key: String)
        /// A patient's pseudonym in the log is not what this key makes of the archived original.
        case keyDoesNotMatchLog(key: String)

        public var description: String {
            switch self {
            case let .noAuditLog(directory):
                "no audit log in \(directory): nothing to rebuild from (a fresh install needs no rebuild)"
            case let .unreadableLog(reason): "audit log unreadable: \(reason)"
            case let .keyMissing(key):
                "pseudonym key \(key) is missing: restore it from the backup first (or, if it is lost for good, rebuild with --new-key)"
            case let .keyDoesNotMatchLog(key):
                "pseudonym key \(key) is not the key the audit log was written with: restore the right key first; nothing was changed"
            }
        }
    }

    let config: GatewayConfig
    let spool: Spool
    let processor: MessageProcessor
    let pseudonymizer: Pseudonymizer
    /// The new database, at its temporary name.
    let store: MessageStore
    let timelines: PathwayTimelines
    /// The time a rebuilt row is stamped with: its message's decision time from the log.
    private let clock = Clock()

    /// Settable time shared with the store's clock closure.
    private final class Clock: Sendable {
        private let time = Mutex(Date())
        func set(_ date: Date) { time.withLock { $0 = date } }
        func now() -> Date { time.withLock { $0 } }
    }
    /// With a new key the log's pseudonyms cannot be compared with the originals'.
    let checksPseudonyms: Bool
    var report = Report()

    private init(
        config: GatewayConfig, schemas: SchemaSet, pseudonymizer: Pseudonymizer, checksPseudonyms: Bool, path: String
    ) throws {
        self.config = config
        spool = Spool(root: config.spool)
        processor = MessageProcessor(
            config: config, validator: MessageValidator(schemas: schemas, limits: config.limits))
        self.pseudonymizer = pseudonymizer
        self.checksPseudonyms = checksPseudonyms
        store = try MessageStore(path: path, now: { [clock] in clock.now() })
        timelines = PathwayTimelines(store: store, pseudonymizer: pseudonymizer, catalog: config.pathways)
    }

    /// Rebuilds the state database of `config`'s spool. The caller holds the spool lock.
    /// `newKey`: make a new pseudonym key when there is none (patients then get new pseudonyms).
    public static func run(config: GatewayConfig, schemas: SchemaSet, newKey: Bool = false) throws -> Report {
        let spool = Spool(root: config.spool)
        let directory = AuditDirectory(current: spool.auditLog)
        let files = directory.files()
        guard !files.isEmpty else { throw Failure.noAuditLog(directory: directory.path) }
        let keyExists = access(spool.pseudonymKey, F_OK) == 0
        guard keyExists || newKey else { throw Failure.keyMissing(key: spool.pseudonymKey) }
        let pseudonymizer = try Pseudonymizer.loadOrCreate(keyAt: spool.pseudonymKey)
        let temp = "\(spool.database).rebuilding"
        try removeDatabase(at: temp)
        var report: Report
        do {
            report = try build(
                config: config, schemas: schemas, pseudonymizer: pseudonymizer, checksPseudonyms: keyExists, at: temp)
        } catch {
            try? removeDatabase(at: temp)
            throw error
        }
        report.auditFiles = files.count
        report.newKey = !keyExists
        report.database = spool.database
        report.keptAside = try install(temp, as: spool.database)
        return report
    }

    /// Builds the new database at `path` and closes it.
    private static func build(
        config: GatewayConfig, schemas: SchemaSet, pseudonymizer: Pseudonymizer, checksPseudonyms: Bool,
        at path: String
    ) throws -> Report {
        let rebuild = try StateRebuild(
            config: config, schemas: schemas, pseudonymizer: pseudonymizer,
            checksPseudonyms: checksPseudonyms, path: path)
        let logged = try logged(in: AuditDirectory(current: rebuild.spool.auditLog))
        try rebuild.store.batch {
            for message in logged.messages { try rebuild.rebuild(message) }
            try rebuild.store.recordKeyFingerprint(pseudonymizer.fingerprint)
            // Identities shown are in the log already: the daemon folds only later lines.
            if let last = logged.lastShowing {
                try IdentityAccessFolding.noteFolded(through: last, spool: rebuild.spool, store: rebuild.store)
            }
        }
        try rebuild.store.checkpointAndTruncate()
        rebuild.report.auditRecords = logged.records
        rebuild.report.counts = try rebuild.store.rebuildCounts()
        return rebuild.report
    }

    /// One message: its row, key, AppRec, routed rows and timeline event, in one savepoint.
    private func rebuild(_ message: LoggedMessage) throws {
        guard let received = message.received, let sha256 = received.sha256, let partner = received.partner,
            let fileName = received.file, let date = received.date
        else {
            report.gap("incomplete in the audit log (no whole `received` record: a rotated file missing?)")
            return
        }
        clock.set(date)
        let sent = sentAppRec(message)
        let replanned = try replan(message, received, date: date, appRecSent: sent != nil)
        var decision: Decision
        if let plan = replanned {
            decision = plan.decision
            if let sent { decision.appRec?.bytes = sent }
        } else {
            decision = try loggedDecision(message, received, appRecBytes: sent)
        }
        if message.appRec != nil {
            if sent != nil {
                report.appRecsFromOutbound += 1
            } else if decision.appRec != nil {
                report.appRecsReEncoded += 1
            }
        }
        if decision.outcome == .duplicate, decision.duplicateOf == nil {
            report.gap("a duplicate whose first message is not in the log")
            return
        }
        decision.routed = decision.routed.map {
            var plan = $0
            plan.bytes = []
            return plan
        }
        decision.notices = decision.notices.map {
            var notice = $0
            notice.bytes = []
            return notice
        }
        do {
            try store.step {
                try record(message, decision, replanned, partner: partner, fileName: fileName, sha256: sha256, at: date)
            }
        } catch {
            report.gap("could not be recorded (\(Self.kind(of: error)))")
        }
    }

    private func record(
        _ message: LoggedMessage, _ decision: Decision, _ plan: ProcessingPlan?, partner: String,
        fileName: String, sha256: String, at date: Date
    ) throws {
        if let replayed = message.replayOf { try store.releaseKey(messageId: replayed) }
        _ = try store.claim(partnerId: partner, fileName: fileName, sha256: sha256, id: message.id)
        if let answer = plan.map(\.receiverAppRec) ?? loggedReceiverAppRec(message) {
            try store.recordReceiverAppRec(
                routedId: answer.routedId, status: answer.status, errorCode: answer.errorCode,
                errorText: answer.errorText, appRecMessageId: message.id)
        }
        let event = plan?.facts.pathwayEvent ?? message.received?.pathwayEvent
        do {
            try store.recordDecision(messageId: message.id, decision, pathwayEvent: event)
        } catch MessageStore.Failure.keyAlreadyRegistered {
            var unkeyed = decision
            unkeyed.registersKey = false
            try store.recordDecision(messageId: message.id, unkeyed, pathwayEvent: event)
            report.gap("(sender, MsgId) already taken by an earlier message: recorded without a key")
        }
        if let first = decision.duplicateOf {
            for copy in message.redelivered {
                guard let path = copy.file, let target = copy.partner else { continue }
                try store.recordRedelivery(of: first, to: target, path: path, by: message.id)
            }
        }
        try store.markDone(messageIds: [message.id])
        try store.clearOutputBytes(messageId: message.id)
        if decision.outcome == .accepted, let plan {
            try timelines.record(facts: plan.facts, partner: partner, messageId: message.id, receivedAt: date)
        }
        if message.appRec != nil, decision.appRec == nil {
            report.gap(
                "AppRec bytes: fetched from outbound by the partner and not re-encodable (why: the 'original not usable' lines); "
                    + "a resend is refused with E10 instead of answered with the same AppRec — never routed twice")
        }
    }

    /// The AppRec as the partner got it, while its outbound file is still there — only a file the
    /// gateway wrote (a partner may write its own outbox: one it put there is never taken for ours;
    /// the original is re-encoded instead).
    private func sentAppRec(_ message: LoggedMessage) -> [UInt8]? {
        guard let path = message.appRec?.file, let receiptId = message.appRec?.msgId,
            let bytes = try? FileReader.read(spool.absolute(path), limit: 1 << 20, onlyOwnFile: true),
            AuditReader.contains(bytes[...], Array(receiptId.utf8))
        else { return nil }
        return bytes
    }

    /// A municipality's AppRec whose original is gone: matched to the routed copy it answers,
    /// status taken as rejected (2) when the log recorded an error for it, else delivered (1).
    private func loggedReceiverAppRec(_ message: LoggedMessage) -> ProcessingPlan.ReceiverAppRec? {
        guard let received = message.received, received.outcome == Decision.Outcome.appRecReceived.rawValue,
            let answered = received.refMsgId,
            !received.security, let partner = received.partner,
            let routed =
                (try? store.matchAppRec(originalMsgId: answered, partnerId: partner, fromHerId: received.sender))
                ?? (try? store.matchAppRec(originalMsgId: answered, partnerId: partner))
        else { return nil }
        report.gap(
            "receiver AppRec status taken from the log (original gone or changed): 2 if it recorded an error, else 1")
        let error = Self.codeAndText(received.errors.first)
        return .init(
            routedId: routed.id, status: received.errors.isEmpty ? 1 : 2, errorCode: error.code, errorText: error.text)
    }

    /// An error's kind without its text (SQLite's texts may quote values).
    static func kind(of error: any Error) -> String {
        if let failure = error as? MessageStore.Failure {
            return "\(failure)".split(separator: ":").first.map(String.init) ?? "store"
        }
        return String(describing: type(of: error))
    }
}
