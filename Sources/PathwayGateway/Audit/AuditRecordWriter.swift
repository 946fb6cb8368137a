/// Writes one audit record as a JSON line, fast and byte-for-byte reproducible.
///
/// Canonical form (what `hash` covers, and what `audit verify` recomputes without re-serialising):
/// the members in ascending byte order of their keys, no whitespace, strings escaped minimally
/// (`"` `\` and control characters; `/` and non-ASCII written as they are, UTF-8), then `hash` as
/// the last member. So the canonical bytes of a line are the line up to `,"hash":` followed by
/// `}`, and `hash = SHA-256(prev + canonical)` in lowercase hex.
/// (Foundation's JSONSerialization took 45 % of the daemon's CPU for the same work: it sorts keys
/// with locale-aware comparison.)
struct AuditRecordWriter {
    enum Value {
        case string(String?)
        case int(Int)
        case bool(Bool)
        case strings([String])
    }

    private(set) var bytes: [UInt8] = [UInt8(ascii: "{")]

    /// Members must come in ascending key order (checked in debug builds).
    init(_ members: [(String, Value)]) {
        assert(zip(members, members.dropFirst()).allSatisfy { Array($0.0.utf8).lexicographicallyPrecedes(Array($1.0.utf8)) },
               "audit members out of order")
        bytes.reserveCapacity(1024)
        for (index, (key, value)) in members.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            string(key)
            bytes.append(UInt8(ascii: ":"))
            switch value {
            case let .string(text?): string(text)
            case .string(nil): bytes += Array("null".utf8)
            case let .int(number): bytes += Array(String(number).utf8)
            case let .bool(flag): bytes += Array((flag ? "true" : "false").utf8)
            case let .strings(list):
                bytes.append(UInt8(ascii: "["))
                for (i, item) in list.enumerated() {
                    if i > 0 { bytes.append(UInt8(ascii: ",")) }
                    string(item)
                }
                bytes.append(UInt8(ascii: "]"))
            }
        }
    }

    /// The canonical bytes (`{…}`), which the hash covers.
    var canonical: [UInt8] { bytes + [UInt8(ascii: "}")] }

    /// The whole line: canonical members, then `"hash"`, then a newline.
    func line(hash: String) -> [UInt8] {
        bytes + Array(",\"hash\":\"\(hash)\"}\n".utf8)
    }

    private mutating func string(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case UInt8(ascii: "\n"): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case UInt8(ascii: "\r"): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case UInt8(ascii: "\t"): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes += Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
