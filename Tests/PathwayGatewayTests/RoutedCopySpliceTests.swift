import Foundation
import Testing
@testable import PathwayGateway

/// The routed copy spliced into the original bytes (`OutboundMessageBuilder.spliced`) against the
/// copy made from the tree: the same message wherever the fast path applies, and no fast path
/// wherever it could be wrong.
@Suite struct RoutedCopySpliceTests {
    static let builder = OutboundMessageBuilder()
    static let target = OutboundMessageBuilder.ContactPoint(
        name: "Koordinerende enhet <kreft>", herId: "8150002", parentName: "Bergen kommune", parentHerId: "8150001")
    static let routedSamples = ["01-sp1-needs-assessment.xml", "02-npf-kommune-followup.xml", "03-plain-dialog-to-kommune.xml"]

    static func sample(_ name: String) throws -> [UInt8] {
        try #require(SampleSet.all.first { $0.fileName == name }).bytes
    }

    /// Both copies of `bytes`: spliced (nil when the fast path declines) and from the tree.
    static func copies(_ bytes: [UInt8], tamper: (XMLDocumentHandle) -> Void = { _ in }) throws -> (spliced: [UInt8]?, tree: [UInt8]) {
        let original = try SafeXMLParser.parse(bytes)
        tamper(original)
        let spliced = builder.spliced(bytes, original: original, to: target)
        let tree = try builder.build(from: original, to: target)
        return (spliced, tree)
    }

    /// The spliced copy is a schema-valid MsgHead that says exactly what the tree's copy says.
    static func expectSameMessage(_ spliced: [UInt8], _ tree: [UInt8], original: [UInt8]? = nil) throws {
        #expect(spliced.starts(with: "<?xml".utf8))
        let document = try SafeXMLParser.parse(spliced)
        #expect(TestSchemas.ours.validate(document).isEmpty, "\(String(decoding: spliced, as: UTF8.self))")
        if let official = TestSchemas.official { #expect(official.validate(document).isEmpty) }
        let head = MsgHead(document.root), expected = MsgHead(try SafeXMLParser.parse(tree).root)
        #expect(head == expected)
        #expect(head.receiver.allHerIds == ["8150001", "8150002"])
        if let original {
            // Only the Receiver changes (spec §7): MsgId, GenDate, Sender, ConversationRef as they came.
            var before = MsgHead(try SafeXMLParser.parse(original).root)
            before.receiver = head.receiver
            #expect(head == before)
        }
    }

    @Test(arguments: routedSamples)
    func ourSamplesAreSplicedByteForByteLikeTheTree(name: String) throws {
        let (spliced, tree) = try Self.copies(Self.sample(name))
        let copy = try #require(spliced, "the fast path must apply to the gateway's own samples")
        try Self.expectSameMessage(copy, tree, original: Self.sample(name))
        #expect(copy == tree, "a document in libxml2's own serialisation comes out identical either way")
    }

    @Test func trickyBytesInsideMsgInfoAreSkippedNotMatched() throws {
        var text = String(decoding: try Self.sample(Self.routedSamples[0]), as: UTF8.self)
        text = text.replacingOccurrences(of: "<MsgInfo>", with: "<MsgInfo><!-- </MsgInfo> <MsgId>decoy</MsgId> --><?note </Sender>?>")
        text = text.replacingOccurrences(of: "DN=\"Helsefaglig dialog\"", with: "DN='a > b &amp; \"c\"'")
        text = text.replacingOccurrences(of: "<MsgId>7d3e0c1a-sp1-0001</MsgId>", with: "<MsgId><![CDATA[7d3e0c1a-sp1-0001]]></MsgId>")
        let (spliced, tree) = try Self.copies(Array(text.utf8))
        try Self.expectSameMessage(try #require(spliced), tree)
        let routed = MsgHead(try SafeXMLParser.parse(try #require(spliced)).root)
        #expect(routed.msgId == "7d3e0c1a-sp1-0001" && routed.conversationRef == nil)
        #expect(routed.type == MsgHead(try SafeXMLParser.parse(Array(text.utf8)).root).type)
    }

    @Test func aPrefixedMsgHeadGetsItsNewElementsUnderTheSamePrefix() throws {
        let text = String(decoding: try Self.sample(Self.routedSamples[0]), as: UTF8.self)
        let start = try #require(text.range(of: "<Dialogmelding")), end = try #require(text.range(of: "</Dialogmelding>"))
        func prefixed(_ part: Substring) -> String {
            part.replacingOccurrences(of: "</", with: "\u{1}").replacingOccurrences(of: "<?", with: "\u{2}")
                .replacingOccurrences(of: "<", with: "<mh:").replacingOccurrences(of: "\u{1}", with: "</mh:")
                .replacingOccurrences(of: "\u{2}", with: "<?").replacingOccurrences(of: "xmlns=", with: "xmlns:mh=")
        }
        let bytes = Array((prefixed(text[..<start.lowerBound]) + text[start.lowerBound..<end.upperBound] + prefixed(text[end.upperBound...])).utf8)
        let (spliced, tree) = try Self.copies(bytes)
        let copy = try #require(spliced)
        try Self.expectSameMessage(copy, tree)
        #expect(String(decoding: copy, as: UTF8.self).contains("<mh:Organisation><mh:OrganisationName>Bergen kommune"))
    }

    @Test func aDeclarationIsAddedWhenTheOriginalHasNone() throws {
        let text = String(decoding: try Self.sample(Self.routedSamples[1]), as: UTF8.self)
        let body = try #require(text.range(of: "?>\n")).upperBound
        let (spliced, tree) = try Self.copies(Array(text[body...].utf8))
        let copy = try #require(spliced)
        #expect(copy.starts(with: "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<MsgHead".utf8))
        try Self.expectSameMessage(copy, tree)
    }

    @Test func theTreeIsUsedWhereSplicingCouldBeWrong() throws {
        let text = String(decoding: try Self.sample(Self.routedSamples[0]), as: UTF8.self)
        // A namespace declared inside MsgInfo: a borrowed prefix might not mean the same there.
        let redeclared = text.replacingOccurrences(of: "<Sender>", with: "<Sender xmlns:x=\"urn:example\">")
        // Another encoding: the copy must come out UTF-8.
        let latin1 = try #require(text.replacingOccurrences(of: "encoding=\"UTF-8\"", with: "encoding=\"ISO-8859-1\"")
            .data(using: .isoLatin1))
        for bytes in [Array(redeclared.utf8), Array(latin1)] {
            let (spliced, tree) = try Self.copies(bytes)
            #expect(spliced == nil)
            let routed = MsgHead(try SafeXMLParser.parse(tree).root), original = MsgHead(try SafeXMLParser.parse(bytes).root)
            #expect(routed.receiver.innermostHerId == "8150002" && routed.patient == original.patient)
        }
        // A signature to drop (in the tree, as `staleSignatureIsDropped` adds one).
        let (signed, _) = try Self.copies(Array(text.utf8)) { $0.root.appendChild("Signature").setNamespace(KITHNamespace.xmldsig) }
        #expect(signed == nil)
        #expect(OutboundMessageBuilder.declarationToAdd(before: Array("\u{FEFF}<MsgHead/>".utf8), declaredEncoding: nil) == nil, "a byte-order mark")
    }

    @Test(.enabled(if: TestPaths.hasShared, TestPaths.sharedMissing))
    func realSamplesSayTheSameEitherWay() throws {
        var spliced = 0
        for name in try TestPaths.sampleNames() {
            let bytes = try TestPaths.sample(name)
            guard let document = try? SafeXMLParser.parse(bytes), TestSchemas.ours.validate(document).isEmpty,
                  document.root.isNamed("MsgHead", namespace: KITHNamespace.msgHead) else { continue }
            let (copy, tree) = try Self.copies(bytes)
            guard let copy else { continue }
            spliced += 1
            try Self.expectSameMessage(copy, tree)
        }
        #expect(spliced >= 3, "real KITH samples take the fast path")
    }
}
