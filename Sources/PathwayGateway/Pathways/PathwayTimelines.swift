import Foundation
import Synchronization

/// Patients' pathway timelines in the state database: one row per pathway event seen in an
/// accepted message, keyed by the patient's keyed pseudonym (never the fødselsnummer: a CHECK
/// refuses anything that is not `p-` and 32 hex digits). Rows are only ever added: out-of-order
/// and repeated events are kept as they came, and `PatientTimeline` flags them when read.
///
/// Recording is one statement in `db.transaction {}`, so it can run inside the daemon's own
/// transaction for a decision (or a batch of them), as a SAVEPOINT: the decision and its timeline
/// event commit together or not at all. It is idempotent on the message id.
///
/// No foreign key to `messages`: retention may prune message rows while monitoring still needs
/// the pathway history (18 months and more).
final class PathwayTimelines: Sendable {
    let db: SQLiteDatabase
    /// Needed only to record from audit facts (which hold the raw identity).
    private let pseudonymizer: Pseudonymizer?
    /// The patients' episodes, re-derived for the patient of each recorded event.
    let episodes: PathwayEpisodeStore
    /// Whether the stored episodes are known to match `episodes.catalog` (checked once, on the
    /// first record, in case the caller did not open through `opened`).
    private let episodesChecked = Mutex(false)

    init(store: MessageStore, pseudonymizer: Pseudonymizer? = nil, catalog: PathwayCatalog = .bundled) {
        db = store.db
        self.pseudonymizer = pseudonymizer
        episodes = PathwayEpisodeStore(store: store, catalog: catalog)
    }

    /// Timelines whose stored episodes are brought current first (rebuilt from the recorded events
    /// after migration 7 or when the configured pathways changed): what the daemon opens.
    static func opened(store: MessageStore, pseudonymizer: Pseudonymizer?, catalog: PathwayCatalog) throws
        -> PathwayTimelines
    {
        let timelines = PathwayTimelines(store: store, pseudonymizer: pseudonymizer, catalog: catalog)
        try timelines.episodes.bringCurrent()
        timelines.episodesChecked.withLock { $0 = true }
        return timelines
    }

    /// Schema migration 2 (listed in `MessageStore.migrations`). Dates are ISO `yyyy-MM-dd` text:
    /// calendar days, not instants; `received_at` is an instant in ms like the other tables.
    static let migrationSQL = """
        CREATE TABLE pathway_events (
          id INTEGER PRIMARY KEY,
          message_id TEXT NOT NULL UNIQUE,
          pseudonym TEXT NOT NULL CHECK (length(pseudonym) = 34 AND pseudonym GLOB 'p-*'
                                         AND substr(pseudonym, 3) NOT GLOB '*[^0-9a-f]*'),
          pathway TEXT NOT NULL, event TEXT NOT NULL, type TEXT,
          event_date TEXT NOT NULL CHECK (event_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
          diagnosis_date TEXT CHECK (diagnosis_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
          kommune TEXT, partner_id TEXT NOT NULL, msg_id TEXT,
          received_at INTEGER NOT NULL);
        CREATE INDEX pathway_events_patient ON pathway_events(pathway, pseudonym, event_date);
        """

    /// Records one observation and re-derives that patient's episodes, in one transaction; false
    /// when this message's event was already recorded.
    @discardableResult
    func record(_ o: PathwayObservation) throws -> Bool {
        try db.transaction {
            if !episodesChecked.withLock({ $0 }) {
                try episodes.bringCurrent()
                episodesChecked.withLock { $0 = true }
            }
            let added =
                try db.run(
                    """
                    INSERT INTO pathway_events (message_id, pseudonym, pathway, event, type, event_date, diagnosis_date,
                      kommune, partner_id, msg_id, received_at, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (message_id) DO NOTHING
                    """, o.messageId, o.pseudonym, o.pathway, o.event, o.type, o.eventDate.description,
                    o.diagnosisDate?.description,
                    o.kommune, o.partner, o.msgId, Int64((o.receivedAt.timeIntervalSince1970 * 1000).rounded()),
                    o.reason) == 1
            if added { try episodes.refresh(after: o) }
            return added
        }
    }

    /// Records the event an accepted message's facts describe (nothing when they carry no pathway
    /// event or no patient). Returns whether a row was added.
    @discardableResult
    func record(facts: AuditFacts, partner: String, messageId: String, receivedAt: Date) throws -> Bool {
        guard let pseudonymizer,
            let observation = PathwayObservation(
                facts: facts, partner: partner, messageId: messageId,
                receivedAt: receivedAt, pseudonymizer: pseudonymizer)
        else {
            return false
        }
        return try record(observation)
    }

    /// Every recorded event (of one pathway, or all), ordered by patient, then date, then arrival.
    func observations(pathway: String? = nil) throws -> [PathwayObservation] {
        try Self.observations(in: db, pathway: pathway)
    }

    /// The recorded events of one pathway (or all), of one patient (or all), in the order above.
    /// One patient's come from the (pathway, pseudonym, event_date) index; `latest`: only that
    /// many of the patient's newest, newest first (`PatientTimeline` orders them itself).
    static func observations(
        in db: SQLiteDatabase, pathway: String? = nil, pseudonym: String? = nil, latest: Int? = nil
    )
        throws -> [PathwayObservation]
    {
        let order = "pathway, pseudonym, event_date, received_at, id"
        let sql =
            pseudonym == nil
            ? "SELECT \(columns) FROM pathway_events WHERE ?1 IS NULL OR pathway = ?1 ORDER BY \(order)"
            : latest == nil
                ? "SELECT \(columns) FROM pathway_events WHERE pathway = ?1 AND pseudonym = ?2 ORDER BY \(order)"
                : """
                SELECT \(columns) FROM pathway_events WHERE pathway = ?1 AND pseudonym = ?2
                  ORDER BY event_date DESC, received_at DESC, id DESC LIMIT \(latest ?? 0)
                """
        return try db.query(sql, pseudonym.map { [pathway, $0] } ?? [pathway]) { row in
            PathwayObservation(
                messageId: try row.string(0), pseudonym: try row.string(1), pathway: try row.string(2),
                event: try row.string(3), type: try row.optionalString(4),
                eventDate: try Self.date(row.string(5)), diagnosisDate: try row.optionalString(6).map(Self.date),
                kommune: try row.optionalString(7), partner: try row.string(8), msgId: try row.optionalString(9),
                receivedAt: Date(timeIntervalSince1970: Double(try row.int64(10)) / 1000),
                reason: try row.optionalString(11))
        }
    }

    private static let columns = """
        message_id, pseudonym, pathway, event, type, event_date, diagnosis_date, kommune, partner_id, msg_id, received_at, reason
        """

    enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// A stored date the GLOB check let through but the calendar refuses (e.g. 2026-02-30).
        case invalidStoredDate(String)

        var description: String {
            switch self {
            case let .invalidStoredDate(text): "pathway_events holds an invalid date \(text)"
            }
        }
    }

    private static func date(_ text: String) throws(Failure) -> CalendarDate {
        guard let date = CalendarDate(iso: text) else { throw .invalidStoredDate(text) }
        return date
    }
}
