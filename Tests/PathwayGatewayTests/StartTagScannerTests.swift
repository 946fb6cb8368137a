import Foundation
import Testing
@testable import PathwayGateway

/// Regression tests for the attribute flood found by the hostile corpus (attribute-flood.xml:
/// 50,000 attributes on one element took 13.7 s in `validate`, libxml2's duplicate check being
/// quadratic). The bound is checked before libxml2 runs, in linear time, and only counts what is
/// really an attribute.
@Suite struct StartTagScannerTests {
    func overfull(_ text: String, limit: Int = 3) -> Int? {
        Array(text.utf8).withUnsafeBytes { StartTagScanner.firstOverfullTag(in: $0, limit: limit) }
    }

    @Test func countsAttributesAndNamespaceDeclarationsPerStartTag() {
        #expect(overfull(#"<a x="1" y="2" z="3"/>"#) == nil)
        #expect(overfull(#"<a x="1" y="2" z="3" w="4"/>"#) == 1)
        #expect(overfull("<r>\n<a xmlns:p='u' p:x='1' y = '2' z='3'>t</a></r>") == 2)
        #expect(overfull(#"<a x="1"/><b y="1" z="2"/><c w="1" v="2" u="3"/>"#) == nil, "the count is per tag")
    }

    @Test func ignoresWhatIsNotAnAttribute() {
        #expect(overfull(#"<a x="a=b=c=d" y='=>=>='>=====</a>"#) == nil, "quoted values and text")
        #expect(overfull("<!-- <a x=1 y=2 z=3 w=4> --><r/>") == nil, "comments")
        #expect(overfull("<r><![CDATA[<a x=1 y=2 z=3 w=4>]]></r>") == nil, "CDATA")
        #expect(overfull(#"<?xml version="1.0" encoding="UTF-8" standalone="yes" x="y"?><r/>"#) == nil, "declarations")
        #expect(overfull("<r>a</r  >") == nil)
    }

    @Test func theParserRefusesAFloodQuicklyWithTheLine() throws {
        let flood = "<?xml version=\"1.0\"?>\n<r>\n<e " + (0..<50_000).map { "a\($0)=\"x\"" }.joined(separator: " ") + "/></r>"
        let start = Date()
        #expect(throws: XMLError.tooManyAttributes(limit: 100, line: 3)) { try SafeXMLParser.parse(Array(flood.utf8)) }
        #expect(Date().timeIntervalSince(start) < 1, "linear, not libxml2's quadratic check")
        let fine = "<r " + (0..<100).map { "a\($0)=\"x\"" }.joined(separator: " ") + "/>"
        #expect(throws: Never.self) { try SafeXMLParser.parse(Array(fine.utf8)) }
    }

    @Test func aFloodInsideAMessageIsT01WithTheSalvagedMsgId() throws {
        let text = String(decoding: MessageValidatorTests.message { $0.msgId = "flood-1" }, as: UTF8.self)
            .replacingOccurrences(of: "<Notat>", with: "<Notat " + (0..<5_000).map { "a\($0)=\"x\"" }.joined(separator: " ") + ">")
        guard case let .failure(rejection) = TestSchemas.validator.validate(Array(text.utf8)) else {
            Issue.record("accepted")
            return
        }
        #expect(rejection.code == .notWellFormed)
        #expect(rejection.reason.contains("more than 100 attributes"))
        guard case let .salvaged(salvage) = rejection.subject else { Issue.record("no MsgId salvaged"); return }
        #expect(salvage.msgId == "flood-1")
    }
}
