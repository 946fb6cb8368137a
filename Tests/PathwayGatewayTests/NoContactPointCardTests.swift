import Foundation
import Testing
@testable import PathwayGateway

/// The report's E21 card ("Fant ikke kontaktpunkt") counts the pathway messages that found no
/// contact point for their kommune, not plain dialog rejected E21 for an unknown receiver: the
/// daemon records each decided message's pathway event (`messages.pathway_event`).
@Suite struct NoContactPointCardTests {
    @Test func onlyPathwayMessagesCountAsNoContactPoint() throws {
        let ws = try DaemonEndToEndTests.Workspace()
        func drop(_ id: String, event: String?, kommune: String) throws {
            var m = SampleMessageFactory.Message(
                msgId: id, sender: MessageValidatorTests.hospital, receiver: RouterTests.gateway,
                patient: .init(fnr: SampleSet.patients[0], kommune: kommune), pathwayEvent: event)
            m.noteDate = "2026-08-01"
            try ws.drop(Array(SampleMessageFactory.xml(m).utf8), as: "\(id).xml")
        }
        try drop("e21-sp1", event: "PFH-SP1", kommune: "3201")  // no contact point in 3201
        try drop("e21-dialog", event: nil, kommune: "4601")  // plain dialog to the gateway itself
        try drop("ok-sp1", event: "PFH-SP1", kommune: "4601")
        #expect(try ws.run().status == 0)
        let rejected = try ws.auditRecords().filter { ($0["errors"] as? [String])?.first?.hasPrefix("E21") == true }
        #expect(rejected.count == 2, "both are rejected E21")

        let output = try GatewayProcess.run(
            ["pathways", "report", "--format", "json"], environment: PathwaysEndToEndTests.env, cwd: ws.root)
        #expect(output.status == 0, "\(output.stderr)")
        let report = try JSONDecoder().decode(PathwayReport.self, from: Data(output.stdout.utf8))
        #expect(report.noContactPoint == 1, "the SP1 only")

        let store = try MessageStore(path: ws.root.appendingPathComponent("spool/state/gateway.sqlite").path)
        let events = try store.db.query("SELECT msg_id, pathway_event FROM messages ORDER BY msg_id") {
            "\(try $0.string(0))=\(try $0.optionalString(1) ?? "NULL")"
        }
        #expect(events == ["e21-dialog=", "e21-sp1=PFH-SP1", "ok-sp1=PFH-SP1"])
        // A message decided before migration 9 (event unknown) still counts, as it did.
        try store.db.execute("UPDATE messages SET pathway_event = NULL WHERE msg_id = 'e21-dialog'")
        #expect(
            try MonitoringQuery(store: store).rejections(code: "E21", before: Date(), events: ["PFH-SP1", "NPF-KOMMUNE"]) == 2)
    }
}
