import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Spec §8 "State and log agree, or it does not start": opens the state database and the
/// pseudonym key only when they belong with the audit log.
///
/// Why refuse: the database is what recognises a resend (a forgotten message is routed a second
/// time) and the key is what makes one patient one pseudonym (a new key gives every patient a
/// second one). A spool where either was lost, emptied or swapped for an older copy must not take
/// traffic until an operator restores it or rebuilds the state (`StateRebuild`).
///
/// What is checked, and its cost: the newest records of the audit log (at most 256 KiB read from
/// its end, `AuditTailScan`) against the database — every gateway message id named there must be
/// known, since decisions commit before their records are appended — and the key's fingerprint
/// against the one the database recorded (`state_facts`). A handful of point lookups per start.
/// A fresh install is a spool with neither state nor audit log.
public enum StartupCheck {
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// No database file, but the audit log holds records up to `auditHead`.
        case stateMissing(database: String, auditHead: Int)
        /// A database without a single message, but the audit log holds records.
        case stateEmpty(database: String, auditHead: Int)
        /// `unknown` of the `checked` newest messages in the log are unknown to the database.
        case stateOlderThanLog(database: String, unknown: Int, checked: Int)
        /// No key file, while the state holds history written under a key.
        case keyMissing(key: String)
        /// A key whose fingerprint is not the one the state recorded.
        case keyMismatch(key: String)

        static let rebuild = "run `pathway-gateway state rebuild` (docs/operations.md, \"When state is lost\")"

        public var description: String {
            switch self {
            case let .stateMissing(database, head):
                "state database \(database) is missing but the audit log holds \(head) record(s): restore state/ from the backup "
                    + "that belongs with this audit log, or \(Self.rebuild)"
            case let .stateEmpty(database, head):
                "state database \(database) is empty but the audit log holds \(head) record(s): restore state/ from the backup "
                    + "that belongs with this audit log, or \(Self.rebuild)"
            case let .stateOlderThanLog(database, unknown, checked):
                "state database \(database) is older than the audit log (\(unknown) of the \(checked) newest message(s) in the log "
                    + "are unknown to it: a restored backup?): \(Self.rebuild); it keeps this database aside"
            case let .keyMissing(key):
                "pseudonym key \(key) is missing but the state holds history: restore the pseudonym.key backed up with "
                    + "gateway.sqlite (a new key would give every patient a second pseudonym)"
            case let .keyMismatch(key):
                "pseudonym key \(key) is not the key this state was written with (fingerprint differs): restore the "
                    + "pseudonym.key backed up with gateway.sqlite"
            }
        }
    }

    /// Opens the state database and the key of `spool` after checking that they belong with its
    /// audit log; creates both on a fresh install and records the key's fingerprint the first time
    /// (a database of an earlier version gets the fingerprint of the key it starts with).
    public static func open(_ spool: Spool) throws -> (store: MessageStore, pseudonymizer: Pseudonymizer) {
        let scan = try AuditTailScan(directory: AuditDirectory(current: spool.auditLog))
        if scan.headSeq > 0, !exists(spool.database) {
            throw Failure.stateMissing(database: spool.database, auditHead: scan.headSeq)
        }
        let store = try MessageStore(path: spool.database)
        let hasMessages = try store.hasMessages()
        if scan.headSeq > 0 {
            guard hasMessages else { throw Failure.stateEmpty(database: spool.database, auditHead: scan.headSeq) }
            let unknown = try store.unknownMessageIds(scan.gatewayIds)
            if !unknown.isEmpty {
                throw Failure.stateOlderThanLog(
                    database: spool.database, unknown: unknown.count, checked: scan.gatewayIds.count)
            }
        }
        let pseudonymizer = try key(of: spool, store: store, hasHistory: hasMessages || scan.headSeq > 0)
        return (store, pseudonymizer)
    }

    /// The key that belongs to `store`: refused when missing or different while there is history.
    static func key(of spool: Spool, store: MessageStore, hasHistory: Bool) throws -> Pseudonymizer {
        let recorded = try store.keyFingerprint()
        if !exists(spool.pseudonymKey), hasHistory { throw Failure.keyMissing(key: spool.pseudonymKey) }
        let pseudonymizer = try Pseudonymizer.loadOrCreate(keyAt: spool.pseudonymKey)
        if recorded == pseudonymizer.fingerprint { return pseudonymizer }
        if recorded != nil, hasHistory { throw Failure.keyMismatch(key: spool.pseudonymKey) }
        // First start, a database of an earlier version, or a key replaced before any history.
        try store.recordKeyFingerprint(pseudonymizer.fingerprint)
        return pseudonymizer
    }

    private static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }
}
