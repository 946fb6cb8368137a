import Foundation
import Testing
@testable import PathwayGateway

/// Spec §7 "Waiting" through the real binary: what awaits a receiver's AppRec shows per receiver
/// (partner, HER-id, configured name), with ages, in `status`, `status --json` and the metrics file.
@Suite struct AwaitingAppRecEndToEndTests {
    typealias Workspace = DaemonEndToEndTests.Workspace
    typealias Conversation = ConversationEndToEndTests
    static let bergenPoint = (partner: "bergen-kommune", herId: "8150101", name: "Bergen kommune, kreftkoordinator")
    static let osloPoint = (partner: "oslo-kommune", herId: "8150111", name: "Oslo kommune, kreftkoordinator")
    /// How long Oslo's message has waited once the test has aged it (the gateway's own record).
    static let osloAge: Double = 2 * 86_400

    /// Two SP1s delivered to Bergen's contact point, one to Oslo's; Bergen answers one; Oslo's has
    /// waited two days (its `written_at` set back, as time would).
    private func twoReceiversWaiting() throws -> Workspace {
        let ws = try Workspace()
        try ws.drop(Conversation.sp1("wait-b1", from: Conversation.helseBergen, kommune: "4601"), as: "b1.xml")
        try ws.drop(Conversation.sp1("wait-b2", from: Conversation.helseBergen, kommune: "4601"), as: "b2.xml")
        try ws.drop(Conversation.sp1("wait-o1", from: Conversation.helseBergen, kommune: "0301"), as: "o1.xml")
        #expect(try ws.run().status == 0)
        let answered = try #require(try Conversation.copies(ws, "bergen-kommune").first { $0.head.msgId == "wait-b1" })
        try ws.drop(Conversation.answer(answered.head, id: "bk-wait-1", from: "8150101"), as: "r1.xml", inbox: "bergen-kommune")
        #expect(try ws.run().status == 0)
        #expect(try ws.auditRecords(event: "apprec-relayed").count == 1)
        let store = try MessageStore(path: ws.root.appendingPathComponent("spool/state/gateway.sqlite").path)
        try store.db.run(
            "UPDATE routed SET written_at = written_at - ? WHERE routed_msg_id = 'wait-o1'", Int64(Self.osloAge * 1000))
        #expect(try ws.run().status == 0, "a pass with nothing to do rewrites the metrics file")
        return ws
    }

    private func status(_ ws: Workspace, json: Bool) throws -> String {
        let result = try GatewayProcess.run(["status"] + (json ? ["--json"] : []), environment: ["PATHWAY_GATEWAY_CONFIG": ""],
                                            cwd: ws.root)
        #expect(result.status == 1, "the daemon is not running")
        return result.stdout
    }

    @Test func statusJSONShowsEachReceiverItsCountAgeAndTheLongestWaiting() throws {
        let ws = try twoReceiversWaiting()
        let out = try status(ws, json: true)
        for fnr in SampleSet.patients + [MessageValidatorTests.validFnr] { #expect(!out.contains(fnr)) }
        let json = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])
        let awaiting = try #require(json["awaitingAppRec"] as? [String: Any])
        #expect(awaiting["count"] as? Int == 2, "\(out)")
        let receivers = try #require(awaiting["byReceiver"] as? [[String: Any]])
        #expect(receivers.map { $0["partner"] as? String } == [Self.osloPoint.partner, Self.bergenPoint.partner], "oldest first")
        #expect(receivers.map { $0["herId"] as? String } == [Self.osloPoint.herId, Self.bergenPoint.herId])
        #expect(receivers.map { $0["name"] as? String } == [Self.osloPoint.name, Self.bergenPoint.name])
        #expect(receivers.map { $0["count"] as? Int } == [1, 1], "Bergen's answered message no longer waits")
        let osloAge = try #require(receivers[0]["oldestAgeSeconds"] as? Double)
        let bergenAge = try #require(receivers[1]["oldestAgeSeconds"] as? Double)
        #expect(osloAge > Self.osloAge && osloAge < Self.osloAge + 300, "\(osloAge)")
        #expect(bergenAge >= 0 && bergenAge < 300, "\(bergenAge)")
        #expect(receivers.allSatisfy { $0["oldest"] is String })
        let oldest = try #require(awaiting["oldestAgeSeconds"] as? Double)
        #expect(abs(oldest - osloAge) < 1)
        let partners = try #require(awaiting["byPartner"] as? [[String: Any]])
        #expect(partners.map { $0["partner"] as? String } == [Self.osloPoint.partner, Self.bergenPoint.partner])
        #expect(partners.map { $0["count"] as? Int } == [1, 1])

        let longest = try #require(awaiting["longest"] as? [[String: Any]])
        #expect(longest.map { $0["msgId"] as? String } == ["wait-o1", "wait-b2"], "oldest first, the answered one absent")
        #expect(longest.map { $0["herId"] as? String } == [Self.osloPoint.herId, Self.bergenPoint.herId])
        let decisions = try ws.auditRecords()
        for entry in longest {
            let decided = try #require(decisions.first { $0["msgId"] as? String == entry["msgId"] as? String })
            #expect(entry["gatewayId"] as? String == decided["gatewayId"] as? String, "the audit records' gatewayId")
            #expect(entry["since"] is String && entry["ageSeconds"] is Double && entry["name"] is String)
        }
    }

    @Test func statusTextListsReceiversUnderTheirPartnerAndWhatWaitsLongest() throws {
        let ws = try twoReceiversWaiting()
        let lines = try status(ws, json: false).split(separator: "\n").map(String.init)
        let start = try #require(lines.firstIndex { $0.hasPrefix("awaiting AppRec:") })
        #expect(lines[start] == "awaiting AppRec:    2 routed message(s), oldest 2.0 d")
        #expect(lines[start + 1] == "  oslo-kommune: 1, oldest 2.0 d")
        #expect(lines[start + 2] == "    HER 8150111 (Oslo kommune, kreftkoordinator): 1, oldest 2.0 d")
        #expect(lines[start + 3].hasPrefix("  bergen-kommune: 1, oldest "))
        #expect(lines[start + 4].hasPrefix("    HER 8150101 (Bergen kommune, kreftkoordinator): 1, oldest "))
        #expect(lines[start + 4].hasSuffix(" s") || lines[start + 4].hasSuffix(" min"), "\(lines[start + 4])")
        #expect(lines[start + 5] == "waiting longest:")
        #expect(lines[start + 6].hasPrefix("  2.0 d: oslo-kommune HER 8150111, gateway id "))
        #expect(lines[start + 6].hasSuffix(", MsgId wait-o1"))
        #expect(lines[start + 7].hasSuffix(", MsgId wait-b2") && lines[start + 7].contains("bergen-kommune HER 8150101"))
        #expect(lines[start + 8].hasPrefix("receiver rejected:"))
    }

    @Test func metricsKeepThePartnerSeriesAndAddOnePerConfiguredReceiver() throws {
        let ws = try twoReceiversWaiting()
        let text = String(decoding: try ws.read("metrics/pathway_gateway.prom"), as: UTF8.self)
        let samples = try PrometheusTextCheck.parse(text)
        #expect(samples[#"pathway_gateway_apprec_pending_messages{partner="bergen-kommune"}"#] == 1)
        #expect(samples[#"pathway_gateway_apprec_pending_messages{partner="oslo-kommune"}"#] == 1)
        let osloPartnerAge = try #require(samples[#"pathway_gateway_apprec_pending_oldest_age_seconds{partner="oslo-kommune"}"#])
        #expect(osloPartnerAge > 86_400, "the 24-hour alert's series")
        let oslo = #"{partner="oslo-kommune",her_id="8150111",receiver="Oslo kommune, kreftkoordinator"}"#
        let bergen = #"{partner="bergen-kommune",her_id="8150101",receiver="Bergen kommune, kreftkoordinator"}"#
        let idle = #"{partner="bergen-kommune",her_id="8150100",receiver="Bergen kommune, koordinerende enhet"}"#
        let hospital = #"{partner="helse-bergen",her_id="8150011",receiver="Helse Bergen HF"}"#
        #expect(samples["pathway_gateway_receiver_apprec_pending_messages" + oslo] == 1)
        #expect(samples["pathway_gateway_receiver_apprec_pending_messages" + bergen] == 1)
        #expect(samples["pathway_gateway_receiver_apprec_pending_messages" + idle] == 0, "configured receivers at 0")
        #expect(samples["pathway_gateway_receiver_apprec_pending_messages" + hospital] == 0, "replies go to partners' HER-ids")
        let osloAge = try #require(samples["pathway_gateway_receiver_apprec_pending_oldest_age_seconds" + oslo])
        #expect(osloAge > Self.osloAge && osloAge < Self.osloAge + 300)
        #expect(abs(osloAge - osloPartnerAge) < 1)
        #expect((samples["pathway_gateway_receiver_apprec_pending_oldest_age_seconds" + bergen] ?? .infinity) < 300)
        #expect(samples["pathway_gateway_receiver_apprec_pending_oldest_age_seconds" + idle] == 0)
        let config = try ConfigLoader.load(.embedded)
        let receiverSeries = samples.keys.filter { $0.hasPrefix("pathway_gateway_receiver_apprec_pending_messages{") }
        #expect(receiverSeries.count == config.configuredReceivers.count, "one series per configured receiver")
    }
}

/// The per-receiver pieces on their own: names from the configuration, bounded series.
@Suite struct AwaitingAppRecUnitTests {
    @Test func receiverNamesComeFromContactPointsThenPartners() throws {
        let config = try ConfigLoader.load(.embedded)
        #expect(config.receiverName(partner: "bergen-kommune", herId: "8150100") == "Bergen kommune, koordinerende enhet")
        #expect(config.receiverName(partner: "helse-bergen", herId: "8150011") == "Helse Bergen HF")
        #expect(config.receiverName(partner: "bergen-kommune", herId: "9999999") == "Bergen kommune", "the partner's name")
        #expect(config.receiverName(partner: "gone-kommune", herId: "8150100") == nil)
        let receivers = config.configuredReceivers
        #expect(Set(receivers.map { [$0.partner, $0.herId] }).count == receivers.count, "each receiver once")
        #expect(receivers.count == Set(config.contactPoints.map { [$0.partner, $0.herId] } +
                                       config.partners.filter { !$0.isInternal }.flatMap { p in p.herIds.map { [p.id, $0] } }).count,
                "the gateway's own partner for reminders receives nothing")
    }

    /// A receiver the configuration does not name (removed since, say) counts in the partner's
    /// series, and gets none of its own: the series stay bounded by the configuration.
    @Test func unconfiguredReceiversCountOnlyPerPartner() throws {
        let now = Date(timeIntervalSince1970: 1_795_000_000)
        let awaiting = [
            OperationsQueries.AwaitingReceiver(partner: "bergen-kommune", herId: "8150101", count: 2, oldest: now.addingTimeInterval(-100)),
            OperationsQueries.AwaitingReceiver(partner: "bergen-kommune", herId: "7777777", count: 3, oldest: now.addingTimeInterval(-900)),
        ]
        let receivers = [GatewayConfig.Receiver(partner: "bergen-kommune", herId: "8150101", name: "Bergen \"kreft\"koordinator")]
        let text = MetricsExposition(
            counters: GatewayMetrics(startTime: now).snapshot(), survey: SpoolSurvey(inboxes: []),
            database: .init(awaitingReceivers: awaiting, receiverRejections: 0, overduePathways: nil), now: now,
            receivers: receivers
        ).text
        let samples = try PrometheusTextCheck.parse(text)
        #expect(samples[#"pathway_gateway_apprec_pending_messages{partner="bergen-kommune"}"#] == 5)
        #expect(samples[#"pathway_gateway_apprec_pending_oldest_age_seconds{partner="bergen-kommune"}"#] == 900)
        let labels = #"{partner="bergen-kommune",her_id="8150101",receiver="Bergen \"kreft\"koordinator"}"#
        #expect(samples["pathway_gateway_receiver_apprec_pending_messages" + labels] == 2)
        #expect(samples["pathway_gateway_receiver_apprec_pending_oldest_age_seconds" + labels] == 100)
        #expect(!text.contains("7777777"))
    }
}
