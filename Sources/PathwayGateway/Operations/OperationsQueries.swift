import Foundation

/// Read-only questions operators ask of the state database (`status`, metrics gauges, `demo`), on a
/// connection of their own: WAL lets them read while the daemon writes, and they never take the
/// write lock. Only the schema-v1 columns of `messages` and `routed` are used (see MessageStore).
///
/// Cost: each question reads an index (`indexesSQL`, migration 7), not its table: `status` is the
/// container's health check and must not slow down as years of history accumulate (150,000
/// messages cost 0.15 s of table scans before).
final class OperationsQueries: Sendable {
    /// Part of schema migration 7: the time-window counts, the last activity and the routed-state
    /// questions by index (the routed one covering for the per-partner view; the per-receiver view
    /// reads the awaiting rows it finds there, never the answered ones: OperationsQueries+Awaiting).
    /// Three index entries more per message, written in the batch transaction.
    static let indexesSQL = """
        CREATE INDEX messages_decided ON messages(decided_at, outcome);
        CREATE INDEX messages_done ON messages(done_at);
        CREATE INDEX routed_state ON routed(state, answered_at, target_partner, written_at, created_at);
        """

    enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// The daemon has never run on this spool.
        case noDatabase(path: String)
        var description: String {
            switch self {
            case let .noDatabase(path): "no state database at \(path) (the gateway has not run on this spool yet)"
            }
        }
    }

    /// Routed messages whose receiver has not answered with an AppRec yet, per receiving partner
    /// (`byPartner(_:)` sums `awaitingByReceiver()`, see OperationsQueries+Awaiting.swift).
    struct PendingAppRecs: Sendable, Equatable, Encodable {
        var partner: String
        var count: Int
        /// When the oldest of them was written to the partner's outbound directory (or planned).
        var oldest: Date
    }

    let db: SQLiteDatabase

    /// Opens the database at `path`; never creates one (a status check must not make a spool).
    init(databasePath path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else { throw Failure.noDatabase(path: path) }
        db = try SQLiteDatabase(path: path)
    }

    /// Messages decided at or after `since`, by outcome.
    func outcomeCounts(since: Date) throws -> [String: Int] {
        Dictionary(
            uniqueKeysWithValues: try db.query(
                """
                SELECT outcome, count(*) FROM messages WHERE outcome IS NOT NULL AND decided_at >= ? GROUP BY outcome ORDER BY outcome
                """, [Self.millis(since)]
            ) { row in (try row.string(0), try row.int(1)) })
    }

    /// Routed messages the receiver answered with AppRec status 2 (spec §4.7: raised to operators),
    /// answered at or after `since` (all of them when nil).
    func receiverRejections(since: Date? = nil) throws -> Int {
        try db.query(
            "SELECT count(*) FROM routed WHERE state = 'rejected' AND answered_at >= ?",
            [since.map(Self.millis) ?? Int64.min]
        ) { row in try row.int(0) }.first ?? 0
    }

    /// When the last inbound file was carried to its outcome; nil before the first.
    func lastDone() throws -> Date? {
        try db.query("SELECT max(done_at) FROM messages") { row in try row.optionalInt64(0).map(Self.date) }.first
            ?? nil
    }

    static func millis(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
    static func date(_ millis: Int64) -> Date { Date(timeIntervalSince1970: Double(millis) / 1000) }
}
