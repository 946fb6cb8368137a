import Foundation
import Testing
@testable import PathwayGateway

/// The whole per-message decision, against a real SQLite store in a temporary directory.
@Suite struct MessageProcessorTests {
    let config = DefaultConfig.load(currentDirectory: "/tmp")
    let directory: DatabaseTestDirectory
    let store: MessageStore
    let processor: MessageProcessor

    init() throws {
        directory = try DatabaseTestDirectory()
        store = try MessageStore(path: directory.path("state.sqlite"))
        processor = MessageProcessor(config: config, validator: TestSchemas.validator)
    }

    /// Claims, plans and records one file, as the daemon does (minus the file writes).
    @discardableResult
    func process(_ bytes: [UInt8], inbox: String = "helse-bergen", name: String = "m.xml") throws -> ProcessingPlan {
        let sha = SHA256.hex(bytes)
        let claim = try store.claim(partnerId: inbox, fileName: name, sha256: sha)
        let input = MessageProcessor.Input(partner: config.partner(forInbox: inbox)!, fileName: name, messageId: claim.messageId,
                                           bytes: bytes, sha256: sha, now: Date(timeIntervalSince1970: 1_795_000_000),
                                           newId: { UUID().uuidString.lowercased() })
        let plan = try processor.plan(input, lookups: .init(firstMessage: store.findFirst, routedMessage: store.matchAppRec))
        if let r = plan.receiverAppRec {
            try store.recordReceiverAppRec(routedId: r.routedId, status: r.status, errorCode: r.errorCode, errorText: r.errorText)
        }
        _ = try store.recordDecision(messageId: claim.messageId, plan.decision)
        _ = try store.markOutputsWritten(messageId: claim.messageId)
        try store.markDone(messageId: claim.messageId)
        return plan
    }

    static func sp1(_ edit: (inout SampleMessageFactory.Message) -> Void = { _ in }) -> [UInt8] {
        MessageValidatorTests.message { $0.receiver = RouterTests.gateway; $0.attachmentBytes = 2_000; edit(&$0) }
    }

    private func appRec(_ plan: ProcessingPlan) throws -> AppRec {
        let bytes = try #require(plan.decision.appRec?.bytes)
        let doc = try SafeXMLParser.parse(bytes)
        if let official = TestSchemas.official { #expect(official.validate(doc).isEmpty, "AppRec must satisfy the official schema") }
        return try #require(AppRec(doc.root))
    }

    @Test func sp1IsDeliveredAndLeftForTheReceiverToAnswer() throws {
        let plan = try process(Self.sp1())
        #expect(plan.decision.outcome == .accepted)
        #expect(plan.decision.routed.count == 1)
        let routed = try #require(plan.decision.routed.first)
        #expect(routed.targetPartner == "bergen-kommune")
        #expect(routed.path.hasPrefix("outbound/bergen-kommune/") && !routed.path.contains(routed.routedMsgId))
        let routedHead = MsgHead(try SafeXMLParser.parse(routed.bytes).root)
        #expect(routedHead.receiver.innermostHerId == "8150101")
        #expect(routedHead.msgId == "b1c2d3e4-0001" && routed.routedMsgId == "b1c2d3e4-0001")
        #expect(routedHead.sender.allHerIds.contains("8150011"), "the municipality sees the hospital as the sender")
        #expect(plan.decision.appRec == nil, "the contact point's AppRec is relayed instead (spec §7)")
        #expect(plan.facts.pathwayEvent == "PFH-SP1")
        #expect(plan.facts.kommune == "4601")
    }

    @Test func duplicateGetsTheSameAppRecAndIsNotRoutedAgain() throws {
        let first = try process(Self.sp1(), name: "a.xml")
        let again = try process(Self.sp1(), name: "b.xml")
        #expect(again.decision.outcome == .duplicate)
        #expect(again.decision.routed.isEmpty)
        #expect(again.decision.appRec?.bytes == first.decision.appRec?.bytes)
        let changed = try process(Self.sp1 { $0.text = "Annen tekst" }, name: "c.xml")
        #expect(changed.decision.outcome == .rejected)
        #expect(try appRec(changed).errors.first?.code == "E10")
    }

    @Test func foreignSenderIsX99SecurityEvent() throws {
        let plan = try process(Self.sp1(), inbox: "haraldsplass")
        #expect(plan.decision.outcome == .rejected)
        #expect(plan.facts.security)
        #expect(plan.decision.routed.isEmpty)
        #expect(try appRec(plan).errors.first?.code == "X99")
        #expect(plan.decision.registersKey == false)
    }

    @Test func notWellFormedGetsT01WhenMsgIdIsFoundElseANotice() throws {
        let text = String(decoding: Self.sp1(), as: UTF8.self)
        let plan = try process(Array(text.prefix(700).utf8), name: "cut.xml")
        #expect(try appRec(plan).errors.first?.code == "T01")
        #expect(plan.decision.destination?.hasPrefix("quarantine/helse-bergen/") == true)
        let garbage = try process(Array("%PDF-1.4 not xml".utf8), name: "garbage.xml")
        #expect(garbage.decision.appRec == nil)
        let notice = try #require(garbage.decision.notices.first { $0.path == "outbound/helse-bergen/garbage.xml.rejected.txt" })
        #expect(String(decoding: notice.bytes, as: UTF8.self).contains("T01"))
    }

    @Test func municipalityAppRecIsMatchedAndNeverAnswered() throws {
        let routed = try #require(try process(Self.sp1()).decision.routed.first)
        let answer = AppRec(version: .v1_0, genDate: "2026-11-23T11:00:00", id: "kommune-receipt-1",
                            sender: .init(institution: .init(name: "Bergen kommune", herId: "8150100"),
                                          department: .init(name: "Kreftkoordinator", herId: "8150101")),
                            receiver: .init(institution: .init(name: "Forløpsgateway", herId: "8150001")),
                            status: .rejected, errors: [.init(code: "E35", description: "Pasienten finnes ikke")],
                            originalMsgId: .init(msgType: CodedValue(v: "DIALOG_HELSEFAGLIG"), issueDate: "2026-11-23T10:15:00",
                                                 id: routed.routedMsgId))
        let plan = try process(AppRecEncoder.encode(answer), inbox: "bergen-kommune", name: "kvittering.xml")
        #expect(plan.decision.outcome == .appRecReceived)
        #expect(plan.decision.appRec == nil)
        #expect(plan.receiverAppRec?.status == 2)
        let matched = try #require(try store.matchAppRec(originalMsgId: routed.routedMsgId))
        #expect(matched.state == .rejected)
        #expect(matched.receiverErrorCode == "E35")
    }

    @Test func auditFactsCarryNoIdentityInErrors() throws {
        let plan = try process(Self.sp1 { $0.patient?.fnr = "20036914712" })
        #expect(plan.facts.errors.allSatisfy { !$0.contains("20036914712") })
        #expect(try appRec(plan).errors.first?.code == "E31")
    }

    /// A copy sent by a version before v8 carried a gateway MsgId and the gateway as Sender: its
    /// AppRec (addressed to the gateway) still matches, and is relayed with OriginalMsgId mapped
    /// back to the original's MsgId (spec §7, migration).
    @Test func anAppRecForACopyOfAnEarlierVersionIsRelayedWithTheOriginalMsgId() throws {
        try process(Self.sp1())
        try store.db.run("UPDATE routed SET routed_msg_id = 'gw-legacy-1'")
        let answer = AppRec(
            version: .v1_1, genDate: "2026-11-23T12:00:00", id: "bergen-kvittering-legacy",
            sender: .init(institution: .init(name: "Bergen kommune", herId: "8150100"),
                          department: .init(name: "Kreftkoordinator", herId: "8150101")),
            receiver: .init(institution: .init(name: "Forløpsgateway Helse Vest", herId: "8150001")),
            status: .ok, errors: [],
            originalMsgId: .init(msgType: CodedValue(v: "DIALOG_HELSEFAGLIG"), issueDate: "2026-11-23T10:15:00", id: "gw-legacy-1"))
        let plan = try process(AppRecEncoder.encode(answer), inbox: "bergen-kommune", name: "kvittering.xml")
        let relayed = try #require(plan.decision.followUps.first?.output)
        #expect(relayed.path.hasPrefix("outbound/helse-bergen/") && relayed.kind == .apprec)
        let copy = try #require(AppRec(try SafeXMLParser.parse(relayed.bytes).root))
        #expect(copy.originalMsgId.id == "b1c2d3e4-0001")
        #expect(copy.id == answer.id && copy.status == .ok && copy.sender == answer.sender)
    }
}
