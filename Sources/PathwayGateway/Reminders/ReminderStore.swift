import Foundation

/// The reminders the gateway decided to send (spec §9), one row per patient, episode and window:
/// the primary key is what makes a reminder "exactly once per patient and window". The episode is
/// named as the reminder's MsgId names it, by its start message (else its anchor): its `seq`
/// counts episodes within the patient's latest events and can shift. A row is the
/// intent, committed before its file is written into the gateway's own inbox; the file's
/// (gateway HER-id, MsgId) key in `message_keys` says the pipeline has taken it. `pending` marks
/// rows whose file the pipeline has not yet registered, so the re-check after a crash reads only
/// those (its index holds a handful, however long the history).
struct ReminderStore: Sendable {
    let db: SQLiteDatabase

    /// Schema migration 10. `file_name` is NULL (and `note` says why) when no reminder could be
    /// written, such as when the episode's start message is no longer in the archive.
    static let migrationSQL = """
        CREATE TABLE pathway_reminders (
          pathway TEXT NOT NULL, pseudonym TEXT NOT NULL, episode TEXT NOT NULL, event TEXT NOT NULL,
          contact_point TEXT NOT NULL, msg_id TEXT NOT NULL UNIQUE, file_name TEXT,
          created_at INTEGER NOT NULL, note TEXT, pending INTEGER NOT NULL,
          PRIMARY KEY (pathway, pseudonym, episode, event)) WITHOUT ROWID;
        CREATE INDEX pathway_reminders_pending ON pathway_reminders(created_at) WHERE pending = 1;
        """

    /// A patient's window: the key of a reminder.
    struct Key: Sendable, Hashable {
        var pathway: String
        var pseudonym: String
        /// The episode's start message (its gateway id), else `anchor <date>`.
        var episode: String
        var event: String
    }

    /// A window with what its reminder needs.
    struct Window: Sendable, Hashable {
        var key: Key
        var opens: CalendarDate
        var closes: CalendarDate
        var kommune: String
        var anchor: CalendarDate?
        var anchorSource: PathwayEpisode.AnchorSource?
        /// The gateway id of the episode's start message (its archived original names the patient).
        var startMessageId: String?
    }

    /// One recorded intent.
    struct Row: Sendable, Hashable {
        var key: Key
        var contactPointHerId: String
        var msgId: String
        var fileName: String?
        var createdAt: Int64
        var note: String?
    }

    /// The episode's name in SQL, as `Key.episode` (over `pathway_episodes e`).
    static let episode = "coalesce(e.start_message_id, 'anchor ' || coalesce(e.anchor, '-'))"

    static let windowColumns = """
        w.pathway, w.pseudonym, \(episode), w.event, w.opens, w.closes, w.kommune, e.anchor, e.anchor_source,
          e.start_message_id
        """

    /// At most this many new reminders per kommune and tick: switching reminders on over a long
    /// history (every window open today) or a day's outage comes out in slices, each tick short,
    /// so the intake between them is not held up; the next tick goes on where this one stopped.
    static let perTick = 256

    /// Windows of `kommune` open on `today` (not done, not closed, not lapsed) that have no
    /// reminder row, oldest first, at most `perTick`: read through the `pathway_windows_kommune` index.
    func candidates(kommune: String, today: CalendarDate) throws -> [Window] {
        let day = today.description
        return try db.query(
            """
            SELECT \(Self.windowColumns)
            FROM pathway_windows w INDEXED BY pathway_windows_kommune
            JOIN pathway_episodes e ON e.pathway = w.pathway AND e.pseudonym = w.pseudonym AND e.seq = w.seq
            WHERE w.kommune = ? AND w.live_until >= ? AND w.opens <= ? AND w.closes >= ?
              AND w.outcome IS NULL AND w.closed_on IS NULL
              AND NOT EXISTS (SELECT 1 FROM pathway_reminders r WHERE r.pathway = w.pathway
                AND r.pseudonym = w.pseudonym AND r.episode = \(Self.episode) AND r.event = w.event)
            ORDER BY w.opens, w.pseudonym, w.event LIMIT ?
            """, [kommune, day, day, day, Self.perTick], row: Self.window)
    }

    /// The window a recorded intent is for, as it stands now; nil when it is no longer there.
    func window(_ key: Key) throws -> Window? {
        try db.query(
            """
            SELECT \(Self.windowColumns)
            FROM pathway_windows w
            JOIN pathway_episodes e ON e.pathway = w.pathway AND e.pseudonym = w.pseudonym AND e.seq = w.seq
            WHERE w.pathway = ? AND w.pseudonym = ? AND \(Self.episode) = ? AND w.event = ?
            """, [key.pathway, key.pseudonym, key.episode, key.event], row: Self.window
        ).first
    }

    private static func window(_ row: SQLiteStatement) throws -> Window {
        Window(
            key: Key(
                pathway: try row.string(0), pseudonym: try row.string(1), episode: try row.string(2),
                event: try row.string(3)),
            opens: try date(row.string(4)), closes: try date(row.string(5)), kommune: try row.optionalString(6) ?? "",
            anchor: try row.optionalString(7).flatMap { CalendarDate(iso: $0) },
            anchorSource: try row.optionalString(8).flatMap { PathwayEpisode.AnchorSource(rawValue: $0) },
            startMessageId: try row.optionalString(9))
    }

    /// Records intents in one transaction; a row whose key exists already is left as it is (the
    /// first intent stands). Returns the rows inserted.
    func record(_ rows: [Row]) throws -> [Row] {
        try db.transaction {
            try rows.filter { row in
                try db.run(
                    """
                    INSERT OR IGNORE INTO pathway_reminders (pathway, pseudonym, episode, event, contact_point, msg_id,
                      file_name, created_at, note, pending) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, row.key.pathway, row.key.pseudonym, row.key.episode, row.key.event, row.contactPointHerId,
                    row.msgId, row.fileName, row.createdAt, row.note, row.fileName == nil ? 0 : 1) == 1
            }
        }
    }

    /// Whether the pipeline registered a reminder's key already: a window whose row is gone (a
    /// state rebuild keeps message keys, not intents) is not reminded twice.
    func isRegistered(msgId: String, gatewayHerId: String) throws -> Bool {
        try db.query(
            "SELECT EXISTS (SELECT 1 FROM message_keys WHERE sender_her_id = ? AND msg_id = ?)", [gatewayHerId, msgId]
        ) { try $0.int(0) }.first == 1
    }

    /// Rows whose file the pipeline has not registered yet (`gatewayHerId`, MsgId not in
    /// `message_keys`); rows it has registered meanwhile are marked done on the way.
    func pending(gatewayHerId: String) throws -> [Row] {
        let rows = try db.query(
            """
            SELECT r.pathway, r.pseudonym, r.episode, r.event, r.contact_point, r.msg_id, r.file_name, r.created_at,
              EXISTS (SELECT 1 FROM message_keys k WHERE k.sender_her_id = ? AND k.msg_id = r.msg_id)
            FROM pathway_reminders r INDEXED BY pathway_reminders_pending WHERE r.pending = 1
            """, [gatewayHerId]
        ) { row in
            (
                Row(
                    key: Key(
                        pathway: try row.string(0), pseudonym: try row.string(1), episode: try row.string(2),
                        event: try row.string(3)),
                    contactPointHerId: try row.string(4), msgId: try row.string(5), fileName: try row.optionalString(6),
                    createdAt: try row.int64(7), note: nil),
                try row.int(8) == 1
            )
        }
        try settle(rows.filter(\.1).map(\.0.key), note: nil)
        return rows.filter { !$0.1 }.map(\.0)
    }

    /// Marks rows as no longer pending: the pipeline registered their file, or (`note`) no file
    /// will be written for them.
    func settle(_ keys: [Key], note: String?) throws {
        guard !keys.isEmpty else { return }
        try db.transaction {
            for key in keys {
                try db.run(
                    """
                    UPDATE pathway_reminders SET pending = 0, note = coalesce(?, note)
                    WHERE pathway = ? AND pseudonym = ? AND episode = ? AND event = ?
                    """, note, key.pathway, key.pseudonym, key.episode, key.event)
            }
        }
    }

    private static func date(_ text: String) throws -> CalendarDate {
        guard let date = CalendarDate(iso: text) else { throw SQLiteError.invalidMigrations("bad date \(text)") }
        return date
    }
}
