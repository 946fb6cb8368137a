/// The few statements `StateRebuild` needs beyond the daemon's own operations.
extension MessageStore {
    /// What a rebuilt database holds, for the command's report.
    public struct RebuildCounts: Sendable, Equatable {
        public var messages = 0, keys = 0, appRecs = 0, routed = 0, awaitingAppRec = 0, timelineEvents = 0
    }

    /// A rebuilt message keeps no output bytes: it is done, nothing is left to rewrite, and a
    /// routed copy's bytes would put the patient's message into the database (as retention does
    /// for old messages, see `Retention`).
    func clearOutputBytes(messageId id: String) throws {
        try db.run("UPDATE outputs SET bytes = NULL WHERE message_id = ?", id)
    }

    public func rebuildCounts() throws -> RebuildCounts {
        func count(_ sql: String) throws -> Int { try db.query(sql) { try $0.int(0) }.first ?? 0 }
        return RebuildCounts(
            messages: try count("SELECT count(*) FROM messages"), keys: try count("SELECT count(*) FROM message_keys"),
            appRecs: try count("SELECT count(*) FROM apprecs"), routed: try count("SELECT count(*) FROM routed"),
            awaitingAppRec: try count("SELECT count(*) FROM routed WHERE state IN ('planned','written')"),
            timelineEvents: try count("SELECT count(*) FROM pathway_events"))
    }

    /// Folds the write-ahead log into the database file and empties it, so the file can be
    /// renamed into place alone.
    func checkpointAndTruncate() throws {
        _ = try db.query("PRAGMA wal_checkpoint(TRUNCATE)") { try $0.int(0) }
    }
}
