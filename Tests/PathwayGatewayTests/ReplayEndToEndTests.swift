import Foundation
import Testing
@testable import PathwayGateway

/// `replay` through the real binary: a message rejected for want of a contact point is accepted
/// and routed once after the fix; replaying again never routes twice; accepted ones are refused.
@Suite struct ReplayEndToEndTests {
    typealias Workspace = DaemonEndToEndTests.Workspace

    static func sampleContactPoints() throws -> [[String: Any]] {
        let sample = try Data(contentsOf: TestPaths.packageRoot.appendingPathComponent("samples/pathway-gateway.json"))
        return (try JSONSerialization.jsonObject(with: sample) as! [String: Any])["contactPoints"] as! [[String: Any]]
    }

    func replay(_ ws: Workspace, _ ids: [String]) throws -> GatewayProcess.Output {
        try GatewayProcess.run(["replay"] + ids, environment: ["PATHWAY_GATEWAY_CONFIG": ""], cwd: ws.root)
    }

    @Test func rejectedMessageIsRoutedOnceAfterTheFix() throws {
        let ws = try Workspace()
        let all = try Self.sampleContactPoints()
        try ws.configure(["contactPoints": all.filter { $0["kommune"] as? String != "0301" }])
        try ws.drop(MessageValidatorTests.message {
            $0.msgId = "oslo-1"; $0.receiver = RouterTests.gateway; $0.patient?.kommune = "0301"
        }, as: "oslo.xml")
        #expect(try ws.run().status == 0)
        let rejected = try #require(try ws.auditRecords().first)
        #expect(rejected["outcome"] as? String == "rejected")
        let id = try #require(rejected["gatewayId"] as? String)
        #expect(ws.files("quarantine/helse-bergen").contains("\(id)-oslo.xml"))

        // The fix: Oslo gets its contact point back. Then the replay.
        try ws.configure(["contactPoints": all])
        let queued = try replay(ws, [id])
        #expect(queued.status == 0, "\(queued.stderr)")
        #expect(queued.stdout.contains("inbound/helse-bergen/replay-\(id)-oslo.xml"))
        #expect(try ws.run().status == 0)
        #expect(ws.files("outbound/oslo-kommune").count == 1, "routed after the fix")
        let decisions = try ws.auditRecords()
        #expect(decisions.map { $0["outcome"] as? String } == ["rejected", "accepted"])
        let marker = try #require(try ws.auditRecords(event: "replay").first)
        #expect((marker["errors"] as? [String])?.first?.contains(id) == true)
        #expect(ws.files("outbound/helse-bergen").filter { $0.hasSuffix(".apprec.xml") }.count == 1,
                "the replay is delivered: Oslo answers it, not the gateway")

        // Again: the key now belongs to the accepted replay, so this is its duplicate.
        #expect(try replay(ws, [id]).status == 0)
        #expect(try ws.run().status == 0)
        #expect(ws.files("outbound/oslo-kommune").count == 1, "never routed twice")
        #expect(try ws.auditRecords().last?["outcome"] as? String == "duplicate")

        // An accepted message is refused, naming why; an unknown id too.
        let acceptedId = try #require(decisions[1]["gatewayId"] as? String)
        let refused = try replay(ws, [acceptedId, "00000000-0000-0000-0000-000000000000"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("was accepted, not rejected"))
        #expect(refused.stderr.contains("no message with gateway id"))
        #expect(try replay(ws, []).status == 2)
    }
}
