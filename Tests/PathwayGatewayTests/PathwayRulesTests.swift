import Foundation
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

    /// `pathwayCodeSystems` accepts the event codes under other code systems as well (issue 18,
    /// part 7); a malformed OID or an empty list is a configuration problem.
    @Test func eventCodesUnderConfiguredCodeSystems() throws {
        let regional = "2.16.578.1.12.4.1.1.9999"
        let sample = try String(contentsOf: TestPaths.packageRoot.appendingPathComponent("samples/pathway-gateway.json"), encoding: .utf8)
        func config(_ systems: String) throws(ConfigError) -> GatewayConfig {
            let text = sample.replacingOccurrences(of: "\"spool\": \"spool\",", with: "\"spool\": \"spool\", \"pathwayCodeSystems\": \(systems),")
            return try ConfigParser.parse(Data(text.utf8), file: "test.json", baseDirectory: "/tmp")
        }
        let configured = try config("[\"\(KITHCodeSystem.pathwayEvents)\", \"\(regional)\"]")
        #expect(configured.pathways.codeSystems == [KITHCodeSystem.pathwayEvents, regional])
        let rules = PathwayRules(configured.pathways)
        let text = String(decoding: MessageValidatorTests.message(), as: UTF8.self)
            .split(separator: KITHCodeSystem.pathwayEvents).joined(separator: regional)
        let foreign = try head(Array(text.utf8))
        #expect(rules.event(for: foreign.dialogmelding)?.code == "PFH-SP1")
        #expect(rules.event(for: try head(MessageValidatorTests.message()).dialogmelding)?.code == "PFH-SP1", "the gateway's own still")
        #expect(PathwayRules.bundled.event(for: foreign.dialogmelding) == nil, "not without the configuration")
        for bad in ["[]", "[\"urn:oid:1.2\"]", "[\"1..2\"]"] {
            #expect(throws: ConfigError.self, "\(bad)") { try config(bad) }
        }
    }
}
