import Foundation
import Testing

/// Spec §8 with real Unix users: the gateway runs as its own user (a member of both partner
/// groups), Helse Bergen and Bergen kommune as theirs, each partner acting through its own
/// attempts (`setpriv`), never through root's view. Serialized: the tests share the users, which
/// each test creates (idempotently) and removes.
@Suite(.serialized, .enabled(if: UnixUsers.unavailable == nil,
                             Comment(rawValue: "needs root, setpriv --init-groups and useradd/groupadd for real users and groups: "
                                 + (UnixUsers.unavailable ?? ""))))
struct SeparateUsersEndToEndTests {
    typealias Site = SharedSpoolSite
    let gateway = UnixUsers.gateway, hospital = UnixUsers.hospital, municipality = UnixUsers.municipality

    /// The whole flow: the hospital drops, the gateway routes, the municipality lists, reads and
    /// removes; neither partner reaches anything but its own inbox and outbox.
    @Test func partnersReachOnlyTheirOwnDirectories() throws {
        try UnixUsers.create()
        defer { UnixUsers.remove() }
        let site = try Site()
        try site.configure(groups: [Site.hospital: hospital, Site.municipality: municipality])
        let first = try site.gateway(["run", "--once"])
        #expect(first.status == 0, "\(first.stderr)")
        try expectSharedLayout(site, outboxes: [:])

        #expect(try site.drop("01-sp1-needs-assessment.xml", as: "sp1.xml", by: hospital, into: Site.hospital).status == 0)
        #expect(try site.drop("04-wrong-fnr.xml", as: "wrong-fnr.xml", by: hospital, into: Site.hospital).status == 0)
        let second = try site.gateway(["run", "--once"])
        #expect(second.status == 0, "\(second.stderr)")
        let routed = site.list("outbound/\(Site.municipality)"), receipts = site.list("outbound/\(Site.hospital)")
        #expect(routed.count == 1 && receipts.count == 1, "routed \(routed), receipts \(receipts)")
        #expect(site.list("archive/\(Site.hospital)").count == 1 && !site.list("quarantine/\(Site.hospital)").isEmpty)
        try expectSharedLayout(site, outboxes: [Site.municipality: routed, Site.hospital: receipts])

        try expectConfined(site, user: municipality, own: Site.municipality, other: Site.hospital, otherFile: receipts[0])
        try expectConfined(site, user: hospital, own: Site.hospital, other: Site.municipality, otherFile: routed[0])

        // The municipality fetches its message: lists, reads, removes.
        let box = "spool/outbound/\(Site.municipality)"
        let listed = try UnixUsers.shell(as: municipality, "ls \(box)", cwd: site.root)
        #expect(listed.status == 0 && listed.stdout.contains(routed[0]), "\(listed)")
        let read = try UnixUsers.shell(as: municipality, "cat \(box)/\(routed[0])", cwd: site.root)
        #expect(read.status == 0 && read.stdout.contains("<MsgHead"), "\(read.stderr)")
        #expect(try UnixUsers.shell(as: municipality, "rm \(box)/\(routed[0])", cwd: site.root).status == 0)
        #expect(site.list("outbound/\(Site.municipality)").isEmpty)
        // And the hospital its receipts.
        let fetched = try UnixUsers.shell(as: hospital, "cat spool/outbound/\(Site.hospital)/*.apprec.xml && rm spool/outbound/\(Site.hospital)/*",
                                          cwd: site.root)
        #expect(fetched.status == 0 && fetched.stdout.contains("AppRec"), "\(fetched.stderr)")
    }

    /// A spool laid out for one user gets the shared layout at the next start (the file already
    /// waiting in an outbox included); a SIGHUP that removes a partner's group takes its access away.
    @Test func existingSpoolMigratesAndAReloadAppliesChangedGroups() throws {
        try UnixUsers.create()
        defer { UnixUsers.remove() }
        let site = try Site()
        try site.configure(groups: [:])
        #expect(try site.gateway(["run", "--once"]).status == 0)
        let gatewayUID = try #require(UnixUsers.uid(gateway)), gatewayGID = try #require(UnixUsers.gid(gateway))
        // The single-user layout, exactly as before groups existed.
        for (path, mode) in [("", 0o700), ("inbound", 0o700), ("outbound", 0o700), ("inbound/\(Site.hospital)", 0o770),
                             ("outbound/\(Site.municipality)", 0o700)] as [(String, mode_t)] {
            #expect(site.owner(path)?.mode == mode, "\(path): \(String(site.owner(path)?.mode ?? 0, radix: 8))")
        }
        // In the single-user layout the partners run as the gateway's user.
        #expect(try site.drop("01-sp1-needs-assessment.xml", as: "sp1.xml", by: gateway, into: Site.hospital).status == 0)
        #expect(try site.gateway(["run", "--once"]).status == 0)
        let waiting = try #require(site.list("outbound/\(Site.municipality)").first)
        #expect(site.owner("outbound/\(Site.municipality)/\(waiting)")?.mode == 0o600)

        try site.configure(groups: [Site.hospital: hospital, Site.municipality: municipality])
        let daemon = try site.startDaemon()
        defer { if daemon.isRunning { _ = GatewayProcess.stop(daemon) } }
        #expect(Site.waitUntil(seconds: 20) { site.owner("")?.mode == 0o711 && site.daemonLog.contains("msg=starting") },
                "\(site.daemonLog)")
        try expectSharedLayout(site, outboxes: [Site.municipality: [waiting]])
        let read = try UnixUsers.shell(as: municipality, "cat spool/outbound/\(Site.municipality)/\(waiting)", cwd: site.root)
        #expect(read.status == 0 && read.stdout.contains("<MsgHead"), "\(read.stderr)")

        try site.configure(groups: [Site.hospital: hospital])
        kill(daemon.processIdentifier, SIGHUP)
        // The layout is applied before the reload is logged.
        #expect(Site.waitUntil(seconds: 20) { site.daemonLog.contains("configuration reloaded") }, "\(site.daemonLog)")
        #expect(site.owner("outbound/\(Site.municipality)").map { ($0.mode, $0.gid) == (0o700, gatewayGID) } == true)
        #expect(site.owner("inbound/\(Site.municipality)").map { ($0.uid, $0.gid, $0.mode) == (gatewayUID, gatewayGID, 0o770) } == true)
        #expect(try UnixUsers.shell(as: municipality, "ls spool/outbound/\(Site.municipality)", cwd: site.root).denied)
        #expect(GatewayProcess.stop(daemon) == 0)
    }

    /// Outputs staged before a crash, under a configuration without groups, are finished after a
    /// restart with groups as files of the partner's group (`recover` restamps them).
    @Test func outputsStagedBeforeACrashGetTheGroupConfiguredSince() throws {
        try UnixUsers.create()
        defer { UnixUsers.remove() }
        let site = try Site()
        try site.configure(groups: [:])
        #expect(try site.gateway(["run", "--once"]).status == 0)
        #expect(try site.drop("01-sp1-needs-assessment.xml", as: "sp1.xml", by: gateway, into: Site.hospital).status == 0)
        let crashed = try site.gateway(["run", "--once"], environment: ["PATHWAY_GATEWAY_CRASH_AT": "decided"])
        #expect(crashed.status == 137)
        let staged = try FileManager.default.contentsOfDirectory(atPath: "\(site.spool)/state/staging")
        #expect(staged.count == 1, "the delivered copy (the receiver answers it), staged: \(staged)")
        #expect(staged.allSatisfy { site.owner("state/staging/\($0)")?.mode == 0o600 })

        try site.configure(groups: [Site.hospital: hospital, Site.municipality: municipality])
        let restarted = try site.gateway(["run", "--once"])
        #expect(restarted.status == 0, "\(restarted.stderr)")
        let routed = site.list("outbound/\(Site.municipality)"), receipts = site.list("outbound/\(Site.hospital)")
        #expect(routed.count == 1 && receipts.isEmpty, "routed \(routed), receipts \(receipts)")
        try expectSharedLayout(site, outboxes: [Site.municipality: routed, Site.hospital: receipts])
        let read = try UnixUsers.shell(as: municipality, "cat spool/outbound/\(Site.municipality)/*", cwd: site.root)
        #expect(read.status == 0 && read.stdout.contains("<MsgHead"), "\(read.stderr)")
    }

    /// A group the gateway's user is not in: `run` refuses in one line (exit 2), and an unknown
    /// group name is a `check-config` problem. A directory above the spool that partners cannot
    /// traverse is logged.
    @Test func aGroupTheGatewayCannotUseStopsTheStart() throws {
        try UnixUsers.create()
        defer { UnixUsers.remove() }
        let site = try Site()
        try site.configure(groups: [Site.hospital: hospital, Site.municipality: "0"])
        let refused = try site.gateway(["run", "--once"])
        #expect(refused.status == 2)
        let lines = refused.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].contains("not a member of group 0"), "\(refused.stderr)")
        #expect(site.owner("inbound") == nil, "nothing laid out before the refusal")

        try site.configure(groups: [Site.hospital: "pgw-t-no-such-group"])
        let checked = try site.gateway(["check-config"])
        #expect(checked.status == 1)
        #expect(checked.stdout.contains("$.partners[0].group: unknown group \"pgw-t-no-such-group\""), "\(checked.stdout)")

        try site.configure(groups: [Site.hospital: hospital])
        chmod(site.root, 0o750)
        let warned = try site.gateway(["run", "--once"])
        #expect(warned.status == 0)
        #expect(warned.stderr.contains("partners with a group cannot traverse \(site.root) (no o+x)"), "\(warned.stderr)")
    }
}
