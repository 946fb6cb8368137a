import Foundation
import Testing
@testable import PathwayGateway

/// Spec §8 through the real binary: what a hostile partner or a careless operator can do to the
/// spool must neither misroute, lose nor leak a message.
@Suite struct TrustBoundaryEndToEndTests {
    typealias Workspace = DaemonEndToEndTests.Workspace

    /// An AppRec answering Bergen's routed copy, sent by `sender` (HER-ids of `inbox`'s partner).
    private func appRec(answering routed: MsgHead, sender: AppRecParty.Level, status: AppRec.Status = .ok) -> [UInt8] {
        AppRecEncoder.encode(AppRec(version: .v1_1, genDate: "2026-11-23T12:00:00", id: "kvittering-\(UUID().uuidString)",
                                    sender: .init(institution: sender),
                                    receiver: .init(institution: .init(name: "Forløpsgateway Helse Vest", herId: "8150001")),
                                    status: status, errors: [],
                                    originalMsgId: .init(msgType: routed.type, issueDate: routed.genDate, id: routed.msgId)))
    }

    /// Defect 4: Haraldsplass (a hospital) answers the copy routed to Bergen kommune. The AppRec
    /// is recorded and archived as a security event; Bergen's copy still awaits Bergen's answer.
    @Test func appRecFromAnotherPartnerNeverMatches() throws {
        let ws = try Workspace()
        try ws.drop(SampleSet.all[0].bytes, as: "sp1.xml")
        try ws.run()
        let routedName = try #require(ws.files("outbound/bergen-kommune").first)
        let routed = MsgHead(try SafeXMLParser.parse(try ws.read("outbound/bergen-kommune/\(routedName)")).root)
        let haraldsplass = AppRecParty.Level(name: "Haraldsplass Diakonale Sykehus", herId: "8150020")
        try ws.drop(appRec(answering: routed, sender: haraldsplass), as: "kvittering.xml", inbox: "haraldsplass")
        try ws.run()
        let last = try #require(try ws.auditRecords().last)
        #expect(last["outcome"] as? String == "apprec-received")
        #expect(last["security"] as? Bool == true)
        #expect((last["errors"] as? [String])?.first?.contains("routed to bergen-kommune, not to haraldsplass") == true)
        #expect(ws.files("outbound/haraldsplass").isEmpty, "an AppRec is never answered")
        let status = try GatewayProcess.run(["status", "--json"], environment: ["PATHWAY_GATEWAY_CONFIG": ""], cwd: ws.root)
        let json = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as! [String: Any]
        let awaiting = try #require(json["awaitingAppRec"] as? [String: Any])
        #expect(awaiting["count"] as? Int == 1, "Bergen's copy still awaits Bergen's AppRec: \(status.stdout)")

        // Bergen's own answer, from any of Bergen's HER-ids, still matches afterwards.
        let bergen = AppRecParty.Level(name: "Bergen kommune", herId: "8150100")
        try ws.drop(appRec(answering: routed, sender: bergen), as: "bergen.xml", inbox: "bergen-kommune")
        try ws.run()
        let answered = try #require(try ws.auditRecords().last)
        #expect(answered["security"] as? Bool != true)
        #expect((answered["errors"] as? [String])?.isEmpty == true)
    }

    /// Defect 5: a partner drops a symbolic link to the pseudonym key; intake quarantines the link
    /// unread (T01 notice), and `replay` must not copy the key's bytes into the partner's inbox.
    @Test func replayNeverFollowsALinkOutOfTheQuarantine() throws {
        let ws = try Workspace()
        try ws.run()  // creates the spool and the key
        let key = ws.root.appendingPathComponent("spool/state/pseudonym.key").path
        #expect(symlink(key, ws.root.appendingPathComponent("spool/inbound/helse-bergen/key.xml").path) == 0)
        try ws.run()
        let rejected = try #require(try ws.auditRecords().last)
        #expect(rejected["outcome"] as? String == "rejected")
        let id = try #require(rejected["gatewayId"] as? String)
        let replay = try GatewayProcess.run(["replay", id], environment: ["PATHWAY_GATEWAY_CONFIG": ""], cwd: ws.root)
        #expect(replay.status == 1)
        #expect(replay.stderr.contains("cannot be replayed") && replay.stderr.contains("symbolic link"), "\(replay.stderr)")
        #expect(ws.files("inbound/helse-bergen").isEmpty, "nothing may be copied into the inbox")
    }

    /// Defect 10: ages are the gateway's own times. An archived original claimed 40 days ago is
    /// pruned at 30 days although its sender set its mtime to 2099; one claimed now stays although
    /// its mtime says 1971; a file waiting in an inbox with a 2020 mtime has waited seconds.
    @Test func partnerSetTimesSteerNeitherRetentionNorHealth() throws {
        let ws = try Workspace()
        try ws.configure(["retention": ["archiveDays": 30]])
        try ws.drop(SampleSet.all[0].bytes, as: "sp1.xml")
        try ws.run()
        let archive = ws.root.appendingPathComponent("spool/archive/helse-bergen")
        let fresh = try #require(ws.files("archive/helse-bergen").first)
        let old = "\(TimeOrderedID.make(now: Date().addingTimeInterval(-40 * 86_400)))-old.xml"
        #expect(FileManager.default.createFile(atPath: archive.appendingPathComponent(old).path, contents: Data("x".utf8)))
        let future = Date(timeIntervalSince1970: 4_070_908_800)  // 2099-01-01
        try FileManager.default.setAttributes([.modificationDate: future], ofItemAtPath: archive.appendingPathComponent(old).path)
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 3600)],
                                              ofItemAtPath: archive.appendingPathComponent(fresh).path)
        try ws.run()
        #expect(ws.files("archive/helse-bergen") == [fresh])

        let waiting = ws.root.appendingPathComponent("spool/inbound/helse-bergen/waiting.xml")
        #expect(FileManager.default.createFile(atPath: waiting.path, contents: Data(SampleSet.all[1].bytes)))
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 1_577_836_800)], ofItemAtPath: waiting.path)
        let status = try GatewayProcess.run(["status", "--json"], environment: ["PATHWAY_GATEWAY_CONFIG": ""], cwd: ws.root)
        let json = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as! [String: Any]
        let inboxes = try #require(json["inboxes"] as? [[String: Any]])
        let bergen = try #require(inboxes.first { $0["partner"] as? String == "helse-bergen" })
        #expect(bergen["waiting"] as? Int == 1)
        #expect((bergen["oldestAgeSeconds"] as? Double ?? .infinity) < 120, "\(bergen)")
    }

    /// A message refused on its content (E31) and sent again gets the same AppRec, byte for byte;
    /// until session 7 the resend registered its key a second time and the batch re-planned the
    /// same refusal for ever (the daemon hung).
    @Test func aRejectedMessageSentAgainGetsTheSameAppRec() throws {
        let ws = try Workspace()
        let bytes = Array(try Data(contentsOf: TestPaths.packageRoot.appendingPathComponent("samples/messages/04-wrong-fnr.xml")))
        try ws.drop(bytes, as: "first.xml")
        #expect(try ws.run().status == 0)
        try ws.drop(bytes, as: "again.xml")
        #expect(try ws.run().status == 0)
        let receipts = ws.files("outbound/helse-bergen").filter { $0.hasSuffix(".apprec.xml") }
        #expect(receipts.count == 2)
        let answers = try receipts.map { try ws.read("outbound/helse-bergen/\($0)") }
        #expect(answers.count == 2 && answers[0] == answers[1], "the same AppRec again")
        #expect(try ws.auditRecords().map { $0["outcome"] as? String } == ["rejected", "duplicate"])
    }
}
