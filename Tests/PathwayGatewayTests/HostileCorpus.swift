import Foundation
@testable import PathwayGateway
#if canImport(Glibc)
import Glibc
#endif

/// The hostile corpus of `Tests/HostileCorpus/`: its manifest, and the inputs the manifest names as
/// `@recipe` because they cannot (or should not) be committed.
enum HostileCorpus {
    static let directory = TestPaths.packageRoot.appendingPathComponent("Tests/HostileCorpus")
    /// Where the committed files send an "attacker's" URL; the test listens there.
    static let evilPort: UInt16 = 47391

    struct Entry: Sendable, CustomStringConvertible {
        var input: String
        var outcome: String
        /// `apprec:1`, `apprec:2:<code>` or `notice:<code>`.
        var answer: String
        /// nil, or the known issue this entry shows (reported; asserted under `withKnownIssue`).
        var issue: String?
        var what: String

        /// The name the input is dropped under.
        var fileName: String {
            guard input.hasPrefix("@") else { return input }
            return HostileCorpus.recipeNames[input] ?? String(input.dropFirst()) + ".xml"
        }
        /// The name the gateway takes it under: a name that is not UTF-8 is renamed with `%XX`.
        var takenName: String { input == "@name-invalid-utf8" ? "bad-%FF%FE-name.xml" : fileName }
        var description: String { input }
    }

    static func manifest() throws -> [Entry] {
        let text = try String(contentsOf: directory.appendingPathComponent("manifest.tsv"), encoding: .utf8)
        return text.split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.isEmpty }.map { line in
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            return Entry(input: f[0], outcome: f[1], answer: f[2], issue: f[3] == "-" ? nil : f[3], what: f[4])
        }
    }

    /// Recipes whose file name is not simply `<recipe>.xml`.
    static let recipeNames: [String: String] = [
        "@name-with-newline": "first line\nsecond line.xml",
        "@name-leading-trailing-spaces": " spaced  name .xml",
        "@name-nfd-non-ascii": "A\u{030A}lesund-o\u{0308}-nfd.xml",
        "@name-looks-like-log-line": " level=error msg=forged .xml",
        "@name-200-bytes": String(repeating: "n", count: 196) + ".xml",
        "@name-255-bytes": String(repeating: "L", count: 251) + ".xml",
        "@name-200-bytes-not-xml": String(repeating: "g", count: 196) + ".xml",
        "@name-invalid-utf8": "bad-\u{FFFD}\u{FFFD}-name.xml",  // written with the raw bytes 0xFF 0xFE
    ]

    /// Sample 01 (SP1 with a PDF, routed to Bergen) under its own MsgId.
    static func message(_ id: String) -> [UInt8] {
        Array(String(decoding: SampleSet.all[0].bytes, as: UTF8.self).replacingOccurrences(of: "7d3e0c1a-sp1-0001", with: "hostile-\(id)").utf8)
    }

    /// Puts an entry's input into `inbox` (an absolute directory), as a partner (or an attacker) would.
    static func materialise(_ entry: Entry, in inbox: String) throws {
        let path = "\(inbox)/\(entry.fileName)"
        switch entry.input {
        case "@symlink-to-passwd":
            try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: "/etc/passwd")
        case "@symlink-to-valid-message":
            let target = "\(inbox)/../../outside-\(UUID().uuidString).xml"
            try Data(message("symlink-target")).write(to: URL(fileURLWithPath: target))
            try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: target)
        case "@symlink-dangling":
            try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: "/nonexistent/message.xml")
        case "@fifo":
            guard mkfifo(path, 0o600) == 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        case "@unix-socket":
            try bindUnixSocket(at: path)
        case "@directory-named-xml":
            // Built under a hidden name and renamed in whole, as a partner would: a running daemon
            // may take the directory the moment it has its final name.
            let hidden = "\(inbox)/.directory-named-xml.building"
            try FileManager.default.createDirectory(atPath: "\(hidden)/inner", withIntermediateDirectories: true)
            try Data(message("inside-directory")).write(to: URL(fileURLWithPath: "\(hidden)/inner/message.xml"))
            guard rename(hidden, path) == 0 else { throw CocoaError(.fileWriteUnknown) }
        case "@size-100mb":
            try writeHundredMegabytes(to: path)
        case "@name-invalid-utf8":
            try writeRaw(message("invalid-utf8-name"), to: Array(inbox.utf8) + Array("/bad-".utf8) + [0xFF, 0xFE] + Array("-name.xml".utf8), inbox: inbox)
        case "@name-200-bytes-not-xml":
            try writeRaw(Array("not xml at all\n".utf8), to: Array(path.utf8), inbox: inbox)
        case let recipe where recipe.hasPrefix("@name-"):
            try writeRaw(message(String(recipe.dropFirst())), to: Array(path.utf8), inbox: inbox)
        case let recipe where recipe.hasPrefix("@"):
            throw POSIXError(.ENOENT, userInfo: [NSLocalizedDescriptionKey: "unknown recipe \(recipe)"])
        default:
            let bytes = try Data(contentsOf: directory.appendingPathComponent(entry.input))
            let temp = "\(inbox)/.\(entry.input).tmp"
            try bytes.write(to: URL(fileURLWithPath: temp))
            guard rename(temp, path) == 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        }
    }

    /// A file of exactly the given path bytes (names that are not UTF-8 cannot go through Foundation),
    /// written under a short hidden temp name in `inbox` and renamed, so a running daemon never
    /// takes it half-written (".<name>.tmp" of a 255-byte name would be too long).
    static func writeRaw(_ bytes: [UInt8], to path: [UInt8], inbox: String) throws {
        let temp = "\(inbox)/.raw-\(UUID().uuidString).tmp"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        guard written == bytes.count else { throw POSIXError(.EIO) }
        let target = path.map(CChar.init(bitPattern:)) + [0]
        guard rename(temp, target) == 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
    }

    /// A MsgHead whose header (and MsgId) fits in the first kilobytes, then 100 MB of Base64.
    static func writeHundredMegabytes(to path: String) throws {
        let text = String(decoding: message("size-100mb"), as: UTF8.self)
        guard let open = text.range(of: "<Base64Container"), let afterTag = text[open.upperBound...].firstIndex(of: ">"),
              let close = text.range(of: "</Base64Container>") else { throw POSIXError(.EINVAL) }
        let temp = path.replacingOccurrences(of: "/size-100mb.xml", with: "/.size-100mb.xml.tmp")
        _ = FileManager.default.createFile(atPath: temp, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: temp))
        try handle.write(contentsOf: Data(text[..<text.index(after: afterTag)].utf8))
        let filler = Data(repeating: UInt8(ascii: "Q"), count: 1 << 20)
        for _ in 0..<100 { try handle.write(contentsOf: filler) }
        try handle.write(contentsOf: Data(text[close.lowerBound...].utf8))
        try handle.close()
        guard rename(temp, path) == 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
    }

    static func bindUnixSocket(at path: String) throws {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw POSIXError(.ENAMETOOLONG) }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes + [0]) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
    }
}

/// A listening TCP socket on 127.0.0.1 that never accepts: any connection attempt made while it
/// listens waits in its backlog, so `connectionAttempted` can tell afterwards, without a thread.
final class TrapListener {
    private let fd: Int32

    /// nil when the port cannot be bound (in use): the caller skips the check with a note.
    init?(port: UInt16) {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else { close(fd); return nil }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
    }

    deinit { close(fd) }

    var connectionAttempted: Bool {
        let client = accept(fd, nil, nil)
        if client >= 0 { close(client); return true }
        return false
    }
}
