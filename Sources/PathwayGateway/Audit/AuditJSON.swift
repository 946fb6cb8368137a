/// The audit record's JSON, written and read by hand for one flat shape: an object whose values
/// are strings, integers, booleans, null or arrays of strings.
///
/// Why not JSONSerialization: on Linux it costs about 0.5 ms per record with sorted keys, which
/// would dominate the daemon's per-message cost, and its exact output (escaping, key order) is not
/// a documented contract. Here the canonical form is ours and written down: keys in byte order,
/// no whitespace, strings UTF-8 with only `"`, `\` and control characters escaped (`\n`, `\r`,
/// `\t`, `\b`, `\f`, else `\u00XX`), integers in decimal. The reader accepts any standard JSON of
/// this shape (with `\uXXXX` escapes, whitespace, surrogate pairs), so records written by hand or
/// by older builds are still readable.
enum AuditJSON {
    enum Value: Sendable, Hashable {
        case string(String)
        case integer(Int)
        case bool(Bool)
        case null
        case strings([String])
    }

    /// The canonical bytes of an object with `fields` (sorted here by key bytes unless they already are).
    static func encode(_ fields: [(String, Value)]) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "{")]
        out.reserveCapacity(1024)
        let before: ((String, Value), (String, Value)) -> Bool = { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
        let sorted = zip(fields, fields.dropFirst()).allSatisfy { before($0, $1) } ? fields : fields.sorted(by: before)
        for (index, (key, value)) in sorted.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            JSONString.append(key, to: &out)
            out.append(UInt8(ascii: ":"))
            switch value {
            case let .string(text): JSONString.append(text, to: &out)
            case let .integer(number): out.append(contentsOf: String(number).utf8)
            case let .bool(flag): out.append(contentsOf: (flag ? "true" : "false").utf8)
            case .null: out.append(contentsOf: "null".utf8)
            case let .strings(list):
                out.append(UInt8(ascii: "["))
                for (i, text) in list.enumerated() {
                    if i > 0 { out.append(UInt8(ascii: ",")) }
                    JSONString.append(text, to: &out)
                }
                out.append(UInt8(ascii: "]"))
            }
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// Parses one object of the shape above; nil for anything else (including duplicate keys).
    static func decode(_ bytes: some Collection<UInt8>) -> [String: Value]? {
        var parser = Parser(bytes: Array(bytes))
        return parser.object()
    }

    private struct Parser {
        let bytes: [UInt8]
        var at = 0

        mutating func object() -> [String: Value]? {
            guard take(UInt8(ascii: "{")) else { return nil }
            var result: [String: Value] = [:]
            if take(UInt8(ascii: "}")) { return end() ? result : nil }
            repeat {
                guard let key = string(), take(UInt8(ascii: ":")), let value = value(),
                    result.updateValue(value, forKey: key) == nil
                else { return nil }
            } while take(UInt8(ascii: ","))
            return take(UInt8(ascii: "}")) && end() ? result : nil
        }

        private mutating func end() -> Bool {
            skipSpace()
            return at == bytes.count
        }

        private mutating func value() -> Value? {
            skipSpace()
            guard at < bytes.count else { return nil }
            switch bytes[at] {
            case UInt8(ascii: "\""): return string().map(Value.string)
            case UInt8(ascii: "["):
                at += 1
                var list: [String] = []
                if take(UInt8(ascii: "]")) { return .strings(list) }
                repeat {
                    guard let item = string() else { return nil }
                    list.append(item)
                } while take(UInt8(ascii: ","))
                return take(UInt8(ascii: "]")) ? .strings(list) : nil
            case UInt8(ascii: "t"): return literal("true") ? .bool(true) : nil
            case UInt8(ascii: "f"): return literal("false") ? .bool(false) : nil
            case UInt8(ascii: "n"): return literal("null") ? .null : nil
            default:
                let start = at
                if bytes[at] == UInt8(ascii: "-") { at += 1 }
                while at < bytes.count, (48...57).contains(bytes[at]) { at += 1 }
                return Int(String(decoding: bytes[start..<at], as: UTF8.self)).map(Value.integer)
            }
        }

        private mutating func string() -> String? {
            guard take(UInt8(ascii: "\"")) else { return nil }
            var out: [UInt8] = []
            while at < bytes.count {
                let byte = bytes[at]
                at += 1
                switch byte {
                case UInt8(ascii: "\""): return String(validating: out, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard at < bytes.count else { return nil }
                    let escape = bytes[at]
                    at += 1
                    switch escape {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "u"):
                        guard var scalar = hex4() else { return nil }
                        if (0xD800..<0xDC00).contains(scalar) {
                            guard literal("\\u"), let low = hex4(), (0xDC00..<0xE000).contains(low) else { return nil }
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        }
                        guard let character = Unicode.Scalar(scalar) else { return nil }
                        out += Array(String(Character(character)).utf8)
                    default: return nil
                    }
                case 0..<0x20: return nil
                default: out.append(byte)
                }
            }
            return nil
        }

        private mutating func hex4() -> UInt32? {
            guard at + 4 <= bytes.count,
                bytes[at..<(at + 4)].allSatisfy({ (48...57).contains($0) || (65...70).contains($0 & 0xDF) }),
                let value = UInt32(String(decoding: bytes[at..<(at + 4)], as: UTF8.self), radix: 16)
            else { return nil }
            at += 4
            return value
        }

        private mutating func literal(_ text: String) -> Bool {
            let expected = Array(text.utf8)
            guard at + expected.count <= bytes.count, bytes[at..<(at + expected.count)].elementsEqual(expected) else {
                return false
            }
            at += expected.count
            return true
        }

        private mutating func take(_ byte: UInt8) -> Bool {
            skipSpace()
            guard at < bytes.count, bytes[at] == byte else { return false }
            at += 1
            return true
        }

        private mutating func skipSpace() {
            while at < bytes.count {
                switch bytes[at] {
                case 0x20, 0x09, 0x0A, 0x0D: at += 1
                default: return
                }
            }
        }
    }
}
