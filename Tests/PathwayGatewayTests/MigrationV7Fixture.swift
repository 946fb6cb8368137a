import Foundation
import Testing
@testable import PathwayGateway

/// `Tests/Fixtures/spool-v7-e86d0d3.tar.gz` (see its README): a spool the gateway of e86d0d3 wrote
/// (schema v7), unpacked into a fresh workspace. Its copies carry a gateway MsgId and the gateway as
/// Sender; the audit log's `routed` records map them to the hospitals' MsgIds.
struct MigrationV7Fixture {
    typealias Workspace = DaemonEndToEndTests.Workspace
    static let archive = TestPaths.packageRoot.appendingPathComponent("Tests/Fixtures/spool-v7-e86d0d3.tar.gz")
    static let gatewayHerId = "8150001"

    /// One routed copy of the old version, as its receiver has it.
    struct OldCopy {
        var originalMsgId: String
        var file: String
        var head: MsgHead
    }

    /// The records of one event in every audit file, rotated ones included (the daemon rotates
    /// the fixture's log at its first start on a later day than the fixture was made).
    func allAuditRecords(event: String) throws -> [[String: Any]] {
        var records: [[String: Any]] = []
        for name in ws.files("audit") where name.hasSuffix(".jsonl") {
            for line in String(decoding: try ws.read("audit/\(name)"), as: UTF8.self).split(separator: "\n") {
                if let record = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                    record["event"] as? String == event
                {
                    records.append(record)
                }
            }
        }
        return records
    }

    let ws: Workspace
    /// The copies still in the municipalities' outbound, by the hospital's MsgId.
    let copies: [String: OldCopy]

    init() throws {
        ws = try Workspace()
        let untar = try GatewayProcess.run(["-xzf", Self.archive.path, "-C", ws.root.path], binary: "/usr/bin/tar")
        try #require(untar.status == 0, "tar: \(untar.stderr)")
        var copies: [String: OldCopy] = [:]
        for record in try ws.auditRecords(event: "routed") {
            guard let original = record["refMsgId"] as? String, let file = record["file"] as? String,
                FileManager.default.fileExists(atPath: ws.root.appendingPathComponent("spool/\(file)").path)
            else { continue }
            let head = MsgHead(try SafeXMLParser.parse(try ws.read(file)).root)
            copies[original] = OldCopy(originalMsgId: original, file: file, head: head)
        }
        self.copies = copies
    }

    func copy(_ originalMsgId: String) throws -> OldCopy { try #require(copies[originalMsgId]) }

    /// The state database's schema version (SQLite `user_version`).
    func schemaVersion() throws -> Int {
        try SQLiteDatabase(path: ws.root.appendingPathComponent("spool/state/gateway.sqlite").path).userVersion()
    }

    /// `pathway-gateway ARGS` on the fixture's config (./pathway-gateway.json in the workspace).
    func gateway(_ arguments: [String]) throws -> GatewayProcess.Output {
        try GatewayProcess.run(arguments, environment: ["PATHWAY_GATEWAY_CONFIG": ""], cwd: ws.root)
    }

    /// Files in `outbound/<partner>` that were not there in `before`.
    func newFiles(_ partner: String, since before: [String]) -> [String] {
        ws.visible("outbound/\(partner)").filter { !before.contains($0) }
    }

    /// A decoded AppRec, checked against the official schemas when ../shared is present.
    func appRec(_ relative: String) throws -> AppRec {
        let document = try SafeXMLParser.parse(try ws.read(relative))
        if let official = TestSchemas.official {
            let errors = official.validate(document)
            #expect(errors.isEmpty, "\(relative) against the official AppRec XSD: \(errors)")
        }
        return try #require(AppRec(document.root), "\(relative) is not an AppRec")
    }
}
