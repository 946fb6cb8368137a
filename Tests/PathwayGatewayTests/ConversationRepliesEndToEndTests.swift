import Foundation
import Testing

@testable import PathwayGateway

/// Spec §7 "Replies" and "Resends" through the real binary: any number of turns between a hospital
/// and a municipality, each answered end to end, and resends that reach the receiver exactly when
/// it has not got the message.
@Suite struct ConversationRepliesEndToEndTests {
    typealias Workspace = DaemonEndToEndTests.Workspace
    typealias Conversation = ConversationEndToEndTests

    /// A reply from `sender`, addressed to `receiver`, naming `parent` (and the conversation's start).
    static func reply(
        _ msgId: String, from sender: SampleMessageFactory.Party, to receiver: SampleMessageFactory.Party,
        parent: String, conversation: String
    ) -> [UInt8] {
        MessageValidatorTests.message {
            $0.msgId = msgId; $0.sender = sender; $0.receiver = receiver; $0.pathwayEvent = nil
            $0.conversationRef = (parent, conversation)
        }
    }

    /// The single new file in a partner's outbound since `before`, parsed.
    static func newFile(_ ws: Workspace, _ partner: String, since before: [String]) throws -> (name: String, bytes: [UInt8]) {
        let added = ws.visible("outbound/\(partner)").filter { !before.contains($0) }
        try #require(added.count == 1, "one new file in outbound/\(partner), found \(added)")
        return (added[0], try ws.read("outbound/\(partner)/\(added[0])"))
    }

    @Test func aConversationOfThreeTurnsEachAnsweredEndToEnd() throws {
        let ws = try Workspace()
        try ws.drop(Conversation.sp1("sp1-turn", from: Conversation.helseBergen, kommune: "4601"), as: "sp1.xml")
        #expect(try ws.run().status == 0)
        let sp1 = try #require(try Conversation.copies(ws, "bergen-kommune").first)

        // Turn 2: the contact point answers the gateway, naming the SP1 it got.
        try ws.drop(
            Self.reply("bk-reply", from: Conversation.bergenPoint, to: RouterTests.gateway, parent: "sp1-turn",
                       conversation: "sp1-turn"), as: "svar.xml", inbox: "bergen-kommune")
        #expect(try ws.run().status == 0)
        let toHospital = try Self.newFile(ws, "helse-bergen", since: [])
        let reply = MsgHead(try SafeXMLParser.parse(toHospital.bytes).root)
        #expect(reply.msgId == "bk-reply" && reply.sender.innermostHerId == "8150101", "the municipality wrote it")
        #expect(reply.receiver.allHerIds == ["8150010", "8150011"], "the SP1's whole Sender organisation")
        #expect(reply.receiver.displayName == "Helse Bergen HF / Kreftavdelingen")
        #expect(reply.conversationRef?.refToParent == "sp1-turn")
        if let official = TestSchemas.official {
            #expect(official.validate(try SafeXMLParser.parse(toHospital.bytes)).isEmpty)
        }

        // The hospital's AppRec for the reply goes back to the municipality, byte for byte.
        let kommuneBefore = ws.visible("outbound/bergen-kommune")
        let receipt = Conversation.answer(reply, id: "hb-receipt", from: "8150011")
        try ws.drop(receipt, as: "kvittering.xml")
        #expect(try ws.run().status == 0)
        #expect(try Self.newFile(ws, "bergen-kommune", since: kommuneBefore).bytes == receipt)

        // Turn 3: the hospital answers the reply through the gateway; it reaches the contact point.
        let before = ws.visible("outbound/bergen-kommune")
        try ws.drop(
            Self.reply("hb-turn-3", from: Conversation.helseBergen, to: RouterTests.gateway, parent: "bk-reply",
                       conversation: "sp1-turn"), as: "svar-2.xml")
        #expect(try ws.run().status == 0)
        let third = MsgHead(try SafeXMLParser.parse(try Self.newFile(ws, "bergen-kommune", since: before).bytes).root)
        #expect(third.msgId == "hb-turn-3" && third.receiver.innermostHerId == sp1.head.receiver.innermostHerId)
        #expect(try ws.auditRecords(event: "apprec-sent").isEmpty, "every turn was delivered: no gateway AppRec")
        #expect(try ws.auditRecords(event: "routed").count == 3)
    }

    @Test func aReplyAddressedToTheHospitalIsDeliveredAsWritten() throws {
        let ws = try Workspace()
        let bytes = Self.reply(
            "bk-direct", from: Conversation.bergenPoint, to: Conversation.helseBergen, parent: "unknown-parent",
            conversation: "unknown-parent")
        try ws.drop(bytes, as: "direct.xml", inbox: "bergen-kommune")
        #expect(try ws.run().status == 0)
        #expect(try Self.newFile(ws, "helse-bergen", since: []).bytes == bytes)
    }

    @Test func aReplyNamingAnotherPartnersCopyIsRefusedWithTheReason() throws {
        let ws = try Workspace()
        try ws.drop(Conversation.sp1("sp1-bergen", from: Conversation.helseBergen, kommune: "4601"), as: "sp1.xml")
        #expect(try ws.run().status == 0)
        let oslo = SampleMessageFactory.Party(name: "Oslo kommune", herId: "8150111")
        try ws.drop(
            Self.reply("oslo-reply", from: oslo, to: RouterTests.gateway, parent: "sp1-bergen", conversation: "sp1-bergen"),
            as: "svar.xml", inbox: "oslo-kommune")
        #expect(try ws.run().status == 0)
        #expect(ws.visible("outbound/helse-bergen").isEmpty, "never delivered to Bergen's hospital")
        let answer = try Self.newFile(ws, "oslo-kommune", since: [])
        let appRec = try #require(AppRec(try SafeXMLParser.parse(answer.bytes).root))
        #expect(appRec.status == .rejected && appRec.errors.first?.code == "E21")
        #expect(appRec.errors.first?.description.contains("RefToParent sp1-bergen") == true)
    }

    /// `samples/conversation/` as README tells it: SP1 out, the contact point's AppRec back to the
    /// hospital, a reply, the hospital's AppRec for it back to the contact point; every file as it
    /// came, relayed byte for byte.
    @Test func theCommittedConversationSamplesRunAsDocumented() throws {
        let ws = try Workspace()
        let dir = TestPaths.packageRoot.appendingPathComponent("samples/conversation")
        func sample(_ name: String) throws -> [UInt8] { Array(try Data(contentsOf: dir.appendingPathComponent(name))) }
        try ws.drop(SampleSet.all[0].bytes, as: SampleSet.all[0].fileName)
        #expect(try ws.run().status == 0)
        let ok = try sample("1-bergen-kommune-apprec-ok.xml")
        try ws.drop(ok, as: "apprec-ok.xml", inbox: "bergen-kommune")
        #expect(try ws.run().status == 0)
        #expect(try Self.newFile(ws, "helse-bergen", since: []).bytes == ok)
        let hospitalBefore = ws.visible("outbound/helse-bergen")
        try ws.drop(try sample("2-bergen-kommune-reply.xml"), as: "svar.xml", inbox: "bergen-kommune")
        #expect(try ws.run().status == 0)
        let reply = MsgHead(try SafeXMLParser.parse(try Self.newFile(ws, "helse-bergen", since: hospitalBefore).bytes).root)
        #expect(reply.msgId == "bergen-svar-01" && reply.receiver.innermostHerId == "8150011")
        let kommuneBefore = ws.visible("outbound/bergen-kommune")
        let receipt = try sample("3-helse-bergen-apprec-for-reply.xml")
        try ws.drop(receipt, as: "kvittering.xml")
        #expect(try ws.run().status == 0)
        #expect(try Self.newFile(ws, "bergen-kommune", since: kommuneBefore).bytes == receipt)
        #expect(try ws.auditRecords(event: "apprec-sent").isEmpty)
    }
}
