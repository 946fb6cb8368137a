/// The state database schema; see `MessageStore` for what each table is for.
extension MessageStore {
    public static let schemaVersion = 2
    static let migrations = [SQLiteDatabase.Migration(version: 1, sql: """
        CREATE TABLE messages (
          id TEXT PRIMARY KEY, partner_id TEXT NOT NULL, file_name TEXT NOT NULL,
          sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
          sender_her_id TEXT, msg_id TEXT, msg_type TEXT,
          state TEXT NOT NULL CHECK (state IN ('claimed','decided','done')),
          outcome TEXT CHECK (outcome IN ('accepted','rejected','duplicate','apprec-received','quarantined')),
          error_code TEXT, error_text TEXT,
          duplicate_of TEXT REFERENCES messages(id),
          destination TEXT,
          claimed_at INTEGER NOT NULL, decided_at INTEGER, done_at INTEGER,
          CHECK ((outcome = 'duplicate') = (duplicate_of IS NOT NULL)));
        CREATE UNIQUE INDEX messages_open_claim ON messages(partner_id, file_name) WHERE state <> 'done';
        CREATE INDEX messages_state ON messages(state) WHERE state <> 'done';
        CREATE TABLE message_keys (
          sender_her_id TEXT NOT NULL, msg_id TEXT NOT NULL,
          message_id TEXT NOT NULL UNIQUE REFERENCES messages(id),
          PRIMARY KEY (sender_her_id, msg_id)) WITHOUT ROWID;
        CREATE TABLE apprecs (
          message_id TEXT PRIMARY KEY REFERENCES messages(id), receipt_id TEXT NOT NULL,
          status INTEGER NOT NULL CHECK (status IN (1,2,3)), error_code TEXT, error_text TEXT,
          bytes BLOB NOT NULL, path TEXT NOT NULL, created_at INTEGER NOT NULL,
          CHECK (status <> 2 OR error_code IS NOT NULL));
        CREATE TABLE routed (
          id INTEGER PRIMARY KEY, routed_msg_id TEXT NOT NULL, message_id TEXT NOT NULL REFERENCES messages(id),
          target_partner TEXT NOT NULL, target_her_id TEXT NOT NULL, path TEXT NOT NULL,
          state TEXT NOT NULL CHECK (state IN ('planned','written','delivered','rejected')),
          receiver_status INTEGER, receiver_error_code TEXT, receiver_error_text TEXT,
          receiver_message_id TEXT REFERENCES messages(id),
          created_at INTEGER NOT NULL, written_at INTEGER, answered_at INTEGER,
          UNIQUE (routed_msg_id, target_her_id));
        CREATE TABLE outputs (
          message_id TEXT NOT NULL REFERENCES messages(id), path TEXT NOT NULL,
          kind TEXT NOT NULL CHECK (kind IN ('apprec','routed','notice')),
          bytes BLOB NOT NULL, written_at INTEGER,
          PRIMARY KEY (message_id, path));
        """),
        SQLiteDatabase.Migration(version: 2, sql: PathwayTimelines.migrationSQL),
    ]
}
