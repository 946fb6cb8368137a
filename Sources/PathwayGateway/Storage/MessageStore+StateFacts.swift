/// Facts about the state database itself, for the start-up check (`StartupCheck`): whether it
/// holds any history, which gateway message ids it knows, and the fingerprint of the pseudonym
/// key its history was written with.
extension MessageStore {
    /// Schema migration 6: one row per fact. A table of named values rather than a column on some
    /// table, because a database of an earlier version gets its facts on its first start here.
    static let stateFactsSQL = """
        CREATE TABLE state_facts (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
        """

    /// The fact holding `Pseudonymizer.fingerprint`.
    static let keyFingerprintFact = "pseudonym_key_fingerprint"

    /// The recorded pseudonym key fingerprint; nil before the first start of this version.
    public func keyFingerprint() throws -> String? { try db.fact(Self.keyFingerprintFact) }

    /// Records the key's fingerprint, replacing one recorded before (the caller has checked that
    /// no history depends on the old key).
    public func recordKeyFingerprint(_ fingerprint: String) throws {
        try db.setFact(Self.keyFingerprintFact, fingerprint)
    }

    /// Whether any message was ever recorded (a fresh database has none).
    public func hasMessages() throws -> Bool {
        try db.query("SELECT EXISTS (SELECT 1 FROM messages)") { try $0.int(0) }.first == 1
    }

    /// Those of `ids` (gateway message ids) this database does not know.
    public func unknownMessageIds(_ ids: [String]) throws -> [String] {
        try ids.filter { id in try db.query("SELECT 1 FROM messages WHERE id = ?", [id]) { try $0.int(0) }.isEmpty }
    }
}

/// The one reader and writer of `state_facts` (the key's fingerprint, the catalog the episodes
/// were derived under, how far the identity-access log is folded).
extension SQLiteDatabase {
    func fact(_ name: String) throws -> String? {
        try query("SELECT value FROM state_facts WHERE name = ?", [name]) { try $0.string(0) }.first
    }

    func setFact(_ name: String, _ value: String) throws {
        try run("INSERT OR REPLACE INTO state_facts (name, value) VALUES (?, ?)", name, value)
    }
}
