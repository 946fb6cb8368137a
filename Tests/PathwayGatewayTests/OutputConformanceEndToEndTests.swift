import Foundation
import Testing
@testable import PathwayGateway

/// Issue 17 "Done means": every AppRec and message the gateway writes validates against the official
/// schemas in ../shared/conformance/xsd/ (MsgHead v1.2 with Dialogmelding 1.0/1.1, AppRec 1.0/1.1,
/// through `validate-all.xsd`). A conversation with several hospitals and municipalities runs
/// through the real daemon; then every `.xml` in every outbound directory is validated.
@Suite(.enabled(if: TestPaths.hasShared, TestPaths.sharedMissing))
struct OutputConformanceEndToEndTests {
    typealias Workspace = DaemonEndToEndTests.Workspace
    typealias Party = SampleMessageFactory.Party
    static let helseBergen = MessageValidatorTests.hospital
    static let haraldsplass = ConversationEndToEndTests.haraldsplass
    static let trondheimPoint = Party(name: "Trondheim kommune", herId: "8150120", unitName: "Kreftkoordinator", unitHerId: "8150121")
    static let osloService = Party(name: "Oslo kommune", herId: "8150110")

    static func message(_ msgId: String, from sender: Party, to receiver: Party = RouterTests.gateway,
                        kommune: String = "4601", event: String? = "PFH-SP1",
                        _ edit: (inout SampleMessageFactory.Message) -> Void = { _ in }) -> [UInt8] {
        MessageValidatorTests.message {
            $0.msgId = msgId; $0.sender = sender; $0.receiver = receiver; $0.patient?.kommune = kommune
            $0.pathwayEvent = event
            edit(&$0)
        }
    }

    /// The routed copy of `msgId` in `partner`'s outbound.
    static func copy(_ ws: Workspace, _ partner: String, _ msgId: String) throws -> MsgHead {
        let heads = try ws.visible("outbound/\(partner)").map {
            MsgHead(try SafeXMLParser.parse(try ws.read("outbound/\(partner)/\($0)")).root)
        }
        return try #require(heads.first { $0.msgId == msgId }, "no copy of \(msgId) in outbound/\(partner)")
    }

    /// Round 1: what the hospitals and a municipality send; every kind of answer the gateway writes.
    static func dropFirstRound(_ ws: Workspace) throws {
        let bergen = "helse-bergen"
        try ws.drop(message("hb-sp1-4601", from: helseBergen), as: "1.xml", inbox: bergen)
        try ws.drop(message("hb-sp1-0301", from: helseBergen, kommune: "0301"), as: "2.xml", inbox: bergen)
        // Addressed to a partner's HER-id, no pathway event: delivered to that partner as it is.
        try ws.drop(message("hb-note-trondheim", from: helseBergen, to: trondheimPoint, kommune: "5001", event: nil),
                    as: "3.xml", inbox: bergen)
        try ws.drop(message("hb-note-v10", from: helseBergen, to: osloService, kommune: "0301", event: nil) {
            $0.dialogVersion = .v1_0; $0.attachmentBytes = 400
        }, as: "4.xml", inbox: bergen)
        try ws.drop(message("hb-bad-fnr", from: helseBergen) { $0.patient?.fnr = "03851598731" }, as: "5.xml", inbox: bergen)
        try ws.drop(message("hb-no-target", from: helseBergen, kommune: "9999"), as: "6.xml", inbox: bergen)
        try ws.drop(Array("<MsgHead><MsgInfo><MsgId>hb-broken".utf8), as: "7.xml", inbox: bergen)
        try ws.drop(message("hp-sp1-4601", from: haraldsplass) { $0.attachmentBytes = 2_000 }, as: "1.xml",
                    inbox: "haraldsplass")
        try ws.drop(try ConversationEndToEndTests.sp2FromBergen(), as: "sp2.xml", inbox: "bergen-kommune")
    }

    /// Round 2: the receivers' AppRecs (OK and Avvist), resends and a reused MsgId.
    static func dropSecondRound(_ ws: Workspace) throws {
        let answer = ConversationEndToEndTests.answer
        let drops: [(String, [UInt8])] = [
            ("bergen-kommune", answer(try copy(ws, "bergen-kommune", "hb-sp1-4601"), "bk-1", "8150101", false)),
            ("bergen-kommune", answer(try copy(ws, "bergen-kommune", "hp-sp1-4601"), "bk-2", "8150101", true)),
            ("oslo-kommune", answer(try copy(ws, "oslo-kommune", "hb-sp1-0301"), "ok-1", "8150111", true)),
            ("oslo-kommune", try v10(answer(try copy(ws, "oslo-kommune", "hb-note-v10"), "ok-2", "8150110", false))),
            ("trondheim-kommune", answer(try copy(ws, "trondheim-kommune", "hb-note-trondheim"), "tk-1", "8150121", false)),
        ]
        for (i, (inbox, bytes)) in drops.enumerated() { try ws.drop(bytes, as: "a\(i).xml", inbox: inbox) }
        // A resend of a rejected message (the same AppRec again), of a delivered one (nothing new),
        // and the same MsgId with other content (E10).
        try ws.drop(message("hb-bad-fnr", from: helseBergen) { $0.patient?.fnr = "03851598731" }, as: "5b.xml")
        try ws.drop(message("hb-sp1-4601", from: helseBergen), as: "1b.xml")
        try ws.drop(message("hb-sp1-0301", from: helseBergen, kommune: "4601"), as: "2b.xml")
    }

    /// The same AppRec in version 1.0 (2004-11-21), as older receiving systems write it.
    static func v10(_ bytes: [UInt8]) throws -> [UInt8] {
        var appRec = try #require(AppRec(try SafeXMLParser.parse(bytes).root))
        appRec.version = .v1_0
        return AppRecEncoder.encode(appRec)
    }

    @Test func everyMessageAndAppRecWrittenValidatesAgainstTheOfficialSchemas() throws {
        let official = try #require(TestSchemas.official, "the official schemas in ../shared did not compile")
        let ws = try Workspace()
        try Self.dropFirstRound(ws)
        #expect(try ws.run().status == 0)
        try Self.dropSecondRound(ws)
        #expect(try ws.run().status == 0)

        var failures: [String] = []
        var roots: [String: Int] = [:]
        let partners = ws.files("outbound")
        for partner in partners {
            for name in ws.visible("outbound/\(partner)") where name.hasSuffix(".xml") {
                let relative = "outbound/\(partner)/\(name)"
                do {
                    let document = try SafeXMLParser.parse(try ws.read(relative))
                    roots["\(document.root.name) \(Self.namespace(of: document))", default: 0] += 1
                    let errors = official.validate(document)
                    if !errors.isEmpty { failures.append("\(relative): \(errors.map(\.description).joined(separator: " | "))") }
                } catch {
                    failures.append("\(relative): not readable: \(error)")
                }
            }
        }
        let count = roots.values.reduce(0, +)
        print("output conformance: \(count) files in \(partners.count) outbound directories: \(roots)")
        #expect(failures.isEmpty, "\(failures.count) of \(count) outputs fail the official schemas:\n\(failures.joined(separator: "\n"))")
        #expect(try ws.auditRecords(event: "routed").count == 5, "five copies delivered")
        #expect(try ws.auditRecords(event: "apprec-relayed").count == 5, "five receivers' AppRecs relayed")
        let outcomes = try ws.auditRecords().compactMap { $0["outcome"] as? String }
        #expect(outcomes.filter { $0 == "duplicate" }.count == 2 && outcomes.filter { $0 == "rejected" }.count == 4)
        // Both message kinds, both Dialogmelding versions and the gateway's own and relayed AppRecs.
        #expect(roots.keys.contains { $0.hasPrefix("MsgHead") && $0.hasSuffix(KITHNamespace.dialog10) })
        #expect(roots.keys.contains { $0.hasPrefix("MsgHead") && $0.hasSuffix(KITHNamespace.dialog11) })
        #expect(roots.keys.contains { $0 == "AppRec \(KITHNamespace.appRec10)" }, "a relayed AppRec 1.0")
        #expect(roots.keys.contains { $0 == "AppRec \(KITHNamespace.appRec11)" })
        #expect(count >= 15, "outputs: \(roots)")
    }

    /// The payload's namespace for a MsgHead (Dialogmelding 1.0 or 1.1), the root's otherwise.
    private static func namespace(of document: XMLDocumentHandle) -> String {
        guard document.root.name == "MsgHead" else { return document.root.namespaceURI ?? "" }
        return MsgHead(document.root).payload?.contentNamespace ?? ""
    }
}
