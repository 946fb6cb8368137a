import Foundation
import Testing
@testable import PathwayGateway

/// Locations derived from this file, so the tests run from any working directory; `../shared` (the
/// official KITH schemas and real samples) lives next to the repository, not inside it.
private enum Fixtures {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let shared = packageRoot.deletingLastPathComponent().appendingPathComponent("shared")
    static let sharedAvailable = FileManager.default.fileExists(atPath: shared.path)
    static let samples = shared.appendingPathComponent("conformance/samples")
    static let official = Result { () throws(XMLError) in
        try SchemaSet(driverAt: shared.appendingPathComponent("conformance/xsd/validate-all.xsd").path)
    }
    /// Our own schema set, nil while it has not been written yet.
    static let ours: Result<SchemaSet, XMLError>? = {
        let path = packageRoot.appendingPathComponent("Schemas/pathway-gateway.xsd").path
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return Result { () throws(XMLError) in try SchemaSet(driverAt: path) }
    }()

    /// Parses `bytes` and validates them against the official set and, when present, ours.
    static func validated(_ bytes: [UInt8]) throws -> XMLDocumentHandle {
        let document = try SafeXMLParser.parse(bytes)
        for schemas in [official] + (ours.map { [$0] } ?? []) {
            let set = try schemas.get()
            let errors = set.validate(document)
            #expect(errors.isEmpty, "\(set.path): \(errors)\n\(String(decoding: bytes, as: UTF8.self))")
        }
        return document
    }

    static func appRec(_ version: AppRec.Version, status: AppRec.Status = .ok, errors: [AppRec.ErrorEntry] = [],
                       institution: String = "Pathway Gateway", department: String = "Mottak",
                       id: String = "0d8f9a3e-1111-4c1e-9b1a-5f3f0c2a7e10") -> AppRec {
        AppRec(
            version: version, genDate: "2025-06-10T11:00:00+02:00", id: id,
            sender: AppRecParty(institution: .init(name: institution, herId: "8140001"),
                                department: .init(name: department, herId: "8140002")),
            receiver: AppRecParty(institution: .init(name: "WebMed Feature PPS", herId: "8142952"),
                                  person: .init(name: "Grønn Vits", herId: "8143025")),
            status: status, errors: errors,
            originalMsgId: .init(msgType: CodedValue(v: "DIALOG_NOTAT", dn: "Notat"),
                                 issueDate: "2025-06-10T10:55:20+03:00", id: "a748bb20-4e0f-4922-9b06-ec2c101eb9c1"))
    }

    static func decode(_ bytes: [UInt8]) throws -> AppRec? {
        AppRec(try SafeXMLParser.parse(bytes).root)
    }
}

@Suite struct EncoderTests {
    @Test func escapesMarkupAndKeepsWhitespaceInAttributes() throws {
        let description = "Feil i <Patient> & \"Ident\"\n\tlinje 2"
        let appRec = Fixtures.appRec(.v1_1, status: .rejected, errors: [.init(code: "E31", description: description)],
                                     institution: "Helse & Omsorg <Vest>", department: "\"Kreft\" & 'lindring'",
                                     id: "id&<1>")
        let text = String(decoding: AppRecEncoder.encode(appRec), as: UTF8.self)
        #expect(text.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"))
        #expect(text.contains("<Name>Helse &amp; Omsorg &lt;Vest&gt;</Name>"))
        #expect(try Fixtures.decode(Array(text.utf8)) == appRec)
    }

    @Test func replacesCharactersXMLCannotCarry() throws {
        let appRec = Fixtures.appRec(.v1_0, status: .rejected,
                                     errors: [.init(code: "X99", description: "bad\u{1}byte\u{FFFF}")],
                                     institution: "Nul\u{0}l")
        let decoded = try #require(try Fixtures.decode(AppRecEncoder.encode(appRec)))
        #expect(decoded.errors.first?.description == "bad\u{FFFD}byte\u{FFFD}")
        #expect(decoded.sender.institution.name == "Nul\u{FFFD}l")
    }

    @Test func rejectionWithoutErrorsGetsX99() throws {
        let decoded = try #require(try Fixtures.decode(AppRecEncoder.encode(Fixtures.appRec(.v1_1, status: .rejected))))
        #expect(decoded.errors.map(\.code) == ["X99"])
    }

    @Test func writesNoTypeIdWithoutId() throws {
        var appRec = Fixtures.appRec(.v1_0)
        appRec.sender = AppRecParty(institution: .init(name: "Uten id", herId: nil))
        let text = String(decoding: AppRecEncoder.encode(appRec), as: UTF8.self)
        #expect(text.components(separatedBy: "<TypeId").count == 3)  // receiver institution + person only
        #expect(try Fixtures.decode(Array(text.utf8)) == appRec)
    }

    /// Validation against the official KITH schemas and real samples, which live in `../shared`
    /// next to the repository; outside the project workspace they do not exist, so this suite skips.
    @Suite(.enabled(if: Fixtures.sharedAvailable, "../shared (official KITH XSDs and samples) is not present"))
    struct Conformance {
        static let cases: [(String, AppRec.Status, [AppRec.ErrorEntry])] = [
            ("ok", .ok, []),
            ("avvist, one error", .rejected, [.init(code: "T02", description: "linje 12: element Ident mangler")]),
            ("avvist, several errors", .rejected, [
                .init(code: "E30", description: "Pasientens fødselsnummer mangler"),
                .init(code: "E32", description: "Pasientens navn mangler"),
                .init(code: "X99", description: "sender not registered for this inbox"),
            ]),
            ("ok with errors", .okWithErrors, [.init(code: "X99", description: "vedlegg 2 & 3 <ikke lest>")]),
        ]

        @Test(arguments: [AppRec.Version.v1_0, .v1_1], cases.indices)
        func appRecValidatesAndRoundTrips(version: AppRec.Version, index: Int) throws {
            let (_, status, errors) = Self.cases[index]
            for (institution, department) in [("Pathway Gateway", "Mottak"), ("Helse & Omsorg <Vest>", "\"A\" & <B>")] {
                let appRec = Fixtures.appRec(version, status: status, errors: errors,
                                             institution: institution, department: department)
                let document = try Fixtures.validated(AppRecEncoder.encode(appRec))
                #expect(document.root.namespaceURI == version.namespace)
                let decoded = try #require(AppRec(document.root))
                #expect(decoded == appRec)
                #expect(decoded.migVersion == version.migVersion)
            }
        }

        /// Every real receipt the official schemas accept must survive decode → encode → decode.
        @Test(arguments: ["fiksnhn__app-rec_1.0_all-data.xml", "fiksnhn__app-rec_1.0_example-avvist.xml",
                          "fiksnhn__app-rec_1.0_unknown-status.xml", "fiksnhn__app-rec_1.1_all-data.xml",
                          "fiksnhn__app-rec_1.1_example-avvist.xml", "isdialogmelding__apprecError.xml"])
        func realAppRecReEncodes(sample: String) throws {
            let bytes = try [UInt8](Data(contentsOf: Fixtures.samples.appendingPathComponent(sample)))
            var original = try #require(try Fixtures.decode(bytes))
            original.migVersion = original.version.migVersion
            let decoded = AppRec(try Fixtures.validated(AppRecEncoder.encode(original)).root)
            #expect(decoded == original)
        }

        static let routedSamples = [
            "fiksnhn__dialogmelding_1.1_samsvar-test-message.xml",
            "fiksnhn__dialog-notat-webmed-test.xml",
            "fiksnhn__dialog-foresporsel-samsvar-test.xml",
        ]
        static let builder = OutboundMessageBuilder()
        static let target = OutboundMessageBuilder.ContactPoint(
            name: "Koordinerende enhet <kreft>", herId: "8150002", parentName: "Bergen kommune", parentHerId: "8150001")

        @Test(arguments: routedSamples)
        func routedCopyValidatesAndKeepsContent(sample: String) throws {
            let bytes = try [UInt8](Data(contentsOf: Fixtures.samples.appendingPathComponent(sample)))
            let original = try SafeXMLParser.parse(bytes)
            let before = MsgHead(original.root)
            let routed = try Self.builder.build(from: original, to: Self.target)
            let after = MsgHead(try Fixtures.validated(routed).root)

            #expect(after.msgId == before.msgId)
            #expect(after.genDate == before.genDate)
            #expect(after.receiver.innermostHerId == "8150002")
            #expect(after.receiver.allHerIds == ["8150001", "8150002"])
            #expect(after.receiver.displayName == "Bergen kommune / Koordinerende enhet <kreft>")
            #expect(after.sender == before.sender, "the municipality sees who wrote (spec §7)")
            #expect(after.conversationRef == before.conversationRef)
            #expect(after.patient == before.patient)
            #expect(after.type == before.type && after.ack == before.ack)
            #expect(after.documents == before.documents)
            #expect(after.dialogmelding == before.dialogmelding)
            #expect(MsgHead(original.root) == before, "the original tree must stay untouched")
            let originalAttachments = Self.base64Texts(String(decoding: bytes, as: UTF8.self))
            #expect(originalAttachments.count == before.attachments.count)
            let routedText = String(decoding: routed, as: UTF8.self)
            #expect(Self.base64Texts(routedText) == originalAttachments)
        }

        @Test func existingConversationIsKept() throws {
            let bytes = try [UInt8](Data(contentsOf: Fixtures.samples.appendingPathComponent(Self.routedSamples[1])))
            let routed = try Self.builder.build(from: SafeXMLParser.parse(bytes), to: .init(name: "Kontaktpunkt", herId: "42"))
            let after = MsgHead(try Fixtures.validated(routed).root)
            #expect(after.conversationRef == MsgHead(try SafeXMLParser.parse(bytes).root).conversationRef)
            #expect(after.conversationRef?.refToConversation == "4f77040c-3610-4d17-bef1-76994ab2726b")
            #expect(after.receiver.allHerIds == ["42"])
        }

        @Test func aMessageAddressedToItsTargetIsDeliveredByteForByte() throws {
            let bytes = try [UInt8](Data(contentsOf: Fixtures.samples.appendingPathComponent(Self.routedSamples[0])))
            let original = try SafeXMLParser.parse(bytes)
            original.root.appendChild("Signature").setNamespace(KITHNamespace.xmldsig)
            #expect(try Self.builder.build(from: original, source: bytes, to: nil) == bytes, "a signature is kept when nothing changes")
        }

        @Test func staleSignatureIsDropped() throws {
            let bytes = try [UInt8](Data(contentsOf: Fixtures.samples.appendingPathComponent(Self.routedSamples[0])))
            let original = try SafeXMLParser.parse(bytes)
            original.root.appendChild("Signature").setNamespace(KITHNamespace.xmldsig)
            let routed = try SafeXMLParser.parse(Self.builder.build(
                from: original, source: bytes, to: Self.target))
            #expect(routed.root.child("Signature", namespace: KITHNamespace.xmldsig) == nil)
            #expect(original.root.child("Signature", namespace: KITHNamespace.xmldsig) != nil)
        }

        @Test func refusesAnythingButMsgHead() throws {
            let appRec = try SafeXMLParser.parse(AppRecEncoder.encode(Fixtures.appRec(.v1_1)))
            #expect(throws: OutboundMessageBuilder.BuildError.notAMsgHead) {
                try Self.builder.build(from: appRec, to: Self.target)
            }
        }

        /// The exact text between `<Base64Container …>` and `</Base64Container>`, in document order.
        static func base64Texts(_ xml: String) -> [Substring] {
            xml.components(separatedBy: "<Base64Container").dropFirst().compactMap { part in
                guard let start = part.firstIndex(of: ">"), let end = part.range(of: "</Base64Container>") else { return nil }
                return part[part.index(after: start)..<end.lowerBound]
            }
        }
    }
}
