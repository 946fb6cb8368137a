import Foundation

/// Identifiers for what the gateway creates (its id for an inbound file, routed MsgIds, AppRec
/// ids): RFC 9562 UUIDv7 — 48 bits of Unix milliseconds, then random bits — in lowercase text.
///
/// Why not `UUID()` (v4): the ids are primary keys. Random keys scatter every insert across the
/// whole B-tree, so once the state database outgrows SQLite's page cache each commit touches and
/// rewrites pages all over the file; time-ordered keys append at the right edge. Measured: the
/// commit path's cost per message grew ~60 % between 10,000 and 50,000 messages with v4 keys.
/// They still sort by creation time, which helps anyone reading a directory listing.
enum TimeOrderedID {
    static func make(now: Date = Date()) -> String {
        var generator = SystemRandomNumberGenerator()  // two getrandom(2) calls, not one per byte
        let (high, low) = (generator.next() as UInt64, generator.next() as UInt64)
        let millis = UInt64(max(0, now.timeIntervalSince1970 * 1000))
        // 48 bits of milliseconds, version 7 with 12 random bits, the variant with 62 random bits.
        let first = millis << 16 | 0x7000 | (high & 0x0FFF)
        let second = 0x8000_0000_0000_0000 | (low & 0x3FFF_FFFF_FFFF_FFFF)
        // Written in place: this runs several times per message.
        return String(unsafeUninitializedCapacity: 36) { text in
            var at = 0
            func hex(_ value: UInt64, digits: Int) {
                for shift in stride(from: (digits - 1) * 4, through: 0, by: -4) {
                    let nibble = UInt8(truncatingIfNeeded: value >> UInt64(shift)) & 15
                    text[at] = nibble < 10 ? 48 + nibble : 87 + nibble
                    at += 1
                }
            }
            func dash() {
                text[at] = UInt8(ascii: "-")
                at += 1
            }
            hex(first >> 32, digits: 8)
            dash()
            hex(first >> 16, digits: 4)
            dash()
            hex(first, digits: 4)
            dash()
            hex(second >> 48, digits: 4)
            dash()
            hex(second, digits: 12)
            return at
        }
    }

    /// When an id of ours was made (its 48-bit millisecond prefix); nil for anything that is not a
    /// version 7 UUID. Archived and quarantined originals carry their gateway id at the start of
    /// their names, so their age is the gateway's own time of claim, whatever mtime a partner set.
    public static func date(of text: Substring) -> Date? {
        let bytes = Array(text.utf8.prefix(36))
        guard bytes.count == 36, bytes[8] == UInt8(ascii: "-"), bytes[13] == UInt8(ascii: "-"),
            bytes[14] == UInt8(ascii: "7"),
            bytes[18] == UInt8(ascii: "-"), bytes[23] == UInt8(ascii: "-")
        else { return nil }
        var millis: UInt64 = 0
        for byte in bytes[0..<8] + bytes[9..<13] {
            guard let digit = hexValue(byte) else { return nil }
            millis = millis << 4 | UInt64(digit)
        }
        return Date(timeIntervalSince1970: Double(millis) / 1000)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}
