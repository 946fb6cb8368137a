internal import CSQLite
import Foundation

/// A value SQLite can store, one case per storage class. Binding through this enum (rather than
/// `Any`) means a caller cannot pass a type SQLite would silently coerce to text.
enum SQLiteValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
}

/// Swift types that map onto one SQLite storage class.
protocol SQLiteBindable: Sendable {
    var sqliteValue: SQLiteValue { get }
}

extension SQLiteValue: SQLiteBindable { public var sqliteValue: SQLiteValue { self } }
extension String: SQLiteBindable { var sqliteValue: SQLiteValue { .text(self) } }
extension Int64: SQLiteBindable { var sqliteValue: SQLiteValue { .integer(self) } }
extension Int: SQLiteBindable { var sqliteValue: SQLiteValue { .integer(Int64(self)) } }
extension Double: SQLiteBindable { var sqliteValue: SQLiteValue { .real(self) } }
extension Data: SQLiteBindable { var sqliteValue: SQLiteValue { .blob([UInt8](self)) } }
extension Array: SQLiteBindable where Element == UInt8 { var sqliteValue: SQLiteValue { .blob(self) } }
extension Optional: SQLiteBindable where Wrapped: SQLiteBindable {
    var sqliteValue: SQLiteValue { self?.sqliteValue ?? .null }
}

/// One prepared statement. Deliberately not `Sendable` and only handed out inside
/// `SQLiteDatabase.withStatement`, which holds the connection lock: a statement belongs to its
/// connection, and using it from another thread mid-step is exactly the misuse we want to rule out.
/// Finalized when the last reference goes away.
final class SQLiteStatement {
    let handle: OpaquePointer
    /// The SQL text, kept for error messages.
    let sql: String
    private let connection: OpaquePointer
    /// Handed out by its connection's statement cache and not yet given back (only touched under
    /// the connection's lock).
    var inUse = false

    init(connection: OpaquePointer, sql: String) throws(SQLiteError) {
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v2(connection, sql, -1, &statement, nil)
        guard rc == SQLITE_OK, let statement else {
            sqlite3_finalize(statement)
            throw .prepare(sql: sql, code: sqlite3_extended_errcode(connection), message: Self.message(connection))
        }
        self.connection = connection
        self.handle = statement
        self.sql = sql
    }

    deinit { sqlite3_finalize(handle) }

    // MARK: Binding

    /// Binds `values` to parameters 1…n, after clearing earlier bindings so none leak between runs.
    func bind(_ values: [any SQLiteBindable]) throws(SQLiteError) {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        for (offset, value) in values.enumerated() {
            try bind(value.sqliteValue, at: Int32(offset + 1))
        }
    }

    /// Binds one value at a 1-based parameter index. Text and blobs are copied (SQLITE_TRANSIENT)
    /// because the Swift buffers do not outlive this call.
    func bind(_ value: SQLiteValue, at index: Int32) throws(SQLiteError) {
        let rc: Int32
        switch value {
        case .null: rc = sqlite3_bind_null(handle, index)
        case let .integer(v): rc = sqlite3_bind_int64(handle, index, v)
        case let .real(v): rc = sqlite3_bind_double(handle, index, v)
        case let .text(v): rc = sqlite3_bind_text(handle, index, v, -1, Self.transient)
        case let .blob(v):
            // A zero-length blob bound through a nil pointer would become NULL: bind it explicitly.
            rc =
                v.isEmpty
                ? sqlite3_bind_zeroblob(handle, index, 0)
                : v.withUnsafeBytes {
                    sqlite3_bind_blob(handle, index, $0.baseAddress, Int32($0.count), Self.transient)
                }
        }
        guard rc == SQLITE_OK else {
            throw .bind(sql: sql, index: index, code: rc, message: Self.message(connection))
        }
    }

    // MARK: Stepping

    /// Advances to the next row: true when a row is available, false when done.
    @discardableResult
    func step() throws(SQLiteError) -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let code = sqlite3_extended_errcode(connection)
            let text = Self.message(connection)
            sqlite3_reset(handle)
            throw .step(sql: sql, code: code, message: text)
        }
    }

    /// Rewinds so the statement can run again with new bindings.
    func reset() { sqlite3_reset(handle) }

    // MARK: Reading columns (0-based, like SQLite's column API)

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

    func int64(_ column: Int32) throws(SQLiteError) -> Int64 {
        try expect(SQLITE_INTEGER, column, "INTEGER")
        return sqlite3_column_int64(handle, column)
    }

    func int(_ column: Int32) throws(SQLiteError) -> Int { Int(try int64(column)) }

    func double(_ column: Int32) throws(SQLiteError) -> Double {
        let type = sqlite3_column_type(handle, column)
        if type != SQLITE_INTEGER { try expect(SQLITE_FLOAT, column, "REAL") }
        return sqlite3_column_double(handle, column)
    }

    func string(_ column: Int32) throws(SQLiteError) -> String {
        try expect(SQLITE_TEXT, column, "TEXT")
        guard let text = sqlite3_column_text(handle, column) else { return "" }
        return String(cString: text)
    }

    func bytes(_ column: Int32) throws(SQLiteError) -> [UInt8] {
        try expect(SQLITE_BLOB, column, "BLOB")
        let count = Int(sqlite3_column_bytes(handle, column))
        guard count > 0, let pointer = sqlite3_column_blob(handle, column) else { return [] }
        return [UInt8](UnsafeRawBufferPointer(start: pointer, count: count))
    }

    func data(_ column: Int32) throws(SQLiteError) -> Data { Data(try bytes(column)) }

    func optionalString(_ column: Int32) throws(SQLiteError) -> String? {
        isNull(column) ? nil : try string(column)
    }

    func optionalInt64(_ column: Int32) throws(SQLiteError) -> Int64? {
        isNull(column) ? nil : try int64(column)
    }

    func optionalBytes(_ column: Int32) throws(SQLiteError) -> [UInt8]? {
        isNull(column) ? nil : try bytes(column)
    }

    /// Strict typing: SQLite would happily convert, but a mismatch here means the schema and the
    /// code disagree, which must surface instead of yielding "0" or "".
    private func expect(_ type: Int32, _ column: Int32, _ name: String) throws(SQLiteError) {
        let found = sqlite3_column_type(handle, column)
        guard found == type else {
            let names = [
                SQLITE_INTEGER: "INTEGER", SQLITE_FLOAT: "REAL", SQLITE_TEXT: "TEXT",
                SQLITE_BLOB: "BLOB", SQLITE_NULL: "NULL",
            ]
            throw .columnType(sql: sql, column: column, expected: name, found: names[found] ?? "type \(found)")
        }
    }

    static func message(_ connection: OpaquePointer?) -> String {
        guard let connection, let text = sqlite3_errmsg(connection) else { return "unknown error" }
        return String(cString: text)
    }

    /// SQLITE_TRANSIENT is a C macro (`(sqlite3_destructor_type)-1`) that Swift cannot import.
    static var transient: sqlite3_destructor_type { unsafeBitCast(-1, to: sqlite3_destructor_type.self) }
}
