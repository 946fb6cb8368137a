import Foundation
import Testing
@testable import PathwayGateway

@Suite struct MessageValidatorTests {
    static let hospital = SampleMessageFactory.Party(name: "Helse Bergen HF", herId: "8150010",
                                                     unitName: "Kreftavdelingen", unitHerId: "8150011")
    static let kommune = SampleMessageFactory.Party(name: "Bergen kommune", herId: "8150100")
    static let validFnr = "03851598730"  // Skatteetaten synthetic test number

    static func message(_ edit: (inout SampleMessageFactory.Message) -> Void = { _ in }) -> [UInt8] {
        var m = SampleMessageFactory.Message(
            msgId: "b1c2d3e4-0001", sender: hospital, receiver: kommune,
            patient: .init(fnr: validFnr, kommune: "4601"), pathwayEvent: "PFH-SP1")
        edit(&m)
        return Array(SampleMessageFactory.xml(m).utf8)
    }

    private func rejection(_ bytes: [UInt8], policy: SchemaPolicy = .strict) -> Rejection? {
        if case let .failure(r) = TestSchemas.validator.validate(bytes, policy: policy) { return r }
        return nil
    }

    @Test func factoryMessageIsAcceptedAndDecoded() throws {
        let message = try TestSchemas.validator.validate(Self.message { $0.attachmentBytes = 3_000 }).get()
        guard case let .business(head) = message.content else { Issue.record("not a business message"); return }
        #expect(head.msgId == "b1c2d3e4-0001")
        #expect(head.sender.innermostHerId == "8150011")
        #expect(head.sender.allHerIds == ["8150010", "8150011"])
        #expect(head.receiver.innermostHerId == "8150100")
        #expect(head.patient?.kommune == "4601")
        #expect(head.patient?.personalIdent?.id == Self.validFnr)
        #expect(head.dialogmelding?.version == .v1_1)
        #expect(head.dialogmelding?.sakstypeKodet?.v == "PFH-SP1")
        #expect(head.dialogmelding?.sakstypeKodet?.s == KITHCodeSystem.pathwayEvents)
        #expect(head.attachments.count == 1)
        #expect(head.attachments.first?.mimeType == "application/pdf")
        #expect(message.warnings.isEmpty && !message.repaired)
    }

    @Test func dialogmelding10IsAccepted() throws {
        let message = try TestSchemas.validator.validate(Self.message { $0.dialogVersion = .v1_0 }).get()
        #expect(message.summary.hasPrefix("DIALOG_NOTAT, Dialogmelding 1.0"))
    }

    @Test func semanticRejections() {
        #expect(rejection(Self.message { $0.patient?.fnr = "20036914712" })?.code == .patientIdWrong)
        #expect(rejection(Self.message { $0.patient?.fnr = nil })?.code == .patientIdMissing)
        #expect(rejection(Self.message { $0.patient?.familyName = nil; $0.patient?.givenName = nil })?.code == .patientNameMissing)
        #expect(rejection(Self.message { $0.msgId = "   " })?.code == .invalidMessageId)
    }

    @Test func reasonsNeverContainTheIdentityNumber() {
        let r = rejection(Self.message { $0.patient?.fnr = "20036914712" })
        #expect(r?.reason.contains("20036914712") == false)
    }

    @Test func unsupportedRootTypeAndPayloadAreT10() {
        #expect(rejection(Array("<Foo xmlns='urn:x'/>".utf8))?.code == .unsupportedFormat)
        let text = String(decoding: Self.message(), as: UTF8.self)
        let otherType = text.replacingOccurrences(of: "DIALOG_HELSEFAGLIG", with: "EPIKRISE")
        #expect(rejection(Array(otherType.utf8))?.code == .unsupportedFormat)
        let otherPayload = text.replacingOccurrences(of: KITHNamespace.dialog11, with: "urn:example:other")
        #expect(rejection(Array(otherPayload.utf8))?.code == .unsupportedFormat)
        let otherVersion = text.replacingOccurrences(of: "v1.2 2006-05-24", with: "v1.3 2026-01-01")
        #expect(rejection(Array(otherVersion.utf8))?.code == .unsupportedFormat)
    }

    @Test func schemaErrorIsT02WithLine() {
        let text = String(decoding: Self.message(), as: UTF8.self)
            .replacingOccurrences(of: "<GenDate>2026-11-23T10:15:00</GenDate>", with: "<GenDate>yesterday</GenDate>")
        let r = rejection(Array(text.utf8))
        #expect(r?.code == .schemaInvalid)
        #expect(r?.line == 6)
        #expect(r?.reason.contains("GenDate") == true)
        if case .msgHead(let head)? = r?.subject { #expect(head.msgId == "b1c2d3e4-0001") } else { Issue.record("subject") }
    }

    @Test func malformedFileSalvagesMsgIdForT01() {
        let text = String(decoding: Self.message(), as: UTF8.self)
        let truncated = String(text.prefix(text.count / 2))
        let r = rejection(Array(truncated.utf8))
        #expect(r?.code == .notWellFormed)
        guard case .salvaged(let salvage)? = r?.subject else { Issue.record("no salvage"); return }
        #expect(salvage.msgId == "b1c2d3e4-0001")
        #expect(salvage.typeCode == "DIALOG_HELSEFAGLIG")
        #expect(salvage.genDate == "2026-11-23T10:15:00")
        #expect(rejection(Array("garbage".utf8))?.subject == .unknown)
    }

    @Test func redactionMasksValuesButKeepsVocabulary() {
        let text = "line 74: Element '{urn:x}DateOfBirth': '1991-12-4' is not a valid value of the atomic type 'xs:date'."
        let masked = Redaction.maskQuotedValues(text)
        #expect(!masked.contains("1991"))
        #expect(masked.contains("'{urn:x}DateOfBirth'"))
        #expect(masked.contains("'xs:date'"))
    }
}
