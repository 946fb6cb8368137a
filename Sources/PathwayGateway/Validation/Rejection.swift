/// Why a message is refused, with the AppRec error code to answer it and what is known of it.
public struct Rejection: Error, Sendable, Hashable {
    /// What the gateway could read of the refused message; decides whether and how an AppRec can
    /// name it.
    enum Subject: Sendable, Hashable {
        /// Nothing usable: no AppRec is possible, only a plain-text notice.
        case unknown
        /// Not well-formed, but a MsgId was found by scanning the text.
        case salvaged(HeaderSalvage)
        /// A MsgHead that could be read (perhaps schema-invalid or incomplete).
        case msgHead(MsgHead)
        /// An AppRec: recorded, never answered with another AppRec.
        case appRec(AppRec)
    }

    public var code: AppRecErrorCode
    /// One line for the sender (goes into the AppRec). May quote values from the sender's own file.
    public var reason: String
    /// Line in the file the problem points at, when known.
    public var line: Int?
    var subject: Subject

    init(_ code: AppRecErrorCode, _ reason: String, line: Int? = nil, subject: Subject = .unknown) {
        self.code = code
        self.reason = reason
        self.line = line
        self.subject = subject
    }

    /// `reason` with quoted values masked, for operator-facing logs and the audit trail (a schema
    /// error can quote a birth date or an identity number).
    var redactedReason: String { Redaction.maskQuotedValues(reason) }
}
