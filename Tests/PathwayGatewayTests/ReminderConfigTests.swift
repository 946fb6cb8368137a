import Foundation
import Testing
@testable import PathwayGateway

/// `contactPoints[].reminders` (spec §2, §9): parsed and checked, and the gateway's own partner
/// that its reminders go through, present only when some contact point asks for them.
@Suite struct ReminderConfigTests {
    static func config(reminders: String? = nil, extraPartner: String = "") -> String {
        let flag = reminders.map { ", \"reminders\": \($0)" } ?? ""
        return """
            { "spool": "spool", "gateway": { "herId": "8150001", "name": "Gateway" },
              "partners": [ { "id": "bergen-kommune", "name": "Bergen kommune", "herIds": ["8150100"] }\(extraPartner) ],
              "contactPoints": [ { "kommune": "4601", "pathway": "*", "partner": "bergen-kommune", "herId": "8150100",
                                   "name": "Koordinerende enhet"\(flag) } ] }
            """
    }

    static func parse(_ text: String) -> Result<GatewayConfig, ConfigError> {
        Result { () throws(ConfigError) in try GatewayConfig.parse(Data(text.utf8), file: "t.json", baseDirectory: "/b") }
    }

    @Test func offByDefaultAndNoInternalPartner() throws {
        let config = try Self.parse(Self.config()).get()
        #expect(!config.sendsReminders && config.internalPartner == nil && config.reminderSummary == nil)
        #expect(config.partners.map(\.id) == ["bergen-kommune"])
    }

    @Test func onAddsTheGatewaysOwnPartnerWhichOwnsNoHerIdForRouting() throws {
        let config = try Self.parse(Self.config(reminders: "true")).get()
        let own = try #require(config.internalPartner)
        #expect(own.id == "pathway-gateway" && own.herIds == ["8150001"] && own.schemaPolicy == .strict && own.group == nil)
        #expect(config.partner(owningHerId: "8150001") == nil, "messages addressed to the gateway stay the gateway's")
        #expect(config.partner(forInbox: "pathway-gateway") == own)
        #expect(config.reminderSummary?.contains("Koordinerende enhet (4601, *)") == true)
    }

    @Test func notABooleanAndTheReservedIdAreReported() {
        guard case let .failure(.invalid(_, problems)) = Self.parse(Self.config(reminders: "\"yes\"")) else {
            Issue.record("a string accepted as reminders")
            return
        }
        #expect(problems.contains { $0.path == "$.contactPoints[0].reminders" }, "\(problems)")
        let reserved = #", { "id": "pathway-gateway", "name": "X", "herIds": ["8150200"] }"#
        guard case let .failure(.invalid(_, more)) = Self.parse(Self.config(extraPartner: reserved)) else {
            Issue.record("the reserved id accepted")
            return
        }
        #expect(more.contains { $0.path == "$.partners[1].id" && $0.message.contains("reserved") }, "\(more)")
    }
}
