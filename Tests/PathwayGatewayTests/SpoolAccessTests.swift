import Foundation
import Testing
@testable import PathwayGateway

/// `partners[].group` in the config, its resolution against the gateway's credentials, where
/// outputs get a group, and that the single-user layout is left exactly as it was (spec §8).
/// The layout with real users is `SeparateUsersEndToEndTests`.
@Suite struct SpoolAccessTests {
    private func parse(group: String) throws(ConfigError) -> GatewayConfig {
        let text = """
            { "spool": "s", "gateway": { "herId": "1", "name": "G" }, "contactPoints": [],
              "partners": [ { "id": "a", "name": "A", "herIds": ["2"], "group": \(group) } ] }
            """
        return try GatewayConfig.parse(Data(text.utf8), file: "t.json", baseDirectory: "/base")
    }

    private func problems(group: String) -> [String] {
        do {
            _ = try parse(group: group)
            return []
        } catch {
            guard case let .invalid(_, problems) = error else { return ["\(error)"] }
            return problems.map(\.description)
        }
    }

    @Test func groupIsANameOrANumber() throws {
        #expect(try parse(group: "\"root\"").partners[0].group == .name("root"))
        #expect(try parse(group: "\"20001\"").partners[0].group == .id(20001))
        #expect(try parse(group: "20001").partners[0].group == .id(20001))
        #expect(try GatewayConfig.parse(Data(ConfigTests.minimal.utf8), file: "t", baseDirectory: "/").partners.allSatisfy { $0.group == nil })
    }

    @Test func badOrUnknownGroupsAreConfigProblems() {
        #expect(problems(group: "\"pgw-no-such-group-here\"")
            == ["$.partners[0].group: unknown group \"pgw-no-such-group-here\" (no such group on this host; create it or give its number)"])
        #expect(problems(group: "\"a:b\"") == ["$.partners[0].group: group must be a Unix group name or number, found \"a:b\""])
        #expect(problems(group: "\"\"") == ["$.partners[0].group: group must be a Unix group name or number, found \"\""])
        #expect(problems(group: "-1").first?.hasPrefix("$.partners[0].group: a group number must be a whole number") == true)
        #expect(problems(group: "true") == ["$.partners[0].group: expected a string, found a boolean"])
    }

    @Test func theGatewayMustBeInEveryGroupUnlessRoot() throws {
        let partners = [Partner(id: "a", name: "A", herIds: ["2"], group: .id(501)),
                        Partner(id: "b", name: "B", herIds: ["3"], group: .id(502)), Partner(id: "c", name: "C", herIds: ["4"])]
        let member = SpoolAccess.Credentials(uid: 1000, gid: 501, supplementary: [502])
        #expect(try SpoolAccess.resolve(partners, credentials: member).groups == ["a": 501, "b": 502])
        let outsider = SpoolAccess.Credentials(uid: 1000, gid: 1000, supplementary: [501])
        #expect(throws: SpoolAccess.Failure.notAMember(partner: "b", group: "502", gid: 502, uid: 1000)) {
            try SpoolAccess.resolve(partners, credentials: outsider)
        }
        let root = SpoolAccess.Credentials(uid: 0, gid: 0, supplementary: [])
        #expect(try SpoolAccess.resolve(partners, credentials: root).isShared)
        #expect(try SpoolAccess.resolve([partners[2]], credentials: outsider) == .singleUser)
        let unknown = [Partner(id: "a", name: "A", herIds: ["2"], group: .name("pgw-no-such-group-here"))]
        #expect(throws: SpoolAccess.Failure.unknownGroup(partner: "a", group: "pgw-no-such-group-here")) {
            try SpoolAccess.resolve(unknown, credentials: root)
        }
    }

    @Test func outputsForAPartnerWithAGroupAre0640InIt() {
        let access = SpoolAccess(groups: ["bergen-kommune": 501])
        #expect(access.output(at: "outbound/bergen-kommune/x.xml") == (0o640, 501))
        #expect(access.output(at: "outbound/oslo-kommune/x.xml") == (0o600, nil))
        #expect(access.output(at: "quarantine/bergen-kommune/x.reason.txt") == (0o600, nil))
        #expect(SpoolAccess.singleUser.output(at: "outbound/bergen-kommune/x.xml") == (0o600, nil))
    }

    /// Without groups, `prepare` creates what is missing with today's modes and changes nothing
    /// that exists (an operator may have opened a directory deliberately).
    @Test func singleUserLayoutIsUnchanged() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("pg-access-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try DurableFile.ensureDirectory("\(root)/archive", mode: 0o750)
        let partners = [Partner(id: "a", name: "A", herIds: ["2"])]
        try Spool(root: root).prepare(for: partners)
        func mode(_ path: String) -> mode_t {
            var info = stat()
            return stat("\(root)/\(path)", &info) == 0 ? info.st_mode & 0o7777 : 0
        }
        #expect(mode("") == 0o750 && mode("archive") == 0o750)  // existing: kept
        #expect([mode("inbound"), mode("outbound"), mode("state"), mode("outbound/a"), mode("archive/a")] == [0o700, 0o700, 0o700, 0o700, 0o700])
        #expect(mode("inbound/a") == 0o770)
        let staged = try DurableFile.stage([1], for: "\(root)/outbound/a/x", in: "\(root)/state/staging", sync: false)
        #expect(mode(String(staged.dropFirst(root.count + 1))) == 0o600)
    }

    /// The migration as root (any group may be given): a spool root that is a symbolic link is
    /// followed, nothing below it is; of the files in an outbox only the gateway's own, with one
    /// link, get the partner's group — not a partner's file, a second name, or a link.
    @Test(.enabled(if: getuid() == 0, "needs root to give files a group the test process is not in"))
    func migrationTouchesOnlyTheGatewaysOwnOutboxFiles() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("pg-access-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: base) }
        let partners = [Partner(id: "a", name: "A", herIds: ["2"], group: .id(4242))]
        try Spool(root: "\(base)/real").prepare(for: partners.map { var p = $0; p.group = nil; return p })
        try FileManager.default.createSymbolicLink(atPath: "\(base)/spool", withDestinationPath: "\(base)/real")
        let box = "\(base)/real/outbound/a"
        try DurableFile.write([1], to: "\(box)/mine.xml")
        try DurableFile.write([2], to: "\(box)/theirs.xml")
        chown("\(box)/theirs.xml", 4343, 4343)
        try DurableFile.write([3], to: "\(base)/real/state/secret")
        link("\(base)/real/state/secret", "\(box)/second-name.xml")
        symlink("\(base)/real/state/secret", "\(box)/link.xml")

        try Spool(root: "\(base)/spool", access: SpoolAccess(groups: ["a": 4242])).prepare(for: partners)
        func owner(_ path: String) -> (gid: gid_t, mode: mode_t) {
            var info = stat()
            return lstat(path, &info) == 0 ? (info.st_gid, info.st_mode & 0o7777) : (0, 0)
        }
        #expect(owner("\(base)/real").mode == 0o711 && owner("\(base)/real/inbound").mode == 0o711)
        #expect(owner("\(base)/real/inbound/a") == (4242, 0o2770) && owner(box) == (4242, 0o2770))
        #expect(owner("\(box)/mine.xml") == (4242, 0o640))
        #expect(owner("\(box)/theirs.xml") == (4343, 0o600))
        #expect(owner("\(base)/real/state/secret") == (0, 0o600))
    }

    /// As root (the test suite's CI), the shared layout can be applied to any group: a staged
    /// output gets its group from `fchown` on the descriptor whatever the umask.
    @Test(.enabled(if: getuid() == 0, "needs root to give a file a group the test process is not in"))
    func stagedOutputGetsThePartnersGroup() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("pg-access-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try DurableFile.ensureDirectory(root)
        let staged = try DurableFile.stage([1], for: "\(root)/x", mode: 0o640, group: 4242, sync: false)
        var info = stat()
        #expect(stat(staged, &info) == 0 && info.st_gid == 4242 && info.st_mode & 0o7777 == 0o640)
    }
}
