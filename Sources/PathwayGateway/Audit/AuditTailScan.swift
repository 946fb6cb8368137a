import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The newest records of the audit log, read from the end of its newest non-empty file: what the
/// start-up check compares with the state database.
///
/// Why the tail is enough: a decision commits to the database before its records are appended,
/// so every gateway message id in the log is known to a database that is not older than the log.
/// A database restored from a backup misses the newest ones; a lost or emptied one misses all.
/// Reading at most `window` bytes keeps the check cheap however long the log is.
public struct AuditTailScan: Sendable, Equatable {
    /// The seq of the newest whole record (0: the log holds none).
    public var headSeq: Int
    /// Distinct gateway message ids (`gatewayId`) of the newest records, newest first.
    public var gatewayIds: [String]

    /// A log without records (a fresh install).
    public static let empty = AuditTailScan(headSeq: 0, gatewayIds: [])

    init(headSeq: Int, gatewayIds: [String]) {
        self.headSeq = headSeq
        self.gatewayIds = gatewayIds
    }

    /// Scans `directory`'s newest file that holds a whole record; at most `limit` ids.
    public init(directory: AuditDirectory, limit: Int = 32, window: Int = 256 << 10) throws {
        headSeq = 0
        gatewayIds = []
        for file in directory.files().reversed() {
            let lines = try Self.lastLines(of: file.path, window: window)
            guard !lines.isEmpty else { continue }
            for line in lines.reversed() {
                guard let object = AuditJSON.decode(line), case let .integer(seq)? = object["seq"] else { continue }
                headSeq = max(headSeq, seq)
                if case let .string(id)? = object["gatewayId"], !gatewayIds.contains(id) { gatewayIds.append(id) }
                if gatewayIds.count >= limit { break }
            }
            if headSeq > 0 { return }
        }
    }

    /// The whole lines (ending in a newline) in the last `window` bytes of `path`; the first is
    /// dropped when the window starts inside it.
    static func lastLines(of path: String, window: Int) throws -> [ArraySlice<UInt8>] {
        let (bytes, start, _) = try FileReader.end(of: path, count: window)
        guard let end = bytes.lastIndex(of: UInt8(ascii: "\n")) else { return [] }
        var lines = bytes[..<end].split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true)
        if start > 0, !lines.isEmpty { lines.removeFirst() }
        return lines
    }
}
