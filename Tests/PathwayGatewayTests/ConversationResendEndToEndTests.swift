import Foundation
import Testing

@testable import PathwayGateway

/// Spec §7 "Resends" through the real binary: a resend of a delivered message reaches the receiver
/// again only when the receiver took the copy and never answered, and the receiver's answer reaches
/// the sender again only when the sender took it; never two unread copies of one message.
@Suite struct ConversationResendEndToEndTests {
    typealias Workspace = DaemonEndToEndTests.Workspace
    typealias Conversation = ConversationEndToEndTests

    static let sp1 = Conversation.sp1("resend-1", from: Conversation.helseBergen, kommune: "4601")

    /// The partner takes every file in its outbound (its system picked them up).
    static func take(_ ws: Workspace, _ partner: String) throws {
        for name in ws.visible("outbound/\(partner)") {
            try FileManager.default.removeItem(at: ws.root.appendingPathComponent("spool/outbound/\(partner)/\(name)"))
        }
    }

    /// The files in a partner's outbound, as text (a failure then shows what differs).
    static func contents(_ ws: Workspace, _ partner: String) throws -> [String] {
        try ws.visible("outbound/\(partner)").map { String(decoding: try ws.read("outbound/\(partner)/\($0)"), as: UTF8.self) }
    }

    static func resendNotes(_ ws: Workspace) throws -> [String] {
        try ws.auditRecords().filter { $0["outcome"] as? String == "duplicate" }.flatMap { $0["errors"] as? [String] ?? [] }
    }

    @Test func anUnreadCopyIsNotDeliveredTwiceATakenOneIsDeliveredOnceMore() throws {
        let ws = try Workspace()
        try ws.drop(Self.sp1, as: "sp1.xml")
        #expect(try ws.run().status == 0)
        let first = try Self.contents(ws, "bergen-kommune")
        #expect(first.count == 1)

        try ws.drop(Self.sp1, as: "sp1-again.xml")
        #expect(try ws.run().status == 0)
        #expect(ws.visible("outbound/bergen-kommune").count == 1, "still unread: nothing new")
        #expect(ws.visible("outbound/helse-bergen").isEmpty, "no gateway AppRec for a delivered message")
        #expect(try Self.resendNotes(ws).last?.contains("still unread") == true)

        try Self.take(ws, "bergen-kommune")
        // Two resends in one run: the copy is delivered once more, not twice.
        try ws.drop(Self.sp1, as: "sp1-third.xml")
        try ws.drop(Self.sp1, as: "sp1-fourth.xml")
        #expect(try ws.run().status == 0)
        let again = try Self.contents(ws, "bergen-kommune")
        #expect(again == first, "the same bytes, once")
        #expect(try ws.auditRecords(event: "redelivered").count == 1)

        // The receiver answers the copy it got twice: one answer, relayed once.
        let copy = MsgHead(try SafeXMLParser.parse(Array(first[0].utf8)).root)
        let receipt = Conversation.answer(copy, id: "bk-resend", from: "8150101")
        try ws.drop(receipt, as: "kvittering.xml", inbox: "bergen-kommune")
        #expect(try ws.run().status == 0)
        #expect(try ws.visible("outbound/helse-bergen").map { try ws.read("outbound/helse-bergen/\($0)") } == [receipt])
    }

    @Test func anAnsweredMessagesResendGetsTheReceiversAppRecAgainOnlyOnceTaken() throws {
        let ws = try Workspace()
        try ws.drop(Self.sp1, as: "sp1.xml")
        #expect(try ws.run().status == 0)
        let copy = try #require(try Conversation.copies(ws, "bergen-kommune").first)
        let receipt = Conversation.answer(copy.head, id: "bk-answer", from: "8150101", rejected: true)
        try ws.drop(receipt, as: "kvittering.xml", inbox: "bergen-kommune")
        #expect(try ws.run().status == 0)
        #expect(ws.visible("outbound/helse-bergen").count == 1)

        try ws.drop(Self.sp1, as: "sp1-again.xml")
        #expect(try ws.run().status == 0)
        #expect(ws.visible("outbound/helse-bergen").count == 1, "the relayed AppRec is unread: nothing new")

        try Self.take(ws, "helse-bergen")
        try ws.drop(Self.sp1, as: "sp1-third.xml")
        #expect(try ws.run().status == 0)
        #expect(try ws.visible("outbound/helse-bergen").map { try ws.read("outbound/helse-bergen/\($0)") } == [receipt])
        #expect(ws.visible("outbound/bergen-kommune").count == 1, "an answered message is not delivered again")
        #expect(try ws.auditRecords(event: "apprec-relayed").count == 2)
    }

    @Test func theSameMsgIdWithOtherContentIsRefusedE10() throws {
        let ws = try Workspace()
        try ws.drop(Self.sp1, as: "sp1.xml")
        #expect(try ws.run().status == 0)
        try Self.take(ws, "bergen-kommune")
        let changed = MessageValidatorTests.message {
            $0.msgId = "resend-1"; $0.sender = Conversation.helseBergen; $0.receiver = RouterTests.gateway
            $0.text = "Endret innhold"
        }
        try ws.drop(changed, as: "changed.xml")
        #expect(try ws.run().status == 0)
        #expect(ws.visible("outbound/bergen-kommune").isEmpty, "other content is never delivered")
        let name = try #require(ws.visible("outbound/helse-bergen").first)
        let appRec = try #require(AppRec(try SafeXMLParser.parse(try ws.read("outbound/helse-bergen/\(name)")).root))
        #expect(appRec.errors.first?.code == "E10")
    }

    /// A crash at each step of delivering a resend again: the copy exists exactly once afterwards.
    @Test(arguments: ["staged", "decided", "archived"])
    func crashWhileDeliveringAgainIsFinishedOnRestart(step: String) throws {
        let ws = try Workspace()
        try ws.drop(Self.sp1, as: "sp1.xml")
        #expect(try ws.run().status == 0)
        let first = try Self.contents(ws, "bergen-kommune")
        try Self.take(ws, "bergen-kommune")
        try ws.drop(Self.sp1, as: "sp1-again.xml")
        #expect(try ws.run(crashAt: step).status == 137)
        #expect(try ws.run().status == 0)
        #expect(try Self.contents(ws, "bergen-kommune") == first)
        #expect(try ws.auditRecords(event: "redelivered").count == 1)
    }
}
