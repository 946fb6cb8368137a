/// Spool-relative paths for one inbound file's outputs (spec §3). Every name carries the gateway's
/// id for the file, so outputs never collide and are never overwritten.
struct SpoolPaths {
    let partner: String
    let messageId: String
    let fileName: String

    static func outbound(_ partner: String, _ name: String) -> String { "outbound/\(partner)/\(name)" }

    var appRec: String { Self.outbound(partner, "\(messageId).apprec.xml") }
    var archive: String { "archive/\(partner)/\(messageId)-\(fileName)" }
    var quarantine: String { "quarantine/\(partner)/\(messageId)-\(fileName)" }

    /// The plain-text notice for a file without a usable MsgId (spec §4.1).
    func rejectedNotice(_ rejection: Rejection) -> MessageStore.PlannedOutput {
        let text = "\(fileName) was rejected (\(rejection.code.rawValue) \(rejection.code.displayName)): \(rejection.redactedReason)\n"
            + "No MsgId could be read, so no AppRec can answer it. Fix the file and send it again.\n"
        return .init(kind: .notice, path: Self.outbound(partner, "\(fileName).rejected.txt"), bytes: Array(text.utf8))
    }

    /// The reason file next to a quarantined original.
    func reasonFile(_ reason: String) -> MessageStore.PlannedOutput {
        .init(kind: .notice, path: quarantine + ".reason.txt", bytes: Array((reason + "\n").utf8))
    }
}
