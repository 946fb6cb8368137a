import Foundation

/// A gateway installation the test users can reach: the built binary, `Schemas/` and the sample
/// messages copied into a fresh directory under /tmp (a checkout under /work or /root may not be
/// traversable for them), owned by the gateway's user, with a config of two partners.
final class SharedSpoolSite {
    let root: String
    var spool: String { "\(root)/spool" }
    var configPath: String { "\(root)/pathway-gateway.json" }
    static let hospital = "helse-bergen"
    static let municipality = "bergen-kommune"

    init() throws {
        root = "/tmp/pgw-users-\(UUID().uuidString.prefix(8))"
        let files = FileManager.default
        try files.createDirectory(atPath: root, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o755])
        try files.copyItem(atPath: TestPaths.binary, toPath: "\(root)/pathway-gateway")
        try files.copyItem(atPath: TestPaths.packageRoot.appendingPathComponent("Schemas").path, toPath: "\(root)/Schemas")
        try files.copyItem(atPath: TestPaths.packageRoot.appendingPathComponent("samples/messages").path, toPath: "\(root)/messages")
        for path in [root] + (files.subpaths(atPath: root) ?? []).map({ "\(root)/\($0)" }) {
            var isDirectory: ObjCBool = false
            _ = files.fileExists(atPath: path, isDirectory: &isDirectory)
            chmod(path, isDirectory.boolValue || path.hasSuffix("/pathway-gateway") ? 0o755 : 0o644)
        }
        // The gateway creates its spool here.
        guard let uid = UnixUsers.uid(UnixUsers.gateway), chown(root, uid, gid_t.max) == 0 else {
            throw UnixUsers.Failure.command("chown \(root) to \(UnixUsers.gateway)")
        }
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    /// Writes the config: Helse Bergen and Bergen kommune from the sample, with `groups` (partner
    /// id → group name or number; a partner left out has none).
    func configure(groups: [String: String]) throws {
        let sample = try Data(contentsOf: TestPaths.packageRoot.appendingPathComponent("samples/pathway-gateway.json"))
        var config = try JSONSerialization.jsonObject(with: sample) as! [String: Any]
        let ids = [Self.hospital, Self.municipality]
        config["spool"] = "spool"
        config["partners"] = (config["partners"] as! [[String: Any]]).filter { ids.contains($0["id"] as! String) }.map { partner in
            var partner = partner
            if let group = groups[partner["id"] as! String] { partner["group"] = group }
            return partner
        }
        config["contactPoints"] = (config["contactPoints"] as! [[String: Any]]).filter { ($0["partner"] as! String) == Self.municipality }
        config["kommuneAliases"] = [String: String]()
        try JSONSerialization.data(withJSONObject: config, options: [.prettyPrinted]).write(to: URL(fileURLWithPath: configPath))
        chmod(configPath, 0o644)
    }

    /// The gateway's command line under the systemd unit's `UMask=0077`, so every mode the layout
    /// needs must be set exactly, not left to the umask (`exec`: the process keeps the shell's pid).
    private func command(_ arguments: [String]) -> [String] {
        ["/bin/sh", "-c", "umask 0077; exec \"$0\" \"$@\"", "\(root)/pathway-gateway"] + arguments + ["--config", configPath]
    }

    /// `pathway-gateway ARGUMENTS --config …` as the gateway's user.
    func gateway(_ arguments: [String], environment: [String: String] = [:]) throws -> UnixUsers.Result {
        try UnixUsers.run(as: UnixUsers.gateway, command(arguments), cwd: root, environment: environment)
    }

    /// The daemon (`run`) as the gateway's user, its log in `daemon.log`.
    func startDaemon() throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        process.arguments = ["--reuid", UnixUsers.gateway, "--regid", UnixUsers.gateway, "--init-groups"] + command(["run"])
        _ = FileManager.default.createFile(atPath: "\(root)/daemon.log", contents: nil)
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: "\(root)/daemon.log"))
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return process
    }

    var daemonLog: String { (try? String(contentsOfFile: "\(root)/daemon.log", encoding: .utf8)) ?? "" }

    /// The partner's way in: a temporary name first, then the rename to `name` (spec §3), as `user`
    /// with umask 027.
    func drop(_ sample: String, as name: String, by user: String, into partner: String) throws -> UnixUsers.Result {
        let inbox = "spool/inbound/\(partner)"
        return try UnixUsers.shell(as: user, "cat messages/\(sample) > \(inbox)/.\(name).tmp && mv \(inbox)/.\(name).tmp \(inbox)/\(name)",
                                   cwd: root)
    }

    /// Owner, group and permission bits (with set-id bits) of a spool path, as root sees it.
    func owner(_ relative: String) -> (uid: uid_t, gid: gid_t, mode: mode_t)? {
        var info = stat()
        guard lstat("\(spool)/\(relative)", &info) == 0 else { return nil }
        return (info.st_uid, info.st_gid, info.st_mode & 0o7777)
    }

    /// Names in a spool directory, as root sees them (final names only).
    func list(_ relative: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "\(spool)/\(relative)")) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    /// Polls `condition` every 50 ms for up to `seconds`.
    static func waitUntil(seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(50_000)
        }
        return condition()
    }
}
