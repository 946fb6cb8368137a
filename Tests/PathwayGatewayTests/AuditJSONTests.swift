import Foundation
import Testing
@testable import PathwayGateway

/// The hand-written canonical JSON of audit records: standard JSON that Foundation reads back
/// identically, and a reader that accepts Foundation's output too.
@Suite struct AuditJSONTests {
    static let awkward = ["plain", "æøå Ålesund", "quote \" and backslash \\ and slash /", "line\nbreak\ttab\r\u{8}\u{C}",
                          "control \u{1} \u{1F}", "emoji 🏥", "", "trailing backslash \\"]

    @Test(arguments: awkward)
    func stringsRoundTripAndFoundationAgrees(text: String) throws {
        let bytes = AuditJSON.encode([("b", .string(text)), ("a", .strings([text, "x"])), ("n", .null), ("i", .integer(-42)), ("t", .bool(true))])
        #expect(String(decoding: bytes, as: UTF8.self).hasPrefix(#"{"a":["#), "keys in byte order")
        let decoded = try #require(AuditJSON.decode(bytes))
        #expect(decoded == ["b": .string(text), "a": .strings([text, "x"]), "n": .null, "i": .integer(-42), "t": .bool(true)])
        let foundation = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        #expect(foundation["b"] as? String == text)
        // Foundation's own rendering (escaped slashes, \u escapes) reads back the same.
        let theirs = try JSONSerialization.data(withJSONObject: ["b": text, "a": [text, "x"]])
        #expect(AuditJSON.decode(theirs) == ["b": .string(text), "a": .strings([text, "x"])])
    }

    @Test func rejectsWhatIsNotOneFlatObject() {
        for bad in [#"{"a":1,"a":2}"#, #"{"a":1} x"#, #"{"a":{"b":1}}"#, #"{"a":[1]}"#, #"{"a":"\x"}"#, #"{"a":"\u12"}"#,
                    "{\"a\":\"raw\ncontrol\"}", #"["a"]"#, #"{"a":tru}"#, #"{"a":"unterminated}"#, ""] {
            #expect(AuditJSON.decode(Array(bad.utf8)) == nil, "\(bad)")
        }
        #expect(AuditJSON.decode(Array(#" { "a" : "\ud83c\udfe5" , "b":[ ] } "#.utf8)) == ["a": .string("🏥"), "b": .strings([])])
    }
}
