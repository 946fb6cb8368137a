import Foundation

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

    init(store: MessageStore, pseudonymizer: Pseudonymizer? = nil) {
        db = store.db
        self.pseudonymizer = pseudonymizer
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

    /// Records one observation; false when this message's event was already recorded.
    @discardableResult
    func record(_ o: PathwayObservation) throws -> Bool {
        try db.transaction {
            try db.run(
                """
                INSERT INTO pathway_events (message_id, pseudonym, pathway, event, type, event_date, diagnosis_date,
                  kommune, partner_id, msg_id, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (message_id) DO NOTHING
                """, o.messageId, o.pseudonym, o.pathway, o.event, o.type, o.eventDate.description,
                o.diagnosisDate?.description,
                o.kommune, o.partner, o.msgId, Int64((o.receivedAt.timeIntervalSince1970 * 1000).rounded())) == 1
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
        try db.query(
            """
            SELECT message_id, pseudonym, pathway, event, type, event_date, diagnosis_date, kommune, partner_id, msg_id, received_at
            FROM pathway_events WHERE ?1 IS NULL OR pathway = ?1 ORDER BY pathway, pseudonym, event_date, received_at, id
            """, [pathway]
        ) { row in
            PathwayObservation(
                messageId: try row.string(0), pseudonym: try row.string(1), pathway: try row.string(2),
                event: try row.string(3), type: try row.optionalString(4),
                eventDate: try Self.date(row.string(5)), diagnosisDate: try row.optionalString(6).map(Self.date),
                kommune: try row.optionalString(7), partner: try row.string(8), msgId: try row.optionalString(9),
                receivedAt: Date(timeIntervalSince1970: Double(try row.int64(10)) / 1000))
        }
    }

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
