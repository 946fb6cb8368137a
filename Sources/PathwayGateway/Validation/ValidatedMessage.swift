/// A message that passed every check, with its parsed tree (kept for routing it on unchanged).
///
/// Not `Sendable`: the tree belongs to the task processing this one file.
public struct ValidatedMessage {
    enum Content: Sendable, Hashable {
        case business(MsgHead)
        case appRec(AppRec)
    }

    var content: Content
    var document: XMLDocumentHandle
    /// Tolerated deviations (lenient policy), one line each, free of personal data: each one a
    /// repair made to `document`.
    public var warnings: [String]
    /// Whether `document` is a lenient repair of the parsed bytes rather than their parse: the
    /// routed copy can then not be spliced into those bytes.
    var repaired: Bool { !warnings.isEmpty }

    /// A short human description, e.g. "DIALOG_HELSEFAGLIG, Dialogmelding 1.1, MsgId 615a…".
    public var summary: String {
        switch content {
        case let .business(head):
            let payload = head.dialogmelding.map { "Dialogmelding \($0.version.rawValue)" } ?? "no payload"
            return "\(head.typeCode), \(payload), MsgId \(head.msgId)"
        case let .appRec(appRec):
            let status = appRec.status?.displayName ?? appRec.statusCode
            return "APPREC \(appRec.version.rawValue), status \(status), answers MsgId \(appRec.originalMsgId.id)"
        }
    }
}
