/// Finds every object key that appears twice in one JSON object.
///
/// `JSONSerialization` keeps the last of two equal keys without a word, so a config with
/// `"spool"` twice would run on whichever came second. A config is written by hand and edited
/// under pressure; a repeated key is almost always a paste mistake, and spec §2 makes it an error.
/// The text has already been parsed by `JSONSerialization` when this runs, so this scan only
/// needs to track structure, not report syntax.
enum JSONDuplicateKeys {
    /// One repeated key: its JSON path (as `ConfigReader` spells paths) and the 1-based line of
    /// its second occurrence.
    struct Duplicate: Equatable {
        var path: String
        var line: Int
    }

    private enum Container {
        case object(path: String, keys: Set<String>, expectingKey: Bool, currentKey: String?)
        case array(path: String, index: Int)
    }

    static func find(in bytes: [UInt8]) -> [Duplicate] {
        var duplicates: [Duplicate] = []
        var stack: [Container] = []
        var line = 1
        var index = 0
        /// The path of the value that starts now, inside the innermost container.
        func valuePath() -> String {
            switch stack.last {
            case let .object(path, _, _, key)?: ConfigReader.path(path, key ?? "")
            case let .array(path, index)?: ConfigReader.path(path, index)
            case nil: "$"
            }
        }
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\n"):
                line += 1
            case UInt8(ascii: "{"):
                stack.append(.object(path: valuePath(), keys: [], expectingKey: true, currentKey: nil))
            case UInt8(ascii: "["):
                stack.append(.array(path: valuePath(), index: 0))
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                _ = stack.popLast()
            case UInt8(ascii: ","):
                switch stack.last {
                case let .object(path, keys, _, _)?:
                    stack[stack.count - 1] = .object(path: path, keys: keys, expectingKey: true, currentKey: nil)
                case let .array(path, count)?: stack[stack.count - 1] = .array(path: path, index: count + 1)
                case nil: break
                }
            case UInt8(ascii: "\""):
                let (text, end) = string(in: bytes, from: index)
                if case .object(let path, var keys, true, _)? = stack.last {
                    if !keys.insert(text).inserted {
                        duplicates.append(Duplicate(path: ConfigReader.path(path, text), line: line))
                    }
                    stack[stack.count - 1] = .object(path: path, keys: keys, expectingKey: false, currentKey: text)
                }
                index = end
            default:
                break
            }
            index += 1
        }
        return duplicates
    }

    /// The decoded text of the string literal starting at `start` (a quote), and the index of its
    /// closing quote. Escapes other than `\"` and `\\` are kept as written: keys are compared as
    /// spelt, which is what an operator reading the file compares too.
    private static func string(in bytes: [UInt8], from start: Int) -> (String, Int) {
        var index = start + 1
        var text: [UInt8] = []
        while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
            if bytes[index] == UInt8(ascii: "\\"), index + 1 < bytes.count {
                index += 1
                if bytes[index] != UInt8(ascii: "\""), bytes[index] != UInt8(ascii: "\\") {
                    text.append(UInt8(ascii: "\\"))
                }
            }
            text.append(bytes[index])
            index += 1
        }
        return (String(decoding: text, as: UTF8.self), index)
    }
}
