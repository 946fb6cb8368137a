/// The hash chain's byte format, in one place so the writer and `audit verify` cannot disagree.
///
/// A record line is its canonical body — a JSON object with sorted keys and no `hash` member,
/// exactly as written — with `,"hash":"<64 hex>"` spliced in before the closing brace:
///
///     {"errors":[],"event":"received",…,"prev":"<prev hash>",…,"ts":"…","warnings":[],"hash":"<hash>"}
///
/// `hash = SHA-256(prev hash as ASCII hex ‖ body bytes)`. The hash covers the body's exact bytes,
/// not a re-serialisation of parsed JSON, so verification does not depend on how a JSON library
/// orders keys or escapes characters: one changed byte anywhere in the body changes the hash.
/// `prev` is both inside the body and prefixed, so a record also commits to its predecessor.
enum AuditChain {
    /// The `prev` of the very first record.
    static let genesis = String(repeating: "0", count: 64)

    private static let hashKey = Array(#","hash":""#.utf8)
    /// `,"hash":"` + 64 hex digits + `"}`.
    static let sealLength = hashKey.count + 64 + 2

    /// The hash of a record whose body is `body` and whose predecessor's hash is `prev`.
    static func hash(prev: String, body: some Collection<UInt8>) -> String {
        SHA256.hex(Array(prev.utf8) + Array(body))
    }

    /// The full line (without newline) for `body`, and its hash. `body` must end with `}`.
    static func seal(body: [UInt8], prev: String) -> (line: [UInt8], hash: String) {
        precondition(body.last == UInt8(ascii: "}"), "a record body is a JSON object")
        let hash = hash(prev: prev, body: body)
        var line = body
        line.removeLast()
        line += hashKey + Array(hash.utf8) + [UInt8(ascii: "\""), UInt8(ascii: "}")]
        return (line, hash)
    }

    /// Splits a line into its body and the hash it claims; nil when the line does not end with a
    /// well-formed hash member (an edit that damaged the seal).
    static func unseal(_ line: ArraySlice<UInt8>) -> (body: [UInt8], hash: String)? {
        guard line.count > sealLength, line.last == UInt8(ascii: "}") else { return nil }
        let sealStart = line.endIndex - sealLength
        guard line[sealStart..<(sealStart + hashKey.count)].elementsEqual(hashKey),
            line[line.endIndex - 2] == UInt8(ascii: "\"")
        else { return nil }
        let hex = line[(sealStart + hashKey.count)..<(line.endIndex - 2)]
        guard hex.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else { return nil }
        var body = Array(line[..<sealStart])
        body.append(UInt8(ascii: "}"))
        return (body, String(decoding: hex, as: UTF8.self))
    }
}
