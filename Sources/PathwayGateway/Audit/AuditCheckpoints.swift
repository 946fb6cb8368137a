import Foundation

/// Checkpoints of the audit log's head (seq and hash) in the state database (`audit_checkpoints`,
/// schema migration 3). The hash chain alone proves that records were not edited, dropped or
/// reordered *between* the first and the last record present; it cannot tell that the last
/// records were cut off. A checkpoint held outside the log can: `audit verify` fails when the log
/// ends before a checkpoint's seq, or holds a different hash at that seq.
///
/// A checkpoint is written only after the records it names are synced, so it never claims more
/// than the log durably holds. Rows are never replaced (`INSERT OR IGNORE`): if a log were
/// rewritten and its seqs reused, the first hash recorded for a seq stays as evidence. A writer's
/// new interval checkpoint supersedes only its own previous one (its chain commits to it), so the
/// table holds one interval checkpoint per writer start, one per rotated file (which localises
/// damage to a file) and one per clean close.
public final class AuditCheckpoints: Sendable {
    enum Reason: String, Sendable, Hashable {
        /// Every N records or T seconds (`AuditLog.Policy`).
        case interval
        /// The last record of a file that was just rotated.
        case rotation
        /// The head at a clean `AuditLog.close()`.
        case close
    }

    struct Checkpoint: Sendable, Hashable {
        var seq: Int
        var hash: String
        /// Name of the file the record was in when the checkpoint was taken.
        var file: String
        var reason: Reason
        var at: Date
    }

    let db: SQLiteDatabase

    /// Uses an open state database whose schema includes migration 3.
    init(database: SQLiteDatabase) { db = database }

    /// Shares the message store's connection (one serialised writer per process).
    convenience init(store: MessageStore) { self.init(database: store.db) }

    /// Opens the state database at `path` for reading checkpoints (`audit verify`): nil when the
    /// file does not exist or predates migration 3, so verify can say that the tail is unchecked
    /// instead of creating a database.
    public static func existing(at path: String) throws -> AuditCheckpoints? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let db = try SQLiteDatabase(path: path)
        let tables = try db.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'audit_checkpoints'")
        { try $0.string(0) }
        return tables.isEmpty ? nil : AuditCheckpoints(database: db)
    }

    /// Inserts `checkpoint` (kept out if its seq is taken) and removes `superseded`, an interval
    /// checkpoint the same writer took earlier, when it is still exactly that row.
    func save(_ checkpoint: Checkpoint, superseding superseded: Checkpoint? = nil) throws {
        try db.transaction {
            try db.run(
                "INSERT OR IGNORE INTO audit_checkpoints (seq, hash, file, reason, created_at) VALUES (?, ?, ?, ?, ?)",
                checkpoint.seq, checkpoint.hash, checkpoint.file, checkpoint.reason.rawValue,
                Int64((checkpoint.at.timeIntervalSince1970 * 1000).rounded()))
            if let superseded, superseded.seq < checkpoint.seq {
                try db.run(
                    "DELETE FROM audit_checkpoints WHERE seq = ? AND hash = ? AND reason = 'interval'", superseded.seq,
                    superseded.hash)
            }
        }
    }

    /// Every checkpoint, lowest seq first.
    func all() throws -> [Checkpoint] { try select("ORDER BY seq") }

    /// The checkpoint with the highest seq.
    func latest() throws -> Checkpoint? { try select("ORDER BY seq DESC LIMIT 1").first }

    private func select(_ order: String) throws -> [Checkpoint] {
        try db.query("SELECT seq, hash, file, reason, created_at FROM audit_checkpoints \(order)") { row in
            Checkpoint(
                seq: try row.int(0), hash: try row.string(1), file: try row.string(2),
                reason: Reason(rawValue: try row.string(3)) ?? .interval,
                at: Date(timeIntervalSince1970: Double(try row.int64(4)) / 1000))
        }
    }
}
