import Foundation
import Testing
@testable import PathwayGateway

/// Showing identities (`pathways due --show-identities`, written to `state/identity-access.log`
/// beside the daemon) reaches the hash-chained audit log through the daemon: one
/// `identities-shown` record per patient shown, pseudonyms only, exactly once however often the
/// daemon runs and even when it dies between appending the records and noting how far it got.
@Suite struct IdentityAccessAuditTests {
    private func showIdentities(_ ws: DaemonEndToEndTests.Workspace) throws -> GatewayProcess.Output {
        try GatewayProcess.run(
            ["pathways", "due", "--format", "json", "--as-of", "2027-01-05", "--show-identities"],
            environment: PathwaysEndToEndTests.env, cwd: ws.root)
    }

    private func shown(_ ws: DaemonEndToEndTests.Workspace) throws -> [[String: Any]] {
        try ws.auditRecords(event: IdentityAccessFolding.event)
    }

    @Test func showingsAreFoldedIntoTheAuditChainExactlyOnce() throws {
        let ws = try DaemonEndToEndTests.Workspace()
        for (id, fnr, day) in [("ia-1", PathwaysEndToEndTests.patientA, "2026-08-01"), ("ia-2", PathwaysEndToEndTests.patientB, "2026-08-03")] {
            try ws.drop(PathwaysEndToEndTests.message(id, event: "PFH-SP1", fnr: fnr, kommune: "4601", noteDate: day), as: "\(id).xml")
        }
        #expect(try ws.run().status == 0)
        #expect(try shown(ws).isEmpty)

        let first = try showIdentities(ws)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains(PathwaysEndToEndTests.patientB), "the worklist showed the number")
        #expect(try ws.run().status == 0)
        let records = try shown(ws)
        #expect(records.count == 2, "one record per patient shown: \(records)")
        let pseudonyms = Set(records.compactMap { $0["patient"] as? String })
        #expect(pseudonyms.count == 2 && pseudonyms.allSatisfy { $0.hasPrefix("p-") && $0.count == 34 })
        #expect(records.allSatisfy { $0["kommune"] is NSNull && ($0["file"] as? String) == "state/identity-access.log:0" })
        #expect(records.allSatisfy { ($0["sender"] as? String)?.contains("pathways due") == true })
        let log = String(decoding: try ws.read("audit/audit.jsonl"), as: UTF8.self)
        for number in [PathwaysEndToEndTests.patientA, PathwaysEndToEndTests.patientB] { #expect(!log.contains(number)) }

        #expect(try ws.run().status == 0)
        #expect(try shown(ws).count == 2, "a second run folds nothing again")

        // Killed after appending, before noting the offset: the next run finds the records.
        #expect(try showIdentities(ws).status == 0)
        #expect(try ws.run(crashAt: "identity-access-appended").status == 137)
        #expect(try shown(ws).count == 4)
        #expect(try ws.run().status == 0)
        #expect(try ws.run().status == 0)
        let after = try shown(ws)
        #expect(after.count == 4, "each showing exactly once")
        #expect(Set(after.compactMap { $0["file"] as? String }).count == 2)

        // The operator moves the log away: the next showing starts a new file at offset 0 again.
        try FileManager.default.moveItem(
            at: ws.root.appendingPathComponent("spool/state/identity-access.log"),
            to: ws.root.appendingPathComponent("spool/state/identity-access.log.1"))
        #expect(try showIdentities(ws).status == 0)
        #expect(try ws.run().status == 0)
        let renewed = try shown(ws)
        #expect(renewed.count == 6, "the new file's first line is folded though its offset is 0 again")
        #expect(renewed.suffix(2).allSatisfy { ($0["file"] as? String) == "state/identity-access.log:0" })

        let verify = try GatewayProcess.run(["audit", "verify"], environment: PathwaysEndToEndTests.env, cwd: ws.root)
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
    }

    /// `state rebuild` takes the folded position from the audit log's last showing, so the rebuilt
    /// state folds only later lines (the tail search alone covers just the log's last 8 MB).
    @Test func aRebuiltStateKnowsWhatWasFolded() throws {
        let ws = try DaemonEndToEndTests.Workspace()
        try ws.drop(
            PathwaysEndToEndTests.message(
                "ia-r", event: "PFH-SP1", fnr: PathwaysEndToEndTests.patientA, kommune: "4601", noteDate: "2026-08-01"),
            as: "ia-r.xml")
        #expect(try ws.run().status == 0)
        #expect(try showIdentities(ws).status == 0)
        #expect(try showIdentities(ws).status == 0)
        #expect(try ws.run().status == 0)
        #expect(try shown(ws).count == 2)
        let state = ws.root.appendingPathComponent("spool/state").path
        for name in try FileManager.default.contentsOfDirectory(atPath: state) where name.hasPrefix("gateway.sqlite") {
            try FileManager.default.removeItem(atPath: "\(state)/\(name)")
        }
        let rebuilt = try GatewayProcess.run(["state", "rebuild"], environment: PathwaysEndToEndTests.env, cwd: ws.root)
        #expect(rebuilt.status == 0, "\(rebuilt.stdout)\(rebuilt.stderr)")
        let log = try FileManager.default.attributesOfItem(atPath: "\(state)/identity-access.log")
        let fact = try MessageStore(path: "\(state)/gateway.sqlite").db.query(
            "SELECT value FROM state_facts WHERE name = ?", [IdentityAccessFolding.fact]) { try $0.string(0) }
        #expect(fact == ["\((log[.size] as? NSNumber)?.intValue ?? -1) \((log[.systemFileNumber] as? NSNumber)?.uint64Value ?? 0)"])
        #expect(try ws.run().status == 0)
        #expect(try shown(ws).count == 2, "nothing folded twice")
    }

    /// A link at the log's name: no identity is shown (the showing could not be recorded where the
    /// daemon folds it), and the daemon says the log cannot be folded instead of passing over it.
    @Test func aLinkAtTheLogsNameShowsNoIdentity() throws {
        let ws = try DaemonEndToEndTests.Workspace()
        try ws.drop(
            PathwaysEndToEndTests.message(
                "ia-l", event: "PFH-SP1", fnr: PathwaysEndToEndTests.patientA, kommune: "4601", noteDate: "2026-08-01"),
            as: "ia-l.xml")
        #expect(try ws.run().status == 0)
        let elsewhere = ws.root.appendingPathComponent("elsewhere.log")
        try Data().write(to: elsewhere)
        try FileManager.default.createSymbolicLink(
            atPath: ws.root.appendingPathComponent("spool/state/identity-access.log").path,
            withDestinationPath: elsewhere.path)
        let refused = try showIdentities(ws)
        #expect(refused.status != 0)
        #expect(!refused.stdout.contains(PathwaysEndToEndTests.patientA), "no identity without its record")
        #expect(try Data(contentsOf: elsewhere).isEmpty, "nothing written through the link")
        let run = try ws.run()
        #expect(run.status == 0)
        #expect(run.stderr.contains("is not a regular file"), "\(run.stderr)")
    }

    @Test func aLineThatIsNotAShowingIsKeptWithoutWhatItSays() {
        let entries = IdentityAccessFolding.entries(
            line: Array("{\"patients\":[\"03851598730\",\"p-0123456789abcdef0123456789abcdef\"]}".utf8)[...],
            offset: 7, now: Date())
        #expect(entries.map(\.facts.patientPseudonym) == ["p-0123456789abcdef0123456789abcdef"], "a number is dropped")
        let broken = IdentityAccessFolding.entries(line: Array("not json 03851598730".utf8)[...], offset: 9, now: Date())
        #expect(broken.count == 1 && broken[0].file == "state/identity-access.log:9" && broken[0].facts.patientPseudonym == nil)
        #expect(!"\(broken[0].facts)".contains("03851598730"))
    }
}
