/// The state database schema; see `MessageStore` for what each table is for.
extension MessageStore {
    static let schemaVersion = 10
    static let migrations = [
        SQLiteDatabase.Migration(
            version: 1,
            sql: """
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
        SQLiteDatabase.Migration(
            version: 2,
            sql: """
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
        SQLiteDatabase.Migration(
            version: 3,
            sql: """
                CREATE TABLE audit_checkpoints (
                  seq INTEGER PRIMARY KEY CHECK (seq > 0),
                  hash TEXT NOT NULL CHECK (length(hash) = 64),
                  file TEXT NOT NULL,
                  reason TEXT NOT NULL CHECK (reason IN ('interval','rotation','close')),
                  created_at INTEGER NOT NULL);
                """),
        // 4 (pathways): patient timelines keyed by pseudonym; see PathwayTimelines.
        SQLiteDatabase.Migration(version: 4, sql: PathwayTimelines.migrationSQL),
        // 5 (speed): the same tables with CHECKs that need no temporary b-tree. SQLite (3.40)
        // evaluates `x IN (a, b, c)` with three or more values by building an ephemeral index each
        // time, and these CHECKs run on every insert and update: about half the SQL instructions of
        // a batch transaction (callgrind). The audit records kept for recovery move to a table of
        // their own: in `messages` a row grew from ~300 bytes to ~3 kB at its decision and shrank
        // back once done, which left one mostly empty page per message (92 % of the table unused).
        // Rebuilt the way SQLite documents (foreign keys off, copy, drop, rename, check), keeping
        // every rowid (outputs are replayed in rowid order).
        SQLiteDatabase.Migration(
            version: 5, rebuildsTables: true,
            sql: """
                CREATE TABLE messages_v5 (
                  id TEXT PRIMARY KEY, partner_id TEXT NOT NULL, file_name TEXT NOT NULL,
                  sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
                  sender_her_id TEXT, msg_id TEXT, msg_type TEXT,
                  state TEXT NOT NULL CHECK (state = 'claimed' OR state = 'decided' OR state = 'done'),
                  outcome TEXT CHECK (outcome = 'accepted' OR outcome = 'rejected' OR outcome = 'duplicate'
                                      OR outcome = 'apprec-received' OR outcome = 'quarantined'),
                  error_code TEXT, error_text TEXT,
                  duplicate_of TEXT REFERENCES messages(id),
                  destination TEXT,
                  claimed_at INTEGER NOT NULL, decided_at INTEGER, done_at INTEGER,
                  CHECK ((outcome = 'duplicate') = (duplicate_of IS NOT NULL)));
                INSERT INTO messages_v5 (rowid, id, partner_id, file_name, sha256, sender_her_id, msg_id, msg_type, state, outcome,
                                         error_code, error_text, duplicate_of, destination, claimed_at, decided_at, done_at)
                  SELECT rowid, id, partner_id, file_name, sha256, sender_her_id, msg_id, msg_type, state, outcome,
                         error_code, error_text, duplicate_of, destination, claimed_at, decided_at, done_at FROM messages;
                CREATE TABLE pending_audit (
                  message_id TEXT PRIMARY KEY REFERENCES messages(id), records TEXT NOT NULL);
                INSERT INTO pending_audit (message_id, records) SELECT id, audit_facts FROM messages WHERE audit_facts IS NOT NULL;
                DROP TABLE messages;
                ALTER TABLE messages_v5 RENAME TO messages;
                CREATE UNIQUE INDEX messages_open_claim ON messages(partner_id, file_name) WHERE state <> 'done';
                CREATE INDEX messages_state ON messages(state) WHERE state <> 'done';

                CREATE TABLE apprecs_v5 (
                  message_id TEXT PRIMARY KEY REFERENCES messages(id), receipt_id TEXT NOT NULL,
                  status INTEGER NOT NULL CHECK (status BETWEEN 1 AND 3), error_code TEXT, error_text TEXT,
                  bytes BLOB NOT NULL, path TEXT NOT NULL, created_at INTEGER NOT NULL,
                  CHECK (status <> 2 OR error_code IS NOT NULL));
                INSERT INTO apprecs_v5 (rowid, message_id, receipt_id, status, error_code, error_text, bytes, path, created_at)
                  SELECT rowid, message_id, receipt_id, status, error_code, error_text, bytes, path, created_at FROM apprecs;
                DROP TABLE apprecs;
                ALTER TABLE apprecs_v5 RENAME TO apprecs;

                CREATE TABLE routed_v5 (
                  id INTEGER PRIMARY KEY, routed_msg_id TEXT NOT NULL, message_id TEXT NOT NULL REFERENCES messages(id),
                  target_partner TEXT NOT NULL, target_her_id TEXT NOT NULL, path TEXT NOT NULL,
                  state TEXT NOT NULL CHECK (state = 'planned' OR state = 'written' OR state = 'delivered' OR state = 'rejected'),
                  receiver_status INTEGER, receiver_error_code TEXT, receiver_error_text TEXT,
                  receiver_message_id TEXT REFERENCES messages(id),
                  created_at INTEGER NOT NULL, written_at INTEGER, answered_at INTEGER,
                  UNIQUE (routed_msg_id, target_her_id));
                INSERT INTO routed_v5 (id, routed_msg_id, message_id, target_partner, target_her_id, path, state, receiver_status,
                                       receiver_error_code, receiver_error_text, receiver_message_id, created_at, written_at, answered_at)
                  SELECT id, routed_msg_id, message_id, target_partner, target_her_id, path, state, receiver_status,
                         receiver_error_code, receiver_error_text, receiver_message_id, created_at, written_at, answered_at FROM routed;
                DROP TABLE routed;
                ALTER TABLE routed_v5 RENAME TO routed;
                CREATE INDEX routed_message ON routed(message_id);

                CREATE TABLE outputs_v5 (
                  message_id TEXT NOT NULL REFERENCES messages(id), path TEXT NOT NULL,
                  kind TEXT NOT NULL CHECK (kind = 'apprec' OR kind = 'routed' OR kind = 'notice'),
                  bytes BLOB, staged TEXT, written_at INTEGER,
                  PRIMARY KEY (message_id, path));
                INSERT INTO outputs_v5 (rowid, message_id, path, kind, bytes, staged, written_at)
                  SELECT rowid, message_id, path, kind, bytes, staged, written_at FROM outputs;
                DROP TABLE outputs;
                ALTER TABLE outputs_v5 RENAME TO outputs;
                """),
        // 6 (trust boundaries): facts about the state itself, such as the pseudonym key's
        // fingerprint; see MessageStore+StateFacts.swift.
        SQLiteDatabase.Migration(version: 6, sql: MessageStore.stateFactsSQL),
        // 7 (follow-through): episodes and due windows kept current as events are recorded; see
        // PathwayEpisodeStore. Filled from `pathway_events` on the daemon's first start after this.
        // With the indexes `status` reads (OperationsQueries), so its cost does not grow with history.
        SQLiteDatabase.Migration(version: 7, sql: PathwayEpisodeStore.migrationSQL + OperationsQueries.indexesSQL),
        // 8 (conversations, spec §7): routed rows know their sender and the latest copy; relayed
        // AppRecs are kept for resends. See MessageStore+Conversations.swift.
        SQLiteDatabase.Migration(version: 8, rebuildsTables: true, sql: MessageStore.conversationsSQL),
        // 9 (follow-through): what the report reads from stored episodes (type, first dates,
        // message ids); the episodes are re-derived at the daemon's next start.
        SQLiteDatabase.Migration(version: 9, sql: PathwayEpisodeStore.reportColumnsSQL),
        // 10 (reminders, spec §9): one row per patient and window the gateway reminded (or could
        // not); see ReminderStore.
        SQLiteDatabase.Migration(version: 10, sql: ReminderStore.migrationSQL),
    ]
}
