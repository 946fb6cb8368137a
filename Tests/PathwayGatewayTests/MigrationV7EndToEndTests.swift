import Foundation
import Testing
@testable import PathwayGateway

/// Issue 17 item 7 through the real binary: a spool written by the previous main (e86d0d3, schema
/// v7; `Tests/Fixtures/README.md`) keeps working. Its routed copies went out with a gateway MsgId
/// and the gateway as Sender; their receivers' AppRecs still match and reach the hospital with the
/// hospital's own MsgId (spec §7 "Matching"), and replies to them still route back.
@Suite struct MigrationV7EndToEndTests {
    static let bergenPoint = "8150101"
    static let osloPoint = "8150111"

    /// The receiver's AppRec for an old copy: Sender = the contact point, Receiver = the copy's
    /// Sender (the gateway), OriginalMsgId = the copy's gateway MsgId.
    static func answer(_ copy: MigrationV7Fixture.OldCopy, id: String, from point: String, rejected: Bool = false)
        -> [UInt8]
    {
        #expect(copy.head.sender.innermostHerId == MigrationV7Fixture.gatewayHerId, "an old copy's Sender")
        return ConversationEndToEndTests.answer(copy.head, id: id, from: point, rejected: rejected)
    }

    @Test func theMigratedSpoolIsHealthyAndItsAuditLogVerifies() throws {
        let fixture = try MigrationV7Fixture()
        #expect(try fixture.schemaVersion() == 7, "the fixture is a v7 spool")
        #expect(Set(fixture.copies.keys) == ["hb-sp1-1", "hb-sp1-2", "hp-sp1-1"])
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("pg-migr-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: log) }
        let daemon = try fixture.ws.start(["run"], stderr: try FileHandle(forWritingTo: log))
        var status = GatewayProcess.Output(status: -1, stdout: "", stderr: "")
        let healthy = try eventually {
            status = try fixture.gateway(["status", "--json"])
            return status.status == 0
        }
        #expect(GatewayProcess.stop(daemon) == 0)
        let stderr = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        #expect(healthy, "status: \(status.stdout) \(status.stderr)\ndaemon: \(stderr)")
        #expect(try fixture.schemaVersion() == MessageStore.schemaVersion, "migrated at start")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        let awaiting = try #require(json["awaitingAppRec"] as? [String: Any])
        #expect(awaiting["count"] as? Int == 3, "the three old copies still await their AppRec: \(awaiting)")
        let verify = try fixture.gateway(["audit", "verify"])
        #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")
        #expect(try fixture.gateway(["check-config"]).status == 0)
    }

    @Test func anOldCopysAppRecReachesTheHospitalWithItsOwnMsgId() throws {
        let fixture = try MigrationV7Fixture()
        let ws = fixture.ws
        let fromBergen = try fixture.copy("hb-sp1-1")
        let fromHaraldsplass = try fixture.copy("hp-sp1-1")
        let hospitalsBefore = ws.visible("outbound/helse-bergen") + ws.visible("outbound/haraldsplass")
        // The old version's own answers (the log may rotate at the first start: a new day).
        let ownAppRecs = try fixture.allAuditRecords(event: "apprec-sent").count
        // Bergen answers Helse Bergen's copy; Oslo answers Haraldsplass's copy, delivered to Bergen.
        let ok = Self.answer(fromBergen, id: "bk-m1", from: Self.bergenPoint)
        try ws.drop(ok, as: "bk-m1.xml", inbox: "bergen-kommune")
        try ws.drop(Self.answer(fromHaraldsplass, id: "ok-m1", from: Self.osloPoint), as: "ok-m1.xml", inbox: "oslo-kommune")
        #expect(try ws.run().status == 0)

        let relayed = fixture.newFiles("helse-bergen", since: hospitalsBefore)
        #expect(relayed.count == 1, "one relayed AppRec: \(relayed)")
        let appRec = try fixture.appRec("outbound/helse-bergen/\(try #require(relayed.first))")
        #expect(appRec.originalMsgId.id == "hb-sp1-1", "OriginalMsgId mapped back to the hospital's MsgId")
        #expect(appRec.id == "bk-m1" && appRec.status == .ok)
        #expect(appRec.sender.innermostHerId == Self.bergenPoint, "the hospital learns that the contact point got it")
        let mapped = String(decoding: ok, as: UTF8.self).replacingOccurrences(
            of: "<Id>\(fromBergen.head.msgId)</Id>", with: "<Id>hb-sp1-1</Id>")
        let relayedText = String(decoding: try ws.read("outbound/helse-bergen/\(relayed[0])"), as: UTF8.self)
        #expect(relayedText == mapped, "the receiver's bytes, only OriginalMsgId/Id changed")
        #expect(fixture.newFiles("haraldsplass", since: hospitalsBefore).isEmpty, "another municipality's AppRec never matches")
        let foreign = try #require(try ws.auditRecords().first { $0["msgId"] as? String == "ok-m1" })
        #expect(foreign["security"] as? Bool == true)
        #expect(foreign["outcome"] as? String == "apprec-received")
        #expect(try ws.auditRecords(event: "apprec-relayed").count == 1)
        let sent = try fixture.allAuditRecords(event: "apprec-sent")
        #expect(sent.count == ownAppRecs, "an AppRec is never answered: \(sent.suffix(2))")

        // The right receiver's Avvist for Haraldsplass's copy goes to Haraldsplass.
        let rejected = Self.answer(fromHaraldsplass, id: "bk-m2", from: Self.bergenPoint, rejected: true)
        try ws.drop(rejected, as: "bk-m2.xml", inbox: "bergen-kommune")
        #expect(try ws.run().status == 0)
        let toHaraldsplass = fixture.newFiles("haraldsplass", since: hospitalsBefore)
        #expect(toHaraldsplass.count == 1)
        let avvist = try fixture.appRec("outbound/haraldsplass/\(try #require(toHaraldsplass.first))")
        #expect(avvist.originalMsgId.id == "hp-sp1-1" && avvist.status == .rejected)
        #expect(avvist.errors.first?.code == "E21")
        #expect(fixture.newFiles("helse-bergen", since: hospitalsBefore).count == 1)
        let verify = try fixture.gateway(["audit", "verify"])
        #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")
    }

    /// The same AppRec twice (a resend of the file), and a second AppRec for an answered copy: the
    /// hospital gets the receiver's answer once.
    @Test func aSecondAppRecForAnOldCopyIsNotRelayedAgain() throws {
        let fixture = try MigrationV7Fixture()
        let ws = fixture.ws
        let copy = try fixture.copy("hb-sp1-2")
        let before = ws.visible("outbound/helse-bergen")
        let first = Self.answer(copy, id: "ok-a1", from: Self.osloPoint)
        try ws.drop(first, as: "ok-a1.xml", inbox: "oslo-kommune")
        #expect(try ws.run().status == 0)
        #expect(fixture.newFiles("helse-bergen", since: before).count == 1)

        try ws.drop(first, as: "ok-a1-again.xml", inbox: "oslo-kommune")
        #expect(try ws.run().status == 0)
        let afterResend = fixture.newFiles("helse-bergen", since: before).count
        try ws.drop(Self.answer(copy, id: "ok-a2", from: Self.osloPoint), as: "ok-a2.xml", inbox: "oslo-kommune")
        #expect(try ws.run().status == 0)
        #expect(ws.visible("archive/oslo-kommune").count == 4, "every AppRec is archived (one from the fixture)")
        let afterSecond = fixture.newFiles("helse-bergen", since: before).count
        let relays = try ws.auditRecords(event: "apprec-relayed").count
        #expect(afterResend == 1, "the same AppRec again is relayed once")
        #expect(afterSecond == 1, "a second answer for an answered copy is not relayed")
        #expect(relays == 1)
    }

    /// A municipality's reply to an old copy, addressed to the gateway with RefToParent = the copy's
    /// gateway MsgId: delivered to the hospital that sent the original, Receiver = its whole Sender
    /// organisation (spec §7 "Replies go back the same way").
    @Test func aReplyToAnOldCopyGoesBackToTheHospital() throws {
        let fixture = try MigrationV7Fixture()
        let ws = fixture.ws
        let copy = try fixture.copy("hb-sp1-1")
        let before = ws.visible("outbound/helse-bergen")
        let point = SampleMessageFactory.Party(
            name: "Bergen kommune", herId: "8150100", unitName: "Kreftkoordinator", unitHerId: Self.bergenPoint)
        let text = String(decoding: MessageValidatorTests.message {
            $0.msgId = "bk-reply-1"; $0.sender = point; $0.receiver = RouterTests.gateway; $0.pathwayEvent = nil
        }, as: UTF8.self)
        let ref = "<ConversationRef><RefToParent>\(copy.head.msgId)</RefToParent>"
            + "<RefToConversation>\(copy.head.msgId)</RefToConversation></ConversationRef>"
        let reply = text.replacingOccurrences(of: #"<Ack V="J" DN="Ja"/>"#, with: #"<Ack V="J" DN="Ja"/>"# + ref)
        try ws.drop(Array(reply.utf8), as: "reply.xml", inbox: "bergen-kommune")
        #expect(try ws.run().status == 0)

        let delivered = fixture.newFiles("helse-bergen", since: before)
        #expect(delivered.count == 1, "the reply, and no AppRec from the gateway: \(delivered)")
        let bytes = try ws.read("outbound/helse-bergen/\(try #require(delivered.first))")
        let document = try SafeXMLParser.parse(bytes)
        if let official = TestSchemas.official { #expect(official.validate(document).isEmpty) }
        let head = MsgHead(document.root)
        #expect(head.msgId == "bk-reply-1" && head.sender.allHerIds == ["8150100", Self.bergenPoint])
        #expect(head.receiver.allHerIds == ["8150010", "8150011"], "the original's whole Sender organisation")
        #expect(head.receiver.name == "Helse Bergen HF")
        #expect(head.receiver.unit?.name == "Kreftavdelingen", "\(String(decoding: bytes, as: UTF8.self))")
        #expect(ws.visible("outbound/bergen-kommune").count == 2, "nothing back to the municipality yet")
    }
}
