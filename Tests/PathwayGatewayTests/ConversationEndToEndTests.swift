import Foundation
import Testing
@testable import PathwayGateway

/// Spec §7 through the real binary, with two hospitals and two municipalities: the delivered copy
/// keeps who wrote it, the receiver's AppRec goes back to the sender byte for byte (exactly once,
/// whatever the crash), and nobody else's AppRec matches.
@Suite struct ConversationEndToEndTests {
    typealias Workspace = DaemonEndToEndTests.Workspace
    static let helseBergen = MessageValidatorTests.hospital
    static let haraldsplass = SampleMessageFactory.Party(
        name: "Haraldsplass Diakonale Sykehus", herId: "8150020", unitName: "Medisinsk avdeling", unitHerId: "8150021")
    /// Bergen's pakkeforløp-hjem contact point (kommune 4601).
    static let bergenPoint = SampleMessageFactory.Party(name: "Koordinerende enhet", herId: "8150101")

    /// A municipality's own SP2, addressed to the gateway: the gateway is its final receiver.
    static func sp2FromBergen() throws -> [UInt8] {
        MessageValidatorTests.message {
            $0.msgId = "bergen-sp2-1"; $0.sender = bergenPoint; $0.receiver = RouterTests.gateway; $0.pathwayEvent = "PFH-SP2"
        }
    }

    static func sp1(_ msgId: String, from sender: SampleMessageFactory.Party, kommune: String) -> [UInt8] {
        MessageValidatorTests.message {
            $0.msgId = msgId; $0.sender = sender; $0.receiver = RouterTests.gateway; $0.patient?.kommune = kommune
        }
    }

    /// The receiver's AppRec for a delivered copy, as a receiving system writes it: Sender = the
    /// contact point, Receiver = the copy's Sender, OriginalMsgId = the copy's MsgId.
    static func answer(_ copy: MsgHead, id: String, from point: String, rejected: Bool = false) -> [UInt8] {
        let sender = copy.sender
        let receiver = AppRecParty(
            institution: .init(name: sender.name, herId: sender.allHerIds.first ?? ""),
            department: sender.allHerIds.count > 1 ? .init(name: "Avdeling", herId: sender.allHerIds.last ?? "") : nil)
        return AppRecEncoder.encode(AppRec(
            version: .v1_1, genDate: "2026-11-23T12:00:00", id: id,
            sender: .init(institution: .init(name: "Kommune", herId: point)), receiver: receiver,
            status: rejected ? .rejected : .ok,
            errors: rejected ? [.init(code: "E21", description: "Mottaker ukjent")] : [],
            originalMsgId: .init(msgType: copy.type, issueDate: copy.genDate, id: copy.msgId)))
    }

    static func copies(_ ws: Workspace, _ partner: String) throws -> [(name: String, head: MsgHead)] {
        try ws.visible("outbound/\(partner)").map { name in
            let document = try SafeXMLParser.parse(try ws.read("outbound/\(partner)/\(name)"))
            if let official = TestSchemas.official { #expect(official.validate(document).isEmpty, "\(partner)/\(name)") }
            return (name, MsgHead(document.root))
        }
    }

    @Test func receiptsAreEndToEndAndTwoSendersMsgIdsNeverMix() throws {
        let ws = try Workspace()
        try ws.drop(Self.sp1("same-1", from: Self.helseBergen, kommune: "4601"), as: "a.xml")
        try ws.drop(Self.sp1("same-1", from: Self.haraldsplass, kommune: "4601"), as: "b.xml", inbox: "haraldsplass")
        try ws.drop(Self.sp1("oslo-1", from: Self.helseBergen, kommune: "0301"), as: "c.xml")
        #expect(try ws.run().status == 0)
        #expect(ws.visible("outbound/helse-bergen").isEmpty && ws.visible("outbound/haraldsplass").isEmpty,
                "a delivered message is answered by its receiver, not by the gateway")
        let bergen = try Self.copies(ws, "bergen-kommune")
        #expect(bergen.count == 2 && Set(bergen.map(\.name)).count == 2, "equal MsgIds, two files")
        for copy in bergen {
            #expect(copy.head.msgId == "same-1" && copy.head.receiver.innermostHerId == "8150101")
            #expect(copy.head.sender.innermostHerId != "8150001", "the municipality sees the hospital department")
        }
        let fromBergen = try #require(bergen.first { $0.head.sender.allHerIds.contains("8150011") })
        let fromHaraldsplass = try #require(bergen.first { $0.head.sender.allHerIds.contains("8150021") })
        let oslo = try #require(try Self.copies(ws, "oslo-kommune").first)
        #expect(oslo.head.msgId == "oslo-1")

        let answers = [
            ("bergen-kommune", Self.answer(fromHaraldsplass.head, id: "bk-1", from: "8150101")),
            ("bergen-kommune", Self.answer(fromBergen.head, id: "bk-2", from: "8150101")),
            ("oslo-kommune", Self.answer(oslo.head, id: "ok-1", from: "8150111", rejected: true)),
            // Oslo answering Bergen's copy: recorded, a security event, relayed to nobody.
            ("oslo-kommune", Self.answer(fromBergen.head, id: "ok-2", from: "8150111")),
        ]
        for (i, (inbox, bytes)) in answers.enumerated() { try ws.drop(bytes, as: "r\(i).xml", inbox: inbox) }
        #expect(try ws.run().status == 0)
        let toHaraldsplass = try ws.visible("outbound/haraldsplass").map { try ws.read("outbound/haraldsplass/\($0)") }
        #expect(toHaraldsplass == [answers[0].1], "the receiver's AppRec, byte for byte, to the right sender")
        let toBergen = Set(try ws.visible("outbound/helse-bergen").map { try ws.read("outbound/helse-bergen/\($0)") })
        #expect(toBergen == [answers[1].1, answers[2].1])
        #expect(ws.visible("outbound/bergen-kommune").count == 2 && ws.visible("outbound/oslo-kommune").count == 1,
                "an AppRec is never answered")
        #expect(try ws.auditRecords(event: "apprec-relayed").count == 3)
        #expect(try ws.auditRecords(event: "apprec-sent").isEmpty)
        let foreign = try #require(try ws.auditRecords().first { $0["msgId"] as? String == "ok-2" })
        #expect(foreign["security"] as? Bool == true)
    }

    @Test func theGatewayAnswersWhatItReceivesItself() throws {
        let ws = try Workspace()
        try ws.drop(try Self.sp2FromBergen(), as: "sp2.xml", inbox: "bergen-kommune")
        #expect(try ws.run().status == 0)
        let receipt = try #require(ws.visible("outbound/bergen-kommune").first)
        let appRec = try #require(AppRec(try SafeXMLParser.parse(try ws.read("outbound/bergen-kommune/\(receipt)")).root))
        #expect(appRec.status == .ok && appRec.originalMsgId.id == "bergen-sp2-1")
        #expect(appRec.sender.innermostHerId == "8150001")
    }

    /// A crash at each step of relaying, then a restart: the relayed AppRec exists exactly once.
    @Test(arguments: ["staged", "decided", "apprec-written", "archived"])
    func crashWhileRelayingIsFinishedOnRestart(step: String) throws {
        let ws = try Workspace()
        try ws.drop(SampleSet.all[0].bytes, as: "sp1.xml")
        #expect(try ws.run().status == 0)
        let copy = try #require(try Self.copies(ws, "bergen-kommune").first)
        let answer = Self.answer(copy.head, id: "bk-crash", from: "8150101")
        try ws.drop(answer, as: "kvittering.xml", inbox: "bergen-kommune")
        #expect(try ws.run(crashAt: step).status == 137)
        #expect(try ws.run().status == 0)
        let relayed = try ws.visible("outbound/helse-bergen").map { try ws.read("outbound/helse-bergen/\($0)") }
        #expect(relayed == [answer])
        #expect(ws.files("outbound/helse-bergen").allSatisfy { !$0.hasPrefix(".") }, "no partial file")
        #expect(try ws.auditRecords(event: "apprec-relayed").count == 1)
        let verify = try GatewayProcess.run(["audit", "verify"], environment: ["PATHWAY_GATEWAY_CONFIG": ""], cwd: ws.root)
        #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")
    }
}
