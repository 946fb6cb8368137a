import Foundation

/// Episodes kept current (spec §9): one row per patient pseudonym, pathway and episode, and one
/// per due window with its dates indexed, rewritten for one patient each time an event of theirs
/// is recorded, in the same transaction. `status`, the overdue metric and a kommune's worklist then
/// read what is due today from an index instead of rebuilding every timeline from all history.
///
/// The rows are derived: `PatientTimeline` over the patient's `pathway_events` is the one rule
/// book, so an event arriving out of order re-derives that patient's episodes exactly as a full
/// recomputation would. They depend on the pathway catalog (windows, anchors); the catalog's
/// fingerprint is kept in `state_facts`, and a database whose rows were derived under another
/// catalog (or before this table existed) is rebuilt from `pathway_events` before it is used.
struct PathwayEpisodeStore: Sendable {
    let db: SQLiteDatabase
    let catalog: PathwayCatalog

    /// Schema migration 7. Dates are ISO text (calendar days). `live_until` is the last day a
    /// missing event can still be due (`lapses_after`, else far in the future): the pending-window
    /// indexes, read from `live_until >= today` on, then hold only what can still be open or
    /// overdue (about `closeAfter` worth of patients), however long the history. They cover the
    /// columns the questions read (`outcome` too, always NULL there, so no table row is visited).
    /// `pathway_events` gains the reason a closing event (`PFH-AVSLUTTET`) states.
    static let migrationSQL = """
        ALTER TABLE pathway_events ADD COLUMN reason TEXT;
        CREATE TABLE pathway_episodes (
          pathway TEXT NOT NULL, pseudonym TEXT NOT NULL, seq INTEGER NOT NULL,
          anchor TEXT, anchor_source TEXT, ends TEXT, completed INTEGER NOT NULL, closed_on TEXT, closed_reason TEXT,
          kommune TEXT, hospital TEXT, start_message_id TEXT, flags TEXT NOT NULL, events INTEGER NOT NULL,
          PRIMARY KEY (pathway, pseudonym, seq)) WITHOUT ROWID;
        CREATE TABLE pathway_windows (
          pathway TEXT NOT NULL, pseudonym TEXT NOT NULL, seq INTEGER NOT NULL, event TEXT NOT NULL,
          opens TEXT NOT NULL, closes TEXT NOT NULL, kommune TEXT, outcome TEXT, lapses_after TEXT, closed_on TEXT,
          live_until TEXT NOT NULL,
          PRIMARY KEY (pathway, pseudonym, seq, event)) WITHOUT ROWID;
        CREATE INDEX pathway_windows_live ON pathway_windows(live_until, closes, kommune, outcome) WHERE outcome IS NULL;
        CREATE INDEX pathway_windows_kommune ON pathway_windows(kommune, live_until, opens, closes, lapses_after, closed_on, event, outcome)
          WHERE outcome IS NULL;
        """

    /// Schema migration 9: what the report reads from an episode instead of its events (see
    /// `StoredEpisode`). The rows written before it lack these, so the catalog fact is dropped:
    /// the daemon re-derives every episode at its next start, and readers recompute until then.
    /// `messages.pathway_event`: the event code a decided message carried ('' none; NULL decided
    /// before this migration, unknown), so the report's E21 card counts pathway messages only.
    static let reportColumnsSQL = """
        ALTER TABLE pathway_episodes ADD COLUMN type TEXT;
        ALTER TABLE pathway_episodes ADD COLUMN firsts TEXT NOT NULL DEFAULT '';
        ALTER TABLE pathway_episodes ADD COLUMN message_ids TEXT NOT NULL DEFAULT '';
        DELETE FROM state_facts WHERE name = 'pathway_episode_rules';
        ALTER TABLE messages ADD COLUMN pathway_event TEXT;
        """

    /// The `state_facts` entry naming the catalog the rows were derived under.
    static let rulesFact = "pathway_episode_rules"
    /// Stands for "no lapse" in `live_until`, so that the column can be indexed and compared.
    static let forever = "9999-12-31"

    init(db: SQLiteDatabase, catalog: PathwayCatalog) {
        self.db = db
        self.catalog = catalog
    }

    init(store: MessageStore, catalog: PathwayCatalog) { self.init(db: store.db, catalog: catalog) }

    /// Whether the rows were derived under this catalog (else readers recompute from history).
    func isCurrent() throws -> Bool {
        try db.fact(Self.rulesFact) == catalog.episodeFingerprint
    }

    /// Rebuilds every episode from `pathway_events` when the rows were derived under another
    /// catalog or not at all (the first start after migration 7); nothing otherwise. Returns
    /// whether it rebuilt.
    @discardableResult
    func bringCurrent() throws -> Bool {
        try db.transaction {
            guard try !isCurrent() else { return false }
            try db.execute("DELETE FROM pathway_episodes; DELETE FROM pathway_windows;")
            let all = try PathwayTimelines.observations(in: db)
            var start = all.startIndex
            while start < all.endIndex {
                var end = start + 1
                while end < all.endIndex, all[end].pathway == all[start].pathway,
                    all[end].pseudonym == all[start].pseudonym
                { end += 1 }
                try write(Array(all[start..<end].suffix(Self.eventsKept)))
                start = end
            }
            try db.setFact(Self.rulesFact, catalog.episodeFingerprint)
            return true
        }
    }

    /// The most recent events of one patient and pathway the episodes are derived from. A pathway
    /// has a handful of events per episode; a patient with more than this (a sender repeating one
    /// patient's events, by fault or on purpose) keeps only the latest episodes current, so that
    /// recording an event costs the same however many came before (re-deriving all of them made
    /// every message cost in proportion to that patient's history: a drain of 5,000 messages for
    /// one patient fell to 39 msgs/s). All events stay in `pathway_events`.
    static let eventsKept = 32

    /// Writes the episodes and windows of one patient's events (all of one pathway); events of a
    /// pathway the catalog does not know are kept in `pathway_events` but make no episode.
    func write(_ observations: [PathwayObservation]) throws {
        guard let first = observations.first, let definition = catalog.definition(id: first.pathway) else { return }
        for episode in StoredEpisode.episodes(of: observations, definition: definition) { try insert(episode) }
    }
}
