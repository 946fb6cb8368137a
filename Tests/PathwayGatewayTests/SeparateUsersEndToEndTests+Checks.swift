import Foundation
import Testing

extension SeparateUsersEndToEndTests {
    /// The table of docs/operations.md "Deployment with separate users", as root sees it;
    /// `outboxes`: files expected in each partner's outbox (0640, the partner's group).
    func expectSharedLayout(_ site: Site, outboxes: [String: [String]]) throws {
        let gatewayUID = try #require(UnixUsers.uid(gateway))
        let groups = [Site.hospital: try #require(UnixUsers.gid(hospital)), Site.municipality: try #require(UnixUsers.gid(municipality))]
        var rows: [(path: String, gid: gid_t?, mode: mode_t)] = [("", nil, 0o711), ("inbound", nil, 0o711), ("outbound", nil, 0o711)]
        for dir in ["state", "audit", "archive", "quarantine", "state/processing", "state/staging"] { rows.append((dir, nil, 0o700)) }
        rows += [("state/pseudonym.key", nil, 0o600), ("state/gateway.sqlite", nil, 0o600), ("audit/audit.jsonl", nil, 0o600)]
        for (partner, group) in groups {
            rows += [("inbound/\(partner)", group, 0o2770), ("outbound/\(partner)", group, 0o2770),
                     ("archive/\(partner)", nil, 0o700), ("quarantine/\(partner)", nil, 0o700)]
            rows += (outboxes[partner] ?? []).map { ("outbound/\(partner)/\($0)", group, 0o640) }
        }
        for row in rows {
            let found = site.owner(row.path)
            #expect(found?.uid == gatewayUID, "\(row.path): owner \(found.map { String($0.uid) } ?? "missing")")
            #expect(found?.mode == row.mode, "\(row.path): mode \(String(found?.mode ?? 0, radix: 8)), expected \(String(row.mode, radix: 8))")
            if let gid = row.gid { #expect(found?.gid == gid, "\(row.path): group \(found.map { String($0.gid) } ?? "missing")") }
        }
    }

    /// What `user` (partner `own`) may and may not do, by its own attempts: reach its own inbox and
    /// outbox through parents it can traverse but not list; list, read or create nothing else.
    func expectConfined(_ site: Site, user: String, own: String, other: String, otherFile: String) throws {
        func attempt(_ script: String) throws -> UnixUsers.Result { try UnixUsers.shell(as: user, script, cwd: site.root) }
        #expect(try attempt("ls spool/inbound/\(own) spool/outbound/\(own)").status == 0, "\(user) lists its own directories")
        #expect(try attempt("cd spool && cd inbound && cd \(own) && cd ../../outbound/\(own)").status == 0, "\(user) traverses the parents")
        let hidden = ["spool", "spool/inbound", "spool/outbound", "spool/inbound/\(other)", "spool/outbound/\(other)", "spool/archive",
                      "spool/archive/\(Site.hospital)", "spool/quarantine", "spool/quarantine/\(Site.hospital)", "spool/state",
                      "spool/state/processing", "spool/audit"]
        for dir in hidden {
            let result = try attempt("ls \(dir)")
            #expect(result.denied, "\(user) must not list \(dir): \(result)")
        }
        let archived = try #require(site.list("archive/\(Site.hospital)").first)
        let quarantined = try #require(site.list("quarantine/\(Site.hospital)").first)
        let secret = ["spool/state/gateway.sqlite", "spool/state/pseudonym.key", "spool/audit/audit.jsonl",
                      "spool/archive/\(Site.hospital)/\(archived)", "spool/quarantine/\(Site.hospital)/\(quarantined)",
                      "spool/outbound/\(other)/\(otherFile)"]
        for file in secret {
            let result = try attempt("cat \(file)")
            #expect(result.denied, "\(user) must not read \(file): \(result)")
        }
        for target in ["spool/inbound/\(other)/x.xml", "spool/outbound/\(other)/x.xml", "spool/inbound/x.xml", "spool/x.xml", "spool/state/x"] {
            let result = try attempt(": > \(target)")
            #expect(result.denied, "\(user) must not create \(target): \(result)")
        }
    }
}
