import Foundation

/// Real Unix users and groups for the separate-users tests (spec §8): the gateway's user, a member
/// of both partner groups, a hospital and a municipality. Created as root, idempotently (an
/// interrupted run leaves them for the next one to reuse), removed by `remove()`.
enum UnixUsers {
    static let gateway = "pgw-t-gw"
    static let hospital = "pgw-t-hosp"
    static let municipality = "pgw-t-komm"

    private static let tools = ["/usr/bin/setpriv", "/usr/sbin/useradd", "/usr/sbin/usermod", "/usr/sbin/groupadd",
                                "/usr/sbin/userdel", "/usr/sbin/groupdel", "/usr/bin/getent", "/bin/sh"]

    /// Why these tests cannot run here (nil: they can).
    static let unavailable: String? = {
        guard getuid() == 0 else { return "not root: creating users and groups needs root" }
        if let missing = tools.first(where: { !FileManager.default.isExecutableFile(atPath: $0) }) { return "\(missing) is missing" }
        // --init-groups (util-linux 2.33+) gives the gateway its supplementary groups, as systemd does.
        guard let help = try? run("/usr/bin/setpriv", ["--help"]), help.stdout.contains("--init-groups") else {
            return "this setpriv has no --init-groups (util-linux older than 2.33)"
        }
        // A root without CAP_SETUID (some containers) cannot switch users; a read-only /etc takes no users.
        guard (try? run("/usr/bin/setpriv", ["--reuid", "65534", "--regid", "65534", "--clear-groups", "/bin/sh", "-c", "exit 0"]))?.status == 0 else {
            return "root here cannot switch to another user (no CAP_SETUID?)"
        }
        guard access("/etc/passwd", W_OK) == 0, access("/etc/group", W_OK) == 0 else { return "/etc/passwd or /etc/group is read-only" }
        return nil
    }()

    /// Users and groups as the tests need them: each partner's primary group is its own, the
    /// gateway's user is in both partner groups.
    static func create() throws {
        for group in [hospital, municipality, gateway] where !exists("group", group) {
            try must("/usr/sbin/groupadd", [group])
        }
        for user in [hospital, municipality] where !exists("passwd", user) {
            try must("/usr/sbin/useradd", ["-M", "-N", "-g", user, "-d", "/nonexistent", "-s", "/usr/sbin/nologin", user])
        }
        if !exists("passwd", gateway) {
            try must("/usr/sbin/useradd", ["-M", "-N", "-g", gateway, "-d", "/nonexistent", "-s", "/usr/sbin/nologin", gateway])
        }
        try must("/usr/sbin/usermod", ["-G", "\(hospital),\(municipality)", gateway])
    }

    static func remove() {
        for user in [gateway, hospital, municipality] { _ = try? run("/usr/sbin/userdel", [user]) }
        for group in [gateway, hospital, municipality] { _ = try? run("/usr/sbin/groupdel", [group]) }
    }

    static func gid(_ group: String) -> gid_t? {
        guard let line = try? run("/usr/bin/getent", ["group", group]), line.status == 0 else { return nil }
        return line.stdout.split(separator: ":").dropFirst(2).first.flatMap { gid_t($0) }
    }

    static func uid(_ user: String) -> uid_t? {
        guard let line = try? run("/usr/bin/getent", ["passwd", user]), line.status == 0 else { return nil }
        return line.stdout.split(separator: ":").dropFirst(2).first.flatMap { uid_t($0) }
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var denied: Bool { status != 0 && stderr.contains("Permission denied") }
    }

    /// `arguments` run as `user` with its own groups (`setpriv --init-groups`, as systemd and login do).
    /// `environment` is added to this process's (setpriv passes it on).
    static func run(as user: String, _ arguments: [String], cwd: String? = nil, environment: [String: String] = [:]) throws -> Result {
        try run("/usr/bin/setpriv", ["--reuid", user, "--regid", user, "--init-groups"] + arguments, cwd: cwd, environment: environment)
    }

    /// A shell script run as `user` with umask 027, as a partner's export job is told to run.
    static func shell(as user: String, _ script: String, cwd: String) throws -> Result {
        try run(as: user, ["/bin/sh", "-c", "umask 027; " + script], cwd: cwd)
    }

    static func run(_ tool: String, _ arguments: [String], cwd: String? = nil, environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        if let cwd { process.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        // Files, not pipes: nothing to drain while waiting.
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("pg-users-\(UUID().uuidString)")
        let outURL = base.appendingPathExtension("out"), errURL = base.appendingPathExtension("err")
        for url in [outURL, errURL] { _ = FileManager.default.createFile(atPath: url.path, contents: nil) }
        defer { for url in [outURL, errURL] { try? FileManager.default.removeItem(at: url) } }
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        process.standardOutput = out
        process.standardError = err
        try process.run()
        process.waitUntilExit()
        try out.close()
        try err.close()
        return Result(status: process.terminationStatus, stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
                      stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }

    private static func exists(_ database: String, _ name: String) -> Bool {
        (try? run("/usr/bin/getent", [database, name]))?.status == 0
    }

    private static func must(_ tool: String, _ arguments: [String]) throws {
        let result = try run(tool, arguments)
        guard result.status == 0 else { throw Failure.command("\(tool) \(arguments.joined(separator: " ")): \(result.stderr)") }
    }

    enum Failure: Error { case command(String) }
}
