import Foundation

/// The record that identities were shown (spec §9: "identities only with `--show-identities`, and
/// audited when shown"): one JSON line per showing, appended and synced to
/// `spool/state/identity-access.log` *before* any identity is printed. If it cannot be written,
/// no identity is shown.
///
/// Why a file of its own rather than the audit log: the audit log is a hash chain with one writer,
/// the daemon; a command writing into it beside the running daemon would fork the chain. The
/// line names the pseudonyms (never the fødselsnummer), who asked, when and for which kommune.
public struct IdentityAccessLog: Sendable {
    public let path: String

    public init(spool: Spool) { path = "\(spool.root)/state/identity-access.log" }

    public enum Failure: Error, Sendable, CustomStringConvertible {
        case cannotWrite(path: String, errno: Int32)

        public var description: String {
            switch self {
            case let .cannotWrite(path, code):
                "cannot record the showing of identities in \(path): \(String(cString: strerror(code)))"
            }
        }
    }

    /// Appends one line: `command`, `kommune` (nil: every kommune) and the pseudonyms shown.
    public func record(command: String, kommune: String?, pseudonyms: [String], at now: Date = Date()) throws(Failure) {
        var line: [UInt8] = []
        func field(_ name: String, _ value: String?, last: Bool = false) {
            JSONString.append(name, to: &line)
            line.append(UInt8(ascii: ":"))
            if let value { JSONString.append(value, to: &line) } else { line += Array("null".utf8) }
            if !last { line.append(UInt8(ascii: ",")) }
        }
        line.append(UInt8(ascii: "{"))
        field("at", Timestamp.rfc3339(now))
        field("event", "identities-shown")
        field("user", ProcessInfo.processInfo.environment["SUDO_USER"] ?? ProcessInfo.processInfo.environment["USER"])
        field("uid", String(getuid()))
        field("command", command)
        field("kommune", kommune)
        JSONString.append("patients", to: &line)
        line += Array(":[".utf8)
        for (index, pseudonym) in pseudonyms.enumerated() {
            if index > 0 { line.append(UInt8(ascii: ",")) }
            JSONString.append(pseudonym, to: &line)
        }
        line += Array("]}\n".utf8)
        // Never through a link (the daemon folds only the regular file at this name).
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw .cannotWrite(path: path, errno: errno) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .cannotWrite(path: path, errno: errno) }
        let written = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == line.count, fsync(fd) == 0 else {
            let code = errno
            // A part of a line (disk full) would run into the next showing's line: cut it off.
            _ = ftruncate(fd, info.st_size)
            throw .cannotWrite(path: path, errno: code)
        }
    }
}
