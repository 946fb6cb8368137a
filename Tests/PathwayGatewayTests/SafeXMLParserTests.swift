import Foundation
import Testing
@testable import PathwayGateway

@Suite struct SafeXMLParserTests {
    private func parse(_ text: String, limits: XMLLimits = .default) throws(XMLError) -> XMLDocumentHandle {
        try SafeXMLParser.parse(Array(text.utf8), limits: limits)
    }

    @Test func parsesWellFormed() throws {
        let doc = try parse("<a xmlns='urn:x'><b V='1'>t</b></a>")
        #expect(doc.root.name == "a")
        #expect(doc.root.namespaceURI == "urn:x")
        #expect(doc.root.child("b")?.attribute("V") == "1")
        #expect(doc.root.child("b")?.text == "t")
    }

    @Test func refusesExternalEntity() {
        let xxe = """
            <?xml version="1.0"?>
            <!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
            <r>&xxe;</r>
            """
        #expect(throws: XMLError.doctypeForbidden) { try parse(xxe) }
        let network = #"<!DOCTYPE r SYSTEM "http://127.0.0.1:9/evil.dtd"><r/>"#
        #expect(throws: XMLError.doctypeForbidden) { try parse(network) }
    }

    @Test func refusesBillionLaughsQuickly() {
        var entities = #"<!ENTITY l0 "ha">"#
        for i in 1...9 { entities += "<!ENTITY l\(i) \"" + String(repeating: "&l\(i - 1);", count: 10) + "\">" }
        let bomb = "<!DOCTYPE r [\(entities)]><r>&l9;</r>"
        let start = ContinuousClock.now
        #expect(throws: XMLError.doctypeForbidden) { try parse(bomb) }
        #expect(ContinuousClock.now - start < .seconds(1))
    }

    @Test func boundsDepth() {
        let deep = String(repeating: "<a>", count: 10_000) + String(repeating: "</a>", count: 10_000)
        #expect(throws: XMLError.tooDeep(limit: 100)) { try parse(deep) }
        let fine = String(repeating: "<a>", count: 50) + String(repeating: "</a>", count: 50)
        #expect((try? parse(fine)) != nil)
    }

    @Test func boundsSize() {
        let text = "<a>" + String(repeating: "x", count: 2_000) + "</a>"
        #expect(throws: XMLError.tooLarge(byteCount: text.utf8.count, limit: 1_000)) {
            try parse(text, limits: XMLLimits(maxBytes: 1_000))
        }
    }

    @Test func undeclaredPrefixIsMalformed() {
        #expect(throws: (any Error).self) { try parse("<mh:MsgHead><mh:MsgInfo/></mh:MsgHead>") }
        do {
            _ = try parse("<mh:MsgHead/>")
            Issue.record("expected a rejection")
        } catch {
            guard case .malformed = error else { Issue.record("expected malformed, got \(error)"); return }
        }
    }

    @Test(arguments: ["", "not xml at all", "%PDF-1.4\n", "<a><b></a>", "<a>\u{0}</a>", "<a>truncated"])
    func garbageIsMalformedWithALine(text: String) {
        do {
            _ = try parse(text)
            Issue.record("expected a rejection")
        } catch {
            guard case .malformed = error else { Issue.record("expected malformed, got \(error)"); return }
            #expect(error.description.hasPrefix("not well-formed XML"))
        }
    }

    @Test func honoursDeclaredLatin1() throws {
        var bytes = Array("<?xml version='1.0' encoding='ISO-8859-1'?><a>Bl".utf8)
        bytes += [0xE5, 0x62, 0xE6, 0x72]  // "åbær" in ISO-8859-1: å b æ r
        bytes += Array("</a>".utf8)
        let doc = try SafeXMLParser.parse(bytes)
        #expect(doc.root.text == "Blåbær")
        #expect(doc.declaredEncoding?.uppercased() == "ISO-8859-1")
    }

    @Test func latin1BytesDeclaredAsUTF8AreMalformed() {
        var bytes = Array("<?xml version='1.0' encoding='UTF-8'?><a>Bl".utf8)
        bytes += [0xE5, 0x62, 0xE6, 0x72]
        bytes += Array("</a>".utf8)
        #expect(throws: (any Error).self) { try SafeXMLParser.parse(bytes) }
    }

    @Test func serializesAndCopiesIndependently() throws {
        let doc = try parse("<a xmlns='urn:x'><b>1</b></a>")
        let copy = doc.copy()
        copy.root.child("b")?.setText("2")
        #expect(doc.root.child("b")?.text == "1")
        #expect(String(decoding: copy.serialized(), as: UTF8.self).contains("<b>2</b>"))
    }
}

@Suite struct SchemaSetTests {
    /// An import that cannot be found is only a libxml2 warning; the gateway must refuse to start.
    @Test func missingImportIsAStartUpError() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pg-xsd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let driver = dir.appendingPathComponent("driver.xsd")
        try Data("""
            <xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:d">
              <xs:import namespace="urn:missing" schemaLocation="missing.xsd"/>
            </xs:schema>
            """.utf8).write(to: driver)
        do {
            _ = try SchemaSet(driverAt: driver.path)
            Issue.record("a schema set with a missing import must not load")
        } catch {
            guard case let .invalidSchema(path, diagnostics) = error else { Issue.record("\(error)"); return }
            #expect(path == driver.path)
            #expect(diagnostics.contains { $0.message.contains("missing.xsd") || $0.message.contains("Skipping the import") })
        }
    }

    @Test func ourSchemasCompileWithoutWarnings() throws {
        #expect(throws: Never.self) { try SchemaSet(driverAt: TestPaths.ourDriver) }
    }
}
