/// Spool-relative paths for one inbound file's outputs (spec §3). Every name carries the gateway's
/// id for the file, so outputs never collide and are never overwritten.
///
/// An inbound name may be as long as the filesystem allows (255 bytes), but the names built from it
/// add the id, a suffix, and while staged a temp prefix and suffix: `fileName` enters them cut to
/// `maxNameBytes` (`boundedName`), or a 255-byte name would stop its whole batch (ENAMETOOLONG).
struct SpoolPaths {
    let partner: String
    let messageId: String
    let fileName: String
    /// Whether a spool-relative name already exists (only the notice's name can).
    var isTaken: (String) -> Bool = { _ in false }

    static func outbound(_ partner: String, _ name: String) -> String { "outbound/\(partner)/\(name)" }

    /// The partner of an `outbound/<partner>/<name>` path (nil for any other path).
    static func partner(ofOutbound path: String) -> String? {
        let parts = path.split(separator: "/")
        return parts.count == 3 && parts[0] == "outbound" ? String(parts[1]) : nil
    }

    var appRec: String { Self.outbound(partner, "\(messageId).apprec.xml") }
    var archive: String { "archive/\(partner)/\(messageId)-\(Self.boundedName(fileName))" }
    var quarantine: String { "quarantine/\(partner)/\(messageId)-\(Self.boundedName(fileName))" }

    /// The plain-text notice for a file without a usable MsgId (spec §4.1): `<file>.rejected.txt`,
    /// or, when an earlier file of the same name already has that notice (`isTaken`), one with the
    /// id in its name — a notice is never overwritten, and a resent file must still get its own.
    func rejectedNotice(_ rejection: Rejection) -> PlannedOutput {
        let text =
            "\(fileName) was rejected (\(rejection.code.rawValue) \(rejection.code.displayName)): \(rejection.redactedReason)\n"
            + "No MsgId could be read, so no AppRec can answer it. Fix the file and send it again.\n"
        var path = Self.outbound(partner, "\(Self.boundedName(fileName)).rejected.txt")
        if isTaken(path) { path = Self.outbound(partner, "\(Self.boundedName(fileName)).\(messageId).rejected.txt") }
        return .init(kind: .notice, path: path, bytes: Array(text.utf8))
    }

    /// Longest part of a derived name taken from the inbound name: 255 (NAME_MAX) leaves room for
    /// the 37-byte id prefix, `.reason.txt` or `.<id>.rejected.txt`, and the staging temp name's
    /// dot and `.<pid>-<random>.tmp`.
    static let maxNameBytes = 150

    /// `name`, or when longer than `maxNameBytes`, its start (whole characters) + `~` + 12 hex
    /// digits of its SHA-256 + its extension: still recognisable, still unique per name.
    static func boundedName(_ name: String) -> String {
        guard name.utf8.count > maxNameBytes else { return name }
        let dot = name.lastIndex(of: ".").map { name[$0...] }.flatMap { $0.utf8.count <= 16 ? String($0) : nil } ?? ""
        let tag = "~" + SHA256.hex(Array(name.utf8)).prefix(12)
        var start = ""
        var room = maxNameBytes - tag.utf8.count - dot.utf8.count
        for character in name {
            room -= character.utf8.count
            if room < 0 { break }
            start.append(character)
        }
        return start + tag + dot
    }

    /// The reason file next to a quarantined original.
    func reasonFile(_ reason: String) -> PlannedOutput {
        .init(kind: .notice, path: quarantine + ".reason.txt", bytes: Array((reason + "\n").utf8))
    }
}
