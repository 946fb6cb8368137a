/// Everything the pipeline decided for one inbound file, before any side effect: the store
/// decision (outcome and every file to write, with bytes) and the facts the audit line reports.
struct ProcessingPlan: Sendable {
    var decision: Decision
    /// A municipality's AppRec to record against the routed message it answers.
    var receiverAppRec: ReceiverAppRec?
    var facts: AuditFacts

    struct ReceiverAppRec: Sendable, Hashable {
        var routedId: Int64
        var status: Int
        var errorCode: String?
        var errorText: String?
    }
}

/// What the audit log says about a message (spec §6). `patientIdent` is the raw identity number:
/// the daemon replaces it with `patientPseudonym` as soon as the plan is made, so neither the
/// database (which keeps these facts for recovery) nor the log ever holds it.
struct AuditFacts: Sendable, Hashable {
    /// The gateway's own id for the inbound file (database row, archive name `<id>-<file>`).
    var gatewayId: String?
    var msgId: String?
    /// The MsgId this record's message refers to: the original of a routed copy or of an AppRec we
    /// send, or the routed copy a municipality's AppRec answers (`audit show` follows it).
    var refMsgId: String?
    var msgType: String?
    var sender: String?
    var receiver: String?
    var kommune: String?
    var pathwayEvent: String?
    var routedTo: [String] = []
    /// One line per error or warning, personal data masked.
    var errors: [String] = []
    var warnings: [String] = []
    var patientIdent: String?
    /// Keyed pseudonym of `patientIdent` (see `Pseudonymizer`).
    var patientPseudonym: String?
    /// A security event (a sender writing into another partner's inbox).
    var security = false
    /// Event date, diagnosis date and type of an accepted pathway message, for its timeline.
    var pathwayDetail: PathwayDetail?

    init(
        msgId: String? = nil, msgType: String? = nil, sender: String? = nil, receiver: String? = nil,
        kommune: String? = nil, patientIdent: String? = nil
    ) {
        self.msgId = msgId
        self.msgType = msgType
        self.sender = sender
        self.receiver = receiver
        self.kommune = kommune
        self.patientIdent = patientIdent
    }
}
