import Foundation

/// The last record of the audit log: its `seq` and `hash`, the values an operator notes down (or a
/// monitoring system compares) to show the chain has not been rewritten since. Reads only the tail
/// of the file, so it costs the same for a log of any length.
struct AuditHead: Sendable, Equatable, Encodable {
    var seq: Int
    var hash: String
    var ts: String?

    /// nil when the log is absent or empty; the last whole line is used (a torn tail is the
    /// daemon's to cut at its next start).
    static func read(_ path: String, window: Int = 65_536) -> AuditHead? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard let end = try? handle.seekToEnd(), end > 0 else { return nil }
        let start = end > UInt64(window) ? end - UInt64(window) : 0
        guard (try? handle.seek(toOffset: start)) != nil, let tail = try? handle.readToEnd() else { return nil }
        for line in tail.split(separator: UInt8(ascii: "\n")).reversed() {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
                let seq = object["seq"] as? Int, let hash = object["hash"] as? String
            else { continue }
            return AuditHead(seq: seq, hash: hash, ts: object["ts"] as? String)
        }
        return nil
    }
}
