import Testing
@testable import PathwayGateway

@Suite struct SafeXMLParserTests {
    @Test func parsesWellFormed() throws {
        let doc = try SafeXMLParser.parse(Array("<a xmlns='urn:x'><b V='1'>t</b></a>".utf8))
        #expect(doc.root.name == "a")
        #expect(doc.root.child("b")?.attribute("V") == "1")
    }
}
