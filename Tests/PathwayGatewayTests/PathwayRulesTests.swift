import Testing
@testable import PathwayGateway

@Suite struct PathwayRulesTests {
    private func head(_ bytes: [UInt8]) throws -> MsgHead {
        guard case let .business(head) = try TestSchemas.validator.validate(bytes).get().content else {
            throw Rejection(.other, "not a business message")
        }
        return head
    }

    @Test(arguments: ["PFH-SP1", "PFH-SP2", "PFH-SP3", "NPF-KOMMUNE"])
    func bundledEventsAreRecognised(code: String) throws {
        let m = try head(MessageValidatorTests.message { $0.pathwayEvent = code })
        let event = PathwayRules.bundled.event(for: m.dialogmelding)
        #expect(event?.code == code)
        #expect(event?.routesToKommune == (code == "PFH-SP1" || code == "NPF-KOMMUNE"))
    }

    @Test func clinicalDecisionCodesMapToMunicipalFollowUp() throws {
        let m = try head(MessageValidatorTests.message { $0.pathwayEvent = "D11CK" })
        #expect(PathwayRules.bundled.event(for: m.dialogmelding)?.code == "NPF-KOMMUNE")
        #expect(PathwayRules.bundled.event(for: m.dialogmelding)?.pathway == "psykisk-helse-rus")
    }

    @Test func plainDialogAndForeignCodeSystemsCarryNoEvent() throws {
        let plain = try head(MessageValidatorTests.message { $0.pathwayEvent = nil })
        #expect(PathwayRules.bundled.event(for: plain.dialogmelding) == nil)
        let text = String(decoding: MessageValidatorTests.message(), as: UTF8.self)
            .split(separator: KITHCodeSystem.pathwayEvents).joined(separator: "2.16.578.1.12.4.1.1.9999")
        let foreign = try head(Array(text.utf8))
        #expect(PathwayRules.bundled.event(for: foreign.dialogmelding) == nil)
    }
}
