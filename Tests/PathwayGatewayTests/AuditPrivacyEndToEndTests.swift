import Foundation
import Testing
@testable import PathwayGateway

/// No personal data outside the places that must carry it: a daemon scenario (accepted and
/// routed, rejected twice, duplicate, the municipality's AppRec) through the real binary, then
/// EVERY file under the spool and everything the processes printed is searched for the synthetic
/// identity numbers and names. Only outbound/ (routed messages, AppRecs) and the originals in
/// archive/ and quarantine/ may hold them.
@Suite struct AuditPrivacyEndToEndTests {
    static let family = "Kvalheimsen"
    static let given = "Ingeborgina"
    /// Accepted, rejected for its check digits (E31), schema-invalid (T02).
    static let numbers = ["03851598730", "03851598731", "30908299902"]
    static var identities: [String] { numbers + [family, given] }

    private func message(_ id: String, fnr: String, _ edit: (inout SampleMessageFactory.Message) -> Void = { _ in }) -> [UInt8] {
        var m = SampleMessageFactory.Message(
            msgId: id, sender: SampleSet.hospital, receiver: SampleSet.gateway,
            patient: .init(fnr: fnr, familyName: Self.family, givenName: Self.given, kommune: "4601"), pathwayEvent: "PFH-SP1")
        m.noteDate = "2026-11-20"
        edit(&m)
        return Array(SampleMessageFactory.xml(m).utf8)
    }

    /// The identities found in `bytes`.
    private func leaks(in bytes: [UInt8]) -> [String] {
        Self.identities.filter { AuditReader.contains(bytes[...], Array($0.utf8)) }
    }

    @Test func identitiesStayInOutboundAndOriginals() throws {
        let ws = try DaemonEndToEndTests.Workspace()
        var printed: [String] = []
        func run() throws {
            let result = try ws.run()
            #expect(result.status == 0, "\(result.stderr)")
            printed += [result.stdout, result.stderr]
        }
        let sp1 = message("privacy-sp1", fnr: Self.numbers[0])
        try ws.drop(sp1, as: "sp1.xml")
        try ws.drop(message("privacy-e31", fnr: Self.numbers[1]), as: "e31.xml")
        try ws.drop(message("privacy-t02", fnr: Self.numbers[2]) { $0.genDate = "i går" }, as: "t02.xml")
        try run()
        try ws.drop(sp1, as: "sp1-again.xml")
        try run()
        let routedName = try #require(ws.visible("outbound/bergen-kommune").first)
        let routed = MsgHead(try SafeXMLParser.parse(try ws.read("outbound/bergen-kommune/\(routedName)")).root)
        let answer = AppRec(version: .v1_1, genDate: "2026-11-23T12:00:00", id: "privacy-kvittering",
                            sender: .init(institution: .init(name: "Bergen kommune", herId: "8150100"),
                                          department: .init(name: "Kreftkoordinator", herId: "8150101")),
                            receiver: .init(institution: .init(name: "Forløpsgateway Helse Vest", herId: "8150001")),
                            status: .ok, errors: [], originalMsgId: .init(msgType: routed.type, issueDate: routed.genDate, id: routed.msgId))
        try ws.drop(AppRecEncoder.encode(answer), as: "kvittering.xml", inbox: "bergen-kommune")
        try run()
        let outcomes = try ws.auditRecords().compactMap { $0["outcome"] as? String }
        #expect(outcomes.contains("accepted") && outcomes.contains("rejected") && outcomes.contains("duplicate")
                && outcomes.contains("apprec-received"), "the scenario must cover every flow: \(outcomes)")
        // The audit commands print nothing personal either (find prints the pseudonym, not the FNR).
        for arguments in [["audit", "verify"], ["audit", "tail", "-n", "50"], ["audit", "show", "privacy-sp1"],
                          ["audit", "find"]] {
            let result = try GatewayProcess.run(arguments, environment: ["PATHWAY_GATEWAY_CONFIG": ""], cwd: ws.root,
                                                input: arguments == ["audit", "find"] ? Self.numbers[0] + "\n" : "")
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            printed += [result.stdout, result.stderr]
        }

        let spool = ws.root.appendingPathComponent("spool")
        var allowedHits = 0
        var databaseLeaks: [String: [String]] = [:]
        let walker = try #require(FileManager.default.enumerator(atPath: spool.path))
        var checked = 0
        for case let relative as String in walker {
            var isDirectory: ObjCBool = false
            let path = spool.appendingPathComponent(relative).path
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            checked += 1
            let found = leaks(in: Array(try Data(contentsOf: URL(fileURLWithPath: path))))
            let original = (relative.hasPrefix("archive/") || relative.hasPrefix("quarantine/")) && !relative.hasSuffix(".reason.txt")
            if relative.hasPrefix("outbound/") || original {
                allowedHits += found.isEmpty ? 0 : 1
            } else if relative.hasPrefix("state/gateway.sqlite") {
                if !found.isEmpty { databaseLeaks[relative] = found }
            } else {
                #expect(found.isEmpty, "\(relative) holds \(found)")
            }
        }
        #expect(checked >= 15, "the walk must see the whole spool")
        #expect(allowedHits >= 5, "the search must find the identities where they belong (routed copy, originals)")
        for text in printed { #expect(leaks(in: Array(text.utf8)).isEmpty, "printed: \(text.prefix(300))") }

        // The state database names staged output files instead of holding their bytes: no table
        // holds the patient's identity.
        let tables = try tablesHolding(Self.identities, database: spool.appendingPathComponent("state/gateway.sqlite").path)
        #expect(databaseLeaks.isEmpty, "\(databaseLeaks)")
        #expect(tables.isEmpty)
        #expect(!tables.contains { $0.hasPrefix("apprecs.") }, "AppRecs must not carry the patient: \(tables)")
        #expect(!tables.contains { $0.hasPrefix("messages.") || $0.hasPrefix("audit_checkpoints.") }, "\(tables)")
    }

    /// `table.column` of every column holding one of `values` (as text or inside a blob).
    private func tablesHolding(_ values: [String], database path: String) throws -> [String] {
        let db = try SQLiteDatabase(path: path)
        let tables = try db.query("SELECT name FROM sqlite_master WHERE type = 'table'") { try $0.string(0) }
        var hits: [String] = []
        for table in tables {
            let columns = try db.query("SELECT name FROM pragma_table_info(?)", [table]) { try $0.string(0) }
            for column in columns {
                for value in values {
                    let count = try db.query("SELECT count(*) FROM \"\(table)\" WHERE instr(CAST(\"\(column)\" AS BLOB), CAST(? AS BLOB)) > 0",
                                             [value]) { try $0.int(0) }
                    if count.first ?? 0 > 0 { hits.append("\(table).\(column)") }
                }
            }
        }
        return Array(Set(hits)).sorted()
    }
}
