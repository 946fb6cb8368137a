/// Everything the pipeline decided for one inbound file, before any side effect: the store
/// decision (outcome and every file to write, with bytes) and the facts the audit line reports.
public struct ProcessingPlan: Sendable {
    public var decision: MessageStore.Decision
    /// A municipality's AppRec to record against the routed message it answers.
    public var receiverAppRec: ReceiverAppRec?
    public var facts: AuditFacts

    public struct ReceiverAppRec: Sendable, Hashable {
        public var routedId: Int64
        public var status: Int
        public var errorCode: String?
        public var errorText: String?
    }
}

/// What the audit log says about a message (spec §6). `patientIdent` is the raw identity number:
/// the daemon replaces it with `patientPseudonym` as soon as the plan is made, so neither the
/// database (which keeps these facts for recovery) nor the log ever holds it.
public struct AuditFacts: Sendable, Hashable {
    /// The gateway's own id for the inbound file (database row, archive name `<id>-<file>`).
    public var gatewayId: String?
    public var msgId: String?
    /// The MsgId this record's message refers to: the original of a routed copy or of an AppRec we
    /// send, or the routed copy a municipality's AppRec answers (`audit show` follows it).
    public var refMsgId: String?
    public var msgType: String?
    public var sender: String?
    public var receiver: String?
    public var kommune: String?
    public var pathwayEvent: String?
    public var routedTo: [String] = []
    /// One line per error or warning, personal data masked.
    public var errors: [String] = []
    public var warnings: [String] = []
    public var patientIdent: String?
    /// Keyed pseudonym of `patientIdent` (see `Pseudonymizer`).
    public var patientPseudonym: String?
    /// A security event (a sender writing into another partner's inbox).
    public var security = false
    /// Event date, diagnosis date and type of an accepted pathway message, for its timeline.
    public var pathwayDetail: PathwayDetail?

    public init(msgId: String? = nil, msgType: String? = nil, sender: String? = nil, receiver: String? = nil,
                kommune: String? = nil, patientIdent: String? = nil) {
        self.msgId = msgId; self.msgType = msgType; self.sender = sender; self.receiver = receiver
        self.kommune = kommune; self.patientIdent = patientIdent
    }
}
