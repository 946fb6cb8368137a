import Foundation
@testable import PathwayGateway

/// A spool (in a `DaemonEndToEndTests.Workspace`, so the real binary finds it through the embedded
/// default config) whose audit log is written by the real `AuditLog`, with checkpoints in the
/// real state database. Records follow the daemon's event vocabulary.
final class AuditFixture {
    let ws: DaemonEndToEndTests.Workspace
    let spool: Spool
    let store: MessageStore
    let key: Pseudonymizer
    var directory: AuditDirectory { AuditDirectory(current: spool.auditLog) }
    var checkpoints: AuditCheckpoints { AuditCheckpoints(store: store) }

    init() throws {
        ws = try DaemonEndToEndTests.Workspace()
        spool = Spool(root: ws.root.appendingPathComponent("spool").path)
        for dir in ["audit", "state"] { try DurableFile.ensureDirectory("\(spool.root)/\(dir)") }
        store = try MessageStore(path: spool.database)
        key = try Pseudonymizer.loadOrCreate(keyAt: spool.pseudonymKey)
    }

    func open(_ policy: AuditLog.Policy = .init()) throws -> AuditLog {
        try AuditLog(path: spool.auditLog, pseudonymizer: key, checkpoints: checkpoints, policy: policy)
    }

    /// The records one accepted, routed message produces; `answered` adds the municipality's AppRec.
    static func story(_ msgId: String, patient: String, answered: Bool = false, at now: Date = Date()) -> [AuditLog.Entry] {
        let routed = "routed-\(msgId)"
        var facts = AuditFacts(msgId: msgId, msgType: "DIALOG_HELSEFAGLIG", sender: "8150011", receiver: "8150001",
                               kommune: "4601", patientIdent: patient)
        facts.pathwayEvent = "PFH-SP1"
        func with(_ change: (inout AuditFacts) -> Void) -> AuditFacts { var copy = facts; change(&copy); return copy }
        var entries = [
            AuditLog.Entry(event: "received", partner: "helse-bergen", file: "\(msgId).xml", outcome: "accepted",
                           sha256: String(repeating: "a", count: 64), facts: facts, now: now),
            AuditLog.Entry(event: "routed", partner: "bergen-kommune", file: "outbound/bergen-kommune/\(routed).xml", outcome: nil,
                           sha256: nil, facts: with { $0.msgId = routed; $0.refMsgId = msgId; $0.receiver = "8150101" }, now: now),
            AuditLog.Entry(event: "apprec-sent", partner: "helse-bergen", file: "outbound/helse-bergen/ar-\(msgId).apprec.xml",
                           outcome: "1", sha256: nil, facts: with { $0.msgId = "ar-\(msgId)"; $0.refMsgId = msgId; $0.msgType = "APPREC" }, now: now),
            AuditLog.Entry(event: "archived", partner: "helse-bergen", file: "archive/helse-bergen/\(msgId).xml", outcome: nil,
                           sha256: nil, facts: facts, now: now),
        ]
        if answered {
            entries.append(AuditLog.Entry(event: "received", partner: "bergen-kommune", file: "kvittering-\(msgId).xml",
                                          outcome: "apprec-received", sha256: nil,
                                          facts: with { $0 = AuditFacts(msgId: "kv-\(msgId)", msgType: "APPREC", sender: "8150101",
                                                                        receiver: "8150001"); $0.refMsgId = routed }, now: now))
        }
        return entries
    }

    /// Appends `count` records (whole stories of four, then single received records), `batch` at a time.
    func fill(_ log: AuditLog, records count: Int, batch: Int = 100, now: Date = Date()) throws {
        var entries: [AuditLog.Entry] = []
        var index = 0
        while entries.count < count {
            entries += Self.story("m-\(index)", patient: SampleSet.patients[index % 2], at: now)
            index += 1
        }
        for start in stride(from: 0, to: count, by: batch) { try log.append(Array(entries[start..<min(count, start + batch)])) }
    }

    // MARK: Files and tampering

    var files: [AuditDirectory.File] { directory.files() }

    func lines(_ path: String) throws -> [String] {
        String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self).split(separator: "\n").map(String.init)
    }

    func rewrite(_ path: String, _ lines: [String]) throws {
        try Data((lines.map { $0 + "\n" }.joined()).utf8).write(to: URL(fileURLWithPath: path))
    }

    func verify() throws -> AuditVerifier.Report { try AuditVerifier.verify(directory, checkpoints: checkpoints) }

    /// The real binary, in the workspace, on the embedded default config (spool ./spool).
    func cli(_ arguments: [String], input: String = "") throws -> GatewayProcess.Output {
        try GatewayProcess.run(arguments, environment: ["PATHWAY_GATEWAY_CONFIG": "", "NO_COLOR": "1"], cwd: ws.root, input: input)
    }
}
