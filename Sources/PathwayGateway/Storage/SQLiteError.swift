#if canImport(Glibc)
    import Glibc
#endif

/// Why a SQLite operation failed, with enough context to act on it from a log line alone: SQLite's
/// *extended* result code (e.g. 2067 SQLITE_CONSTRAINT_UNIQUE rather than plain 19), its message,
/// and the SQL or file involved. Operators see these when the state database misbehaves, so every
/// case names what was being done.
enum SQLiteError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `sqlite3_open_v2` failed (missing directory, permissions, not a database).
    case open(path: String, code: Int32, message: String)
    /// The SQL did not compile (syntax error, unknown table or column).
    case prepare(sql: String, code: Int32, message: String)
    /// A parameter could not be bound (index out of range, value too large).
    case bind(sql: String, index: Int32, code: Int32, message: String)
    /// Running a statement failed (constraint violation, disk full, I/O error, busy).
    case step(sql: String, code: Int32, message: String)
    /// A column held a different storage class than the reader expected; a schema/code mismatch.
    case columnType(sql: String, column: Int32, expected: String, found: String)
    /// A PRAGMA did not take effect (e.g. WAL refused on a filesystem without shared memory).
    case pragma(name: String, expected: String, found: String)
    /// The file's `user_version` is newer than this build knows: refuse rather than misread it.
    case schemaTooNew(path: String, found: Int, supported: Int)
    /// Migrations must be numbered 1, 2, 3… in order, so the version history is unambiguous.
    case invalidMigrations(String)
    /// Setting the file's owner-only permissions failed; state holds patient-linked data.
    case permissions(path: String, errno: Int32)

    /// Human-readable, one line, naming the code in both numeric and symbolic form.
    var description: String {
        switch self {
        case let .open(path, code, message):
            "cannot open database \(path): \(message) (SQLite \(code) \(Self.codeName(code)))"
        case let .prepare(sql, code, message):
            "cannot prepare SQL: \(message) (SQLite \(code) \(Self.codeName(code))) in: \(sql)"
        case let .bind(sql, index, code, message):
            "cannot bind parameter \(index): \(message) (SQLite \(code) \(Self.codeName(code))) in: \(sql)"
        case let .step(sql, code, message):
            "SQL failed: \(message) (SQLite \(code) \(Self.codeName(code))) in: \(sql)"
        case let .columnType(sql, column, expected, found):
            "column \(column) is \(found), expected \(expected) in: \(sql)"
        case let .pragma(name, expected, found):
            "PRAGMA \(name) is \(found), expected \(expected)"
        case let .schemaTooNew(path, found, supported):
            "database \(path) has schema version \(found); this build supports up to \(supported)"
        case let .invalidMigrations(reason):
            "invalid migration list: \(reason)"
        case let .permissions(path, code):
            "cannot restrict permissions of \(path): \(Self.errnoText(code))"
        }
    }

    /// The primary result code (low byte of the extended code), e.g. 19 for any constraint failure.
    var primaryCode: Int32? {
        switch self {
        case let .open(_, code, _), let .prepare(_, code, _), let .bind(_, _, code, _), let .step(_, code, _):
            code & 0xFF
        default: nil
        }
    }

    /// Symbolic names for the codes an operator is likely to meet.
    static func codeName(_ code: Int32) -> String {
        switch code {
        case 5: "SQLITE_BUSY"
        case 8: "SQLITE_READONLY"
        case 10: "SQLITE_IOERR"
        case 11: "SQLITE_CORRUPT"
        case 13: "SQLITE_FULL"
        case 14: "SQLITE_CANTOPEN"
        case 19: "SQLITE_CONSTRAINT"
        case 26: "SQLITE_NOTADB"
        case 787: "SQLITE_CONSTRAINT_FOREIGNKEY"
        case 1299: "SQLITE_CONSTRAINT_NOTNULL"
        case 1555: "SQLITE_CONSTRAINT_PRIMARYKEY"
        case 2067: "SQLITE_CONSTRAINT_UNIQUE"
        case 275: "SQLITE_CONSTRAINT_CHECK"
        default: code & 0xFF == 19 ? "SQLITE_CONSTRAINT_*" : "code \(code)"
        }
    }

    static func errnoText(_ code: Int32) -> String {
        "\(String(cString: strerror(code))) (errno \(code))"
    }
}
