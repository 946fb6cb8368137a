import Foundation
import Testing
@testable import PathwayGateway

/// SP1 and SP2 messages through the real daemon binary (`run --once`), then `pathways due` and
/// `pathways report` through the same binary on the state database it left.
@Suite struct PathwaysEndToEndTests {
    static let env = ["PATHWAY_GATEWAY_CONFIG": ""]
    static let alesund = SampleMessageFactory.Party(name: "Ålesund kommune", herId: "8150140",
                                                    unitName: "Kreftkoordinator", unitHerId: "8150141")
    static let (patientA, patientB) = (SampleSet.patients[0], SampleSet.patients[1])

    static func message(_ id: String, event: String, fnr: String, kommune: String, noteDate: String, text: String? = nil,
                        sender: SampleMessageFactory.Party = MessageValidatorTests.hospital) -> [UInt8] {
        var m = SampleMessageFactory.Message(msgId: id, sender: sender, receiver: RouterTests.gateway,
                                             patient: .init(fnr: fnr, kommune: kommune), pathwayEvent: event)
        m.noteDate = noteDate
        if let text { m.text = text }
        return Array(SampleMessageFactory.xml(m).utf8)
    }

    private func pathways(_ ws: DaemonEndToEndTests.Workspace, _ arguments: [String]) throws -> GatewayProcess.Output {
        try GatewayProcess.run(["pathways"] + arguments, environment: Self.env, cwd: ws.root)
    }

    private func json(_ output: GatewayProcess.Output) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any], "\(output.stdout)")
    }

    /// Patient A (kommune 1507, diagnosis date stated) gets SP1 then SP2 from Ålesund; patient B
    /// (Bergen, no diagnosis date) only SP1, and is overdue by 2027-01-05.
    @Test func sp1ThenSp2ShowUpInDueAndReport() throws {
        let ws = try DaemonEndToEndTests.Workspace()
        let missing = try pathways(ws, ["due"])
        #expect(missing.status == 2 && missing.stderr.contains("no state database"), "\(missing.stderr)")

        try ws.drop(Self.message("e2e-sp1-a", event: "PFH-SP1", fnr: Self.patientA, kommune: "1507", noteDate: "2026-09-10",
                                 text: "Behovskartlegging gjennomført.\nDiagnosedato: 2026-09-01"), as: "a-sp1.xml")
        try ws.drop(Self.message("e2e-sp1-b", event: "PFH-SP1", fnr: Self.patientB, kommune: "4601", noteDate: "2026-08-01"), as: "b-sp1.xml")
        #expect(try ws.run().status == 0)
        #expect(ws.files("outbound/alesund-kommune").count == 1, "1507 is routed to Ålesund (1508)")
        try ws.drop(Self.message("e2e-sp2-a", event: "PFH-SP2", fnr: Self.patientA, kommune: "1508", noteDate: "2026-12-15",
                                 sender: Self.alesund), as: "a-sp2.xml", inbox: "alesund-kommune")
        let second = try ws.run()
        #expect(second.status == 0, "\(second.stderr)")
        #expect(try ws.auditRecords().filter { $0["outcome"] as? String == "accepted" }.count == 3)

        let due = try pathways(ws, ["due", "--format", "json", "--as-of", "2027-01-05"])
        #expect(due.status == 0, "\(due.stderr)")
        let items = try #require(try json(due)["items"] as? [[String: Any]])
        #expect(items.count == 1)
        let item = try #require(items.first)
        #expect(item["kommune"] as? String == "4601" && item["event"] as? String == "PFH-SP2" && item["state"] as? String == "overdue")
        #expect(item["windowOpens"] as? String == "2026-11-01" && item["windowCloses"] as? String == "2026-12-01")
        #expect(item["days"] as? Int == 35 && item["anchorSource"] as? String == "startEvent")
        #expect((item["patient"] as? String)?.hasPrefix("p-") == true)
        #expect(item["start"] == nil && item["identity"] == nil)
        for number in [Self.patientA, Self.patientB] { #expect(!due.stdout.contains(number)) }

        let identities = try pathways(ws, ["due", "--format", "json", "--as-of", "2027-01-05", "--show-identities"])
        let identity = try #require((try json(identities)["items"] as? [[String: Any]])?.first?["identity"] as? [String: Any])
        #expect(identity["fodselsnummer"] as? String == Self.patientB)
        #expect(identity["msgId"] as? String == "e2e-sp1-b" && identity["partner"] as? String == "helse-bergen")
        #expect((identity["archivedFile"] as? String)?.hasPrefix("archive/helse-bergen/") == true)

        let access = try String(decoding: ws.read("state/identity-access.log"), as: UTF8.self)
        #expect(access.contains("\"event\":\"identities-shown\"") && access.contains("\"patients\":[\"p-"), "\(access)")
        #expect(!access.contains(Self.patientB), "the access record names pseudonyms only")

        let text = try pathways(ws, ["due", "--as-of", "2027-01-05"])
        #expect(text.stdout.contains("Bergen kommune (4601): 1 forfalt, 0 med åpent vindu"), "\(text.stdout)")
        #expect(text.stdout.contains("FORFALT      SP2  vindu 1.11.2026–1.12.2026, 35 dager over fristen"), "\(text.stdout)")
        #expect(text.stdout.contains("fra 1.8.2026 (SP1-dato, anslått)"))
        let bergen = try pathways(ws, ["due", "--kommune", "4601", "--format", "csv", "--as-of", "2027-01-05"])
        let rows = bergen.stdout.split(separator: "\r\n")
        #expect(rows.count == 2 && rows[0].hasPrefix("kommune,kommunenavn,forlop,punkt,status") && rows[1].hasPrefix("4601,"), "\(bergen.stdout)")
        let alesund = try pathways(ws, ["due", "--kommune", "1507", "--format", "html", "--as-of", "2027-01-05"])
        #expect(alesund.status == 0 && alesund.stdout.contains("<html lang=\"nb\">"))
        #expect(alesund.stdout.contains("Ingen pasienter med åpent eller passert vindu."), "patient A has done SP2; retired 1507 reads as 1508")

        let reportOutput = try pathways(ws, ["report", "--format", "json", "--as-of", "2027-01-05"])
        #expect(reportOutput.status == 0, "\(reportOutput.stderr)")
        let report = try JSONDecoder().decode(PathwayReport.self, from: Data(reportOutput.stdout.utf8))
        let pfh = try #require(report.pathways.first { $0.id == "pakkeforlop-hjem" })
        #expect(pfh.total.started == 2)
        #expect(pfh.byKommune.map(\.key) == ["1508", "4601"])
        let sp2 = try #require(pfh.total.events.first { $0.event == "PFH-SP2" })
        #expect(sp2.count(.onTime) == 1 && sp2.count(.overdue) == 1 && sp2.shareOnTime == 0.5)
        #expect(pfh.total.intervals.first { $0.from == "diagnosis" }?.medianDays == 9)
        #expect(pfh.byHospital.map(\.key) == ["helse-bergen"])
        #expect(report.deliveryTotal.routed == 2 && report.deliveryTotal.pending == 2)
        #expect(Set(report.delivery.map(\.key)) == ["alesund-kommune", "bergen-kommune"])
        #expect(report.deliveryByReceiver.map(\.key) == ["alesund-kommune/8150141", "bergen-kommune/8150101"])
        #expect(report.deliveryByReceiver.map(\.name) == ["Ålesund kommune, kreftkoordinator", "Bergen kommune, kreftkoordinator"])
        #expect(report.deliveryByReceiver.allSatisfy { $0.pending == 1 && $0.oldestPendingHours != nil })

        let out = ws.root.appendingPathComponent("rapport.html")
        let html = try pathways(ws, ["report", "--out", out.path, "--as-of", "2027-01-05"])
        #expect(html.status == 0 && html.stdout.isEmpty)
        let page = String(decoding: try Data(contentsOf: out), as: UTF8.self)
        #expect(page.contains("Ålesund kommune") && !page.contains(Self.patientA))
        #expect(try pathways(ws, ["report", "--out", out.path]).status == 0, "an existing report is replaced")
    }

    /// A crash right after the decision is recorded: on restart the message is finished from its
    /// recorded intent, and its timeline event exists exactly once (it committed with the
    /// decision). A resent copy (duplicate) adds nothing.
    @Test func crashAfterDecisionAndDuplicatesLeaveOneTimelineEvent() throws {
        let ws = try DaemonEndToEndTests.Workspace()
        let sp1 = Self.message("e2e-crash-1", event: "PFH-SP1", fnr: Self.patientA, kommune: "4601", noteDate: "2026-08-01")
        try ws.drop(sp1, as: "sp1.xml")
        #expect(try ws.run(crashAt: "decided").status == 137)
        #expect(try ws.run().status == 0)
        try ws.drop(sp1, as: "again.xml")
        #expect(try ws.run().status == 0)
        #expect(try ws.auditRecords().last?["outcome"] as? String == "duplicate")
        let report = try JSONDecoder().decode(PathwayReport.self, from: Data(try pathways(ws, ["report", "--format", "json"]).stdout.utf8))
        let pfh = try #require(report.pathways.first { $0.id == "pakkeforlop-hjem" })
        #expect(pfh.total.started == 1 && pfh.total.flagged == 0, "one SP1, not repeated")
        let store = try MessageStore(path: ws.root.appendingPathComponent("spool/state/gateway.sqlite").path)
        #expect(try PathwayTimelines(store: store).observations().count == 1)
    }

    @Test func usageErrorsExitTwo() throws {
        let ws = try DaemonEndToEndTests.Workspace()
        for arguments in [[], ["nonsense"], ["due", "--format", "xml"], ["report", "--format", "pdf"], ["due", "--as-of", "1.1.2027"],
                          ["due", "--bogus"], ["due", "--kommune", "Bergen"], ["due", "--format", "pdf"]] {
            #expect(try pathways(ws, arguments).status == 2, "\(arguments)")
        }
        let help = try pathways(ws, ["--help"])
        #expect(help.status == 0 && help.stdout.contains("pathways report"))
    }
}
