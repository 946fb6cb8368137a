internal import CSQLite
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One SQLite connection to the gateway's state file, configured for durability.
///
/// Threading model: exactly one connection per `SQLiteDatabase`, and every use of it (each
/// statement, and each whole `transaction`) runs under `lock`. The lock is recursive so that code
/// inside `transaction { }` can call `run`/`query` on the same object; other threads wait until the
/// transaction ends, so no foreign statement can slip into it. That is why the class can be
/// `@unchecked Sendable`: the raw `sqlite3*` is only touched with the lock held. The connection is
/// also opened `SQLITE_OPEN_FULLMUTEX` as a second line of defence. Closures passed in are
/// synchronous on purpose: holding the lock across an `await` would block the thread and invite
/// deadlocks. Several processes may open the same file; WAL plus `busy_timeout` and
/// `BEGIN IMMEDIATE` serialise their writers.
final class SQLiteDatabase: @unchecked Sendable {
    /// A numbered schema step. Versions are 1, 2, 3…; `user_version` records the last one applied.
    struct Migration: Sendable {
        let version: Int
        let sql: String
        /// Whether `sql` rebuilds tables other tables reference (create a copy, drop, rename):
        /// it then runs with foreign keys off, and commits only if `foreign_key_check` finds
        /// nothing (SQLite's documented procedure for schema changes ALTER TABLE cannot make).
        let rebuildsTables: Bool
        init(version: Int, rebuildsTables: Bool = false, sql: String) {
            self.version = version
            self.sql = sql
            self.rebuildsTables = rebuildsTables
        }
    }

    let path: String
    private let connection: OpaquePointer
    private let lock = NSRecursiveLock()
    /// Prepared statements by SQL text, reused (reset) instead of compiled again on every call:
    /// the daemon runs the same dozen statements for every message. Only touched under `lock`.
    private var statements: [String: SQLiteStatement] = [:]
    /// Whether nested transactions join the enclosing one (`joiningNested`). Only under `lock`.
    private var joinNested = false

    /// Opens (creating if needed, with mode 0600) and configures the database:
    /// - `journal_mode=WAL`: readers (`status`) never block the daemon's writer, and a commit is one
    ///   sequential append to the WAL.
    /// - `synchronous=FULL`: the WAL is fsynced at every commit. With NORMAL a power cut can undo the
    ///   last commits while the files they describe (an AppRec in `outbound/`) survive; an AppRec
    ///   must never be visible before the state that explains it is durable, or a retransmission
    ///   would be answered differently.
    /// - `foreign_keys=ON`: off by default in SQLite; our references must hold.
    /// - busy timeout: another process (e.g. `status`) holding the lock briefly is waited for.
    /// `cacheKibibytes`: the page cache of this connection (see below for the writer's 16 MB).
    init(path: String, busyTimeoutMilliseconds: Int32 = 5_000, cacheKibibytes: Int = 16_384) throws(SQLiteError) {
        self.path = path
        let inMemory = path == ":memory:"
        if !inMemory { try Self.createPrivately(path) }
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX | SQLITE_OPEN_NOFOLLOW
        let rc = sqlite3_open_v2(path, &handle, flags, nil)
        guard rc == SQLITE_OK, let handle else {
            let message = SQLiteStatement.message(handle)
            let code = handle.map { sqlite3_extended_errcode($0) } ?? rc
            sqlite3_close_v2(handle)
            throw .open(path: path, code: code, message: message)
        }
        connection = handle
        sqlite3_extended_result_codes(handle, 1)
        sqlite3_busy_timeout(handle, busyTimeoutMilliseconds)
        if !inMemory {
            let mode = try pragma("journal_mode=WAL")
            guard mode?.lowercased() == "wal" else {
                throw .pragma(name: "journal_mode", expected: "wal", found: mode ?? "nil")
            }
        }
        // wal_autocheckpoint 10,000 pages (~40 MB): fewer, larger checkpoints; pages changed by many
        // commits are copied back once (the default of 1,000 cost ~40 % of the daemon's commit time).
        // cache_size 16 MB (default 2 MB): the working set of index pages (time-ordered keys append at
        // the right edge; the random (sender, MsgId) index is ~6 MB per 100,000 messages) stays in
        // memory. 32 MB was no faster (100,000 backlog: 1,058-1,230 vs 1,139 msgs/s) and took the
        // process past 100 MB RSS (106 vs 91 MB).
        // temp_store MEMORY: the statement journal of each nested transaction (a SAVEPOINT per
        // message in a batch) stays in memory; in a file it was ~19 page writes per message, 7 % of
        // the daemon's CPU in pwrite. It is emptied whenever the last savepoint is released.
        try execute(
            "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA wal_autocheckpoint=10000; PRAGMA cache_size=-\(cacheKibibytes); PRAGMA temp_store=MEMORY;"
        )
        let sync = try pragma("synchronous")
        guard sync == "2" else { throw .pragma(name: "synchronous", expected: "2 (FULL)", found: sync ?? "nil") }
        if !inMemory { try Self.restrictPermissions(path) }
    }

    deinit {
        statements.removeAll()  // finalize before closing
        sqlite3_close_v2(connection)
    }

    /// The cached statement for `sql`, reset and unbound, or a new one. One lookup per use: the
    /// cache keeps its statements and marks them in use (taking them out and putting them back
    /// hashed the SQL text three times and more, 3 % of a drain's instructions). A statement in
    /// use further up the stack (a query whose row closure runs the same SQL) is not handed out
    /// twice: that caller gets a fresh one, finalized after use.
    private func statement(_ sql: String) throws(SQLiteError) -> SQLiteStatement {
        if let cached = statements[sql] {
            if !cached.inUse {
                cached.inUse = true
                return cached
            }
            return try SQLiteStatement(connection: connection, sql: sql)
        }
        let statement = try SQLiteStatement(connection: connection, sql: sql)
        statement.inUse = true
        statements[sql] = statement
        return statement
    }

    /// Gives a statement back, reset and unbound (so it holds no read snapshot and no copy of a
    /// bound blob); one not from the cache is finalized when released.
    private func recycle(_ statement: SQLiteStatement) {
        statement.reset()
        sqlite3_clear_bindings(statement.handle)
        statement.inUse = false
    }

    // MARK: Running SQL

    /// Runs one or more statements without parameters or results (schema, PRAGMAs).
    func execute(_ sql: String) throws(SQLiteError) {
        lock.lock()
        defer { lock.unlock() }
        var error: UnsafeMutablePointer<CChar>?
        guard sqlite3_exec(connection, sql, nil, nil, &error) == SQLITE_OK else {
            let message = error.map { String(cString: $0) } ?? SQLiteStatement.message(connection)
            sqlite3_free(error)
            throw .step(sql: sql, code: sqlite3_extended_errcode(connection), message: message)
        }
    }

    /// Runs one statement with parameters; returns the number of rows it changed.
    @discardableResult
    func run(_ sql: String, _ arguments: any SQLiteBindable...) throws(SQLiteError) -> Int {
        lock.lock()
        defer { lock.unlock() }
        let statement = try statement(sql)
        defer { recycle(statement) }
        try statement.bind(arguments)
        while try statement.step() {}
        return Int(sqlite3_changes(connection))
    }

    /// Runs a query and maps each row; the statement is positioned on the row while `row` runs.
    /// Row closures may throw anything (untyped so `{ try $0.int(0) }` needs no annotation);
    /// the statement's own failures are `SQLiteError`.
    func query<T>(
        _ sql: String, _ arguments: [any SQLiteBindable] = [],
        row: (SQLiteStatement) throws -> T
    ) throws -> [T] {
        try withStatement(sql) { statement in
            try statement.bind(arguments)
            var rows: [T] = []
            while try statement.step() { rows.append(try row(statement)) }
            return rows
        }
    }

    /// Prepares `sql`, hands it to `body` under the connection lock, and finalizes it afterwards.
    func withStatement<T>(_ sql: String, _ body: (SQLiteStatement) throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        let statement = try statement(sql)
        defer { recycle(statement) }
        return try body(statement)
    }

    /// The first column of the first row of a PRAGMA, as text.
    func pragma(_ text: String) throws(SQLiteError) -> String? {
        lock.lock()
        defer { lock.unlock() }
        let statement = try SQLiteStatement(connection: connection, sql: "PRAGMA \(text)")
        guard try statement.step(), !statement.isNull(0) else { return nil }
        return String(cString: sqlite3_column_text(statement.handle, 0))
    }

    var lastInsertRowID: Int64 {
        lock.lock()
        defer { lock.unlock() }
        return sqlite3_last_insert_rowid(connection)
    }

    // MARK: Transactions

    /// Runs `body` in `BEGIN IMMEDIATE … COMMIT`, rolling back if it throws. IMMEDIATE takes the
    /// write lock up front, so a read-then-write body cannot fail halfway with SQLITE_BUSY when
    /// another process wrote in between (the busy timeout applies at BEGIN instead).
    /// `readOnly` uses a plain (deferred) BEGIN: a consistent snapshot without taking the write lock.
    ///
    /// Called inside another transaction (same thread: the lock is held for the outer one), it
    /// runs as a SAVEPOINT: its failure undoes only its own changes, and nothing is durable before
    /// the outermost COMMIT. That is how the daemon commits a whole batch of decisions at once.
    /// Inside `joiningNested`, a nested call runs its body in the enclosing savepoint instead.
    @discardableResult
    func transaction<T>(readOnly: Bool = false, _ body: () throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        let nested = sqlite3_get_autocommit(connection) == 0
        if nested && joinNested { return try body() }
        return try begin(nested: nested, readOnly: readOnly, body)
    }

    /// A transaction that is always its own savepoint when nested, also inside `joiningNested`
    /// (where the calls nested in it join it): the unit a caller undoes alone when it catches a
    /// failure.
    @discardableResult
    func savepoint<T>(_ body: () throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        return try begin(nested: sqlite3_get_autocommit(connection) == 0, readOnly: false, body)
    }

    /// Runs `body` (inside a transaction) with nested `transaction` calls joining the enclosing
    /// savepoint or transaction instead of opening their own: a savepoint costs two statements and
    /// a copy of every page it changes, which for the daemon's per-message steps was a third of
    /// the statements run per message. A failure inside must therefore fail, or be undone by, an
    /// enclosing `savepoint`; nothing in `body` may catch a store error and go on.
    func joiningNested<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        let outer = joinNested
        joinNested = true
        defer { joinNested = outer }
        return try body()
    }

    private func begin<T>(nested: Bool, readOnly: Bool, _ body: () throws -> T) throws -> T {
        try run(nested ? "SAVEPOINT nested" : readOnly ? "BEGIN" : "BEGIN IMMEDIATE")
        do {
            let result = try body()
            try run(nested ? "RELEASE nested" : "COMMIT")
            return result
        } catch {
            // SQLite may already have rolled back by itself (e.g. after SQLITE_FULL).
            if sqlite3_get_autocommit(connection) == 0 {
                try? execute(nested ? "ROLLBACK TO nested" : "ROLLBACK")
                if nested { try? execute("RELEASE nested") }
            }
            throw error
        }
    }

    // MARK: Schema

    /// The schema version stored in the file header (0 for a new file).
    func userVersion() throws(SQLiteError) -> Int { Int(try pragma("user_version") ?? "0") ?? 0 }

    /// Applies the migrations newer than `user_version`, each with its version bump in the same
    /// transaction, so a crash leaves the schema at a whole version. A file from a newer build is
    /// refused rather than written with assumptions that no longer hold.
    /// Returns the versions before and after.
    @discardableResult
    func migrate(_ migrations: [Migration]) throws -> (from: Int, to: Int) {
        for (index, migration) in migrations.enumerated() where migration.version != index + 1 {
            throw SQLiteError.invalidMigrations(
                "migration at position \(index) has version \(migration.version), expected \(index + 1)")
        }
        let from = try userVersion()
        guard from <= migrations.count else {
            throw SQLiteError.schemaTooNew(path: path, found: from, supported: migrations.count)
        }
        for migration in migrations where migration.version > from {
            // Only outside a transaction does this pragma take effect; it is back on whether or not
            // the migration succeeded.
            if migration.rebuildsTables { try execute("PRAGMA foreign_keys=OFF") }
            let applied = Result { try apply(migration) }
            if migration.rebuildsTables {
                try execute("PRAGMA foreign_keys=ON")
                guard try pragma("foreign_keys") == "1" else {
                    throw SQLiteError.pragma(name: "foreign_keys", expected: "1", found: "0")
                }
            }
            try applied.get()
        }
        return (from, try userVersion())
    }

    /// One migration and its version bump, in one transaction.
    private func apply(_ migration: Migration) throws {
        try transaction {
            // Re-check under the write lock: another process may have migrated meanwhile.
            guard try userVersion() < migration.version else { return }
            try execute(migration.sql)
            if migration.rebuildsTables {
                let broken = try query("PRAGMA foreign_key_check") { row in try row.string(0) }
                guard broken.isEmpty else {
                    throw SQLiteError.invalidMigrations(
                        "migration \(migration.version) broke foreign keys in \(Set(broken).sorted())")
                }
            }
            try execute("PRAGMA user_version = \(migration.version)")
        }
    }

    // MARK: File permissions

    /// Creates the file with mode 0600 before SQLite sees it. SQLite creates `-wal` and `-shm`
    /// with the same permissions as the main file, so they inherit owner-only access. Using
    /// `open(O_EXCL, 0600)` avoids changing the process-wide umask, which would race other threads.
    private static func createPrivately(_ path: String) throws(SQLiteError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        if fd >= 0 {
            let ok = fchmod(fd, 0o600) == 0
            let code = errno
            close(fd)
            guard ok else { throw .permissions(path: path, errno: code) }
        } else if errno != EEXIST {
            throw .permissions(path: path, errno: errno)
        }
    }

    /// Tightens the main file and any `-wal`/`-shm` to 0600 (e.g. a file copied in by an operator).
    private static func restrictPermissions(_ path: String) throws(SQLiteError) {
        for file in [path, path + "-wal", path + "-shm"] {
            var info = stat()
            guard lstat(file, &info) == 0 else { continue }
            if info.st_mode & 0o077 != 0, chmod(file, 0o600) != 0 {
                throw .permissions(path: file, errno: errno)
            }
        }
    }
}
