/// The state database schema; see `MessageStore` for what each table is for.
extension MessageStore {
    public static let schemaVersion = 4
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
        // v2 (group commit): the audit records of each decision (patient already pseudonymized), so
        // a restart can write those a crash kept from being written; an output is either its bytes
        // or the name of a temp file already holding them durably (writing every routed message
        // into the WAL and the database as well as the spool cost more than all other work);
        // routed rows found by their message (closing a message updated them by a full scan).
        SQLiteDatabase.Migration(version: 2, sql: """
            ALTER TABLE messages ADD COLUMN audit_facts TEXT;
            CREATE INDEX routed_message ON routed(message_id);
            CREATE TABLE outputs_v2 (
              message_id TEXT NOT NULL REFERENCES messages(id), path TEXT NOT NULL,
              kind TEXT NOT NULL CHECK (kind IN ('apprec','routed','notice')),
              bytes BLOB, staged TEXT, written_at INTEGER,
              PRIMARY KEY (message_id, path));
            INSERT INTO outputs_v2 (message_id, path, kind, bytes, written_at)
              SELECT message_id, path, kind, bytes, written_at FROM outputs;
            DROP TABLE outputs;
            ALTER TABLE outputs_v2 RENAME TO outputs;
            """),
        // 3 (audit): checkpoints of the audit log's head, so `audit verify` detects a cut-off tail.
        // Written only after the records they name are synced; never replaced (INSERT OR IGNORE),
        // so a rewritten log cannot erase the evidence. See AuditCheckpoints.
        SQLiteDatabase.Migration(version: 3, sql: """
        CREATE TABLE audit_checkpoints (
          seq INTEGER PRIMARY KEY CHECK (seq > 0),
          hash TEXT NOT NULL CHECK (length(hash) = 64),
          file TEXT NOT NULL,
          reason TEXT NOT NULL CHECK (reason IN ('interval','rotation','close')),
          created_at INTEGER NOT NULL);
        """),
        // 4 (pathways): patient timelines keyed by pseudonym; see PathwayTimelines.
        SQLiteDatabase.Migration(version: 4, sql: PathwayTimelines.migrationSQL),
    ]
}
