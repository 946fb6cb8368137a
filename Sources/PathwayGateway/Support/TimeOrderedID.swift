import Foundation

/// Identifiers for what the gateway creates (its id for an inbound file, routed MsgIds, AppRec
/// ids): RFC 9562 UUIDv7 — 48 bits of Unix milliseconds, then random bits — in lowercase text.
///
/// Why not `UUID()` (v4): the ids are primary keys. Random keys scatter every insert across the
/// whole B-tree, so once the state database outgrows SQLite's page cache each commit touches and
/// rewrites pages all over the file; time-ordered keys append at the right edge. Measured: the
/// commit path's cost per message grew ~60 % between 10,000 and 50,000 messages with v4 keys.
/// They still sort by creation time, which helps anyone reading a directory listing.
public enum TimeOrderedID {
    public static func make(now: Date = Date()) -> String {
        var bytes = [UInt8](repeating: 0, count: 16)
        var generator = SystemRandomNumberGenerator()
        for i in 6..<16 { bytes[i] = UInt8.random(in: 0...255, using: &generator) }
        let millis = UInt64(max(0, now.timeIntervalSince1970 * 1000))
        for i in 0..<6 { bytes[i] = UInt8(truncatingIfNeeded: millis >> (8 * (5 - i))) }
        bytes[6] = 0x70 | (bytes[6] & 0x0F)   // version 7
        bytes[8] = 0x80 | (bytes[8] & 0x3F)   // RFC 9562 variant
        let hex = bytes.map { String($0, radix: 16).leftPadded() }.joined()
        let h = Array(hex)
        return String(h[0..<8]) + "-" + String(h[8..<12]) + "-" + String(h[12..<16]) + "-" + String(h[16..<20]) + "-" + String(h[20..<32])
    }
}

private extension String {
    func leftPadded() -> String { count == 1 ? "0" + self : self }
}
