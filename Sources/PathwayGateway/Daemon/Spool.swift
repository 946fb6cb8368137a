import Foundation

/// The spool directory tree of spec §3, and the only place that knows its shape.
public struct Spool: Sendable {
    public let root: String
    /// Which partners share their directories with a Unix group of their own (spec §8).
    public let access: SpoolAccess

    public init(root: String, access: SpoolAccess = .singleUser) {
        self.root = root
        self.access = access
    }

    public func inbound(_ partner: String) -> String { "\(root)/inbound/\(partner)" }
    public func outbound(_ partner: String) -> String { "\(root)/outbound/\(partner)" }
    /// Claimed files while they are worked on; a crash leaves them here for recovery.
    func processing(_ partner: String) -> String { "\(root)/state/processing/\(partner)" }
    /// Outputs are written here under temp names, then linked to their final names: an outbound
    /// or archive directory with many files gets one new entry per output, not three.
    var staging: String { "\(root)/state/staging" }
    public var database: String { "\(root)/state/gateway.sqlite" }
    public var pseudonymKey: String { "\(root)/state/pseudonym.key" }
    /// What keeps files in inboxes (`IntakeHealth`), as the running daemon last saw it.
    public var intakeReport: String { "\(root)/state/intake-problems.json" }
    public var auditLog: String { "\(root)/audit/audit.jsonl" }

    /// Absolute path of a spool-relative one (as stored in the database).
    func absolute(_ relative: String) -> String { "\(root)/\(relative)" }

    /// Spool-relative path of an absolute one inside the spool.
    func relative(_ absolute: String) -> String {
        absolute.hasPrefix(root + "/") ? String(absolute.dropFirst(root.count + 1)) : absolute
    }

    /// Creates every directory the partners need (mode 0700; inbound 0770 so an EPJ export
    /// running as a group member can drop files, except the gateway's own), then, when partners have groups, brings the
    /// spool to the shared layout (`applyLayout`).
    func prepare(for partners: [Partner]) throws {
        for dir in [
            "state", "audit", "archive", "quarantine", "outbound", "inbound", "state/processing", "state/staging",
        ] {
            try DurableFile.ensureDirectory("\(root)/\(dir)")
        }
        for partner in partners {
            // The gateway's own inbox (reminders): whatever lands there is sent as the gateway, so
            // nobody else may write it, in every layout (the shared one sets this again).
            if partner.isInternal {
                try DurableFile.ensureDirectory(inbound(partner.id))
                try Ownership.directory(inbound(partner.id), mode: SpoolAccess.privateDirectoryMode, group: nil)
            } else {
                try DurableFile.ensureDirectory(inbound(partner.id), mode: 0o770)
            }
            for dir in [
                outbound(partner.id), processing(partner.id), "\(root)/archive/\(partner.id)",
                "\(root)/quarantine/\(partner.id)",
            ] {
                try DurableFile.ensureDirectory(dir)
            }
        }
        try applyLayout(for: partners)
    }

    /// Names in `dir` the gateway may take: `*.xml`, not hidden, not a temporary name.
    ///
    /// Names are read as bytes: a name that is not UTF-8 (a Latin-1 export, say) cannot be carried
    /// as a String. With `renamingNonUTF8` (the daemon's intake) it is first renamed in place to a
    /// UTF-8 one with those bytes spelled `%XX` (`rapport-%E6.xml`) and taken under that name —
    /// never left behind without an outcome; without (a survey, which must not change the spool)
    /// it is listed with U+FFFD for those bytes, so it still counts.
    static func candidates(in dir: String, renamingNonUTF8: Bool = false) -> [String] {
        (try? listCandidates(in: dir, renamingNonUTF8: renamingNonUTF8)) ?? []
    }

    /// A directory that could not be listed.
    struct ListingFailure: Error, Sendable, CustomStringConvertible {
        var errno: Int32
        var description: String { String(cString: strerror(errno)) }
    }

    /// `candidates`, failing when the directory cannot be listed (the intake must tell a missing
    /// permission from an empty inbox). With `limit`, only the first `limit` names in sorted order:
    /// the directory is still read through once, but never more than about twice `limit` names are
    /// held, so the intake's memory stays bounded whatever the backlog (issue 18); the rest are
    /// listed again on the next round.
    static func listCandidates(in dir: String, renamingNonUTF8: Bool = false, limit: Int? = nil) throws(ListingFailure)
        -> [String]
    {
        guard let stream = opendir(dir) else { throw ListingFailure(errno: errno) }
        defer { closedir(stream) }
        var names: [String] = []
        func keep(_ name: String) {
            guard name.hasSuffix(".xml"), !name.hasSuffix(".tmp") else { return }
            names.append(name)
            if let limit, names.count >= 2 * max(limit, 1) {
                names.sort()
                names.removeLast(names.count - limit)
            }
        }
        while let entry = readdir(stream) {
            let raw = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix { $0 != 0 }) }
            guard raw.first != UInt8(ascii: ".") else { continue }
            if let name = String(validating: raw, as: UTF8.self) {
                keep(name)
            } else if !renamingNonUTF8 {
                keep(String(decoding: raw, as: UTF8.self))
            } else if raw.count > 4, raw.suffix(4) == Array(".xml".utf8)[...], let renamed = renameToUTF8(raw, in: dir)
            {
                keep(renamed)
            }
        }
        names.sort()
        if let limit, names.count > limit { names.removeLast(names.count - limit) }
        return names
    }

    /// `raw` with every byte outside printable ASCII, and `%`, spelled `%XX`; renamed to that name
    /// in `dir` (nil when it cannot be: it is then tried again at the next scan).
    private static func renameToUTF8(_ raw: [UInt8], in dir: String) -> String? {
        var name = ""
        for byte in raw {
            if byte >= 0x20, byte < 0x7F, byte != UInt8(ascii: "%") {
                name.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                name += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }
        }
        let renamed = try? DurableFile.renameNoReplace(pathBytes: Array("\(dir)/".utf8) + raw, to: "\(dir)/\(name)")
        return renamed == true ? name : nil
    }
}
