/// What the pipeline decided for one inbound file, before any side effect: its outcome and every
/// file it produces, with their bytes. `MessageStore.recordDecision` records it whole (intent
/// before effects); the daemon then carries it out. The pipeline owns this shape; the store takes it.
struct Decision: Sendable {
    enum Outcome: String, Sendable, CaseIterable {
        case accepted, rejected, duplicate, quarantined
        case appRecReceived = "apprec-received"
    }

    var outcome: Outcome
    var senderHerId: String?, msgId: String?, msgType: String?
    var errorCode: String?, errorText: String?
    /// Set for `.duplicate`: the first message with the same (sender, MsgId).
    var duplicateOf: String?
    /// Register (sender, MsgId) as first seen here. True for business messages from a
    /// legitimate sender; false for duplicates, spoofed senders (X99) and received AppRecs.
    var registersKey: Bool
    var appRec: AppRecRecord?
    var routed: [RoutedPlan]
    /// Files that carry on a conversation about a message delivered earlier (spec §7): the
    /// receiver's AppRec relayed to the original sender, and on a resend the copy delivered again
    /// or the AppRec relayed again.
    var followUps: [FollowUp] = []
    /// Other files, e.g. the `<file>.rejected.txt` notice.
    var notices: [PlannedOutput]
    /// Spool-relative path the original moves to (archive/… or quarantine/…).
    var destination: String?

    init(
        outcome: Outcome, senderHerId: String? = nil, msgId: String? = nil, msgType: String? = nil,
        errorCode: String? = nil, errorText: String? = nil, duplicateOf: String? = nil,
        registersKey: Bool = false, appRec: AppRecRecord? = nil, routed: [RoutedPlan] = [],
        notices: [PlannedOutput] = [], destination: String? = nil
    ) {
        self.outcome = outcome
        self.senderHerId = senderHerId
        self.msgId = msgId
        self.msgType = msgType
        self.errorCode = errorCode
        self.errorText = errorText
        self.duplicateOf = duplicateOf
        self.registersKey = registersKey
        self.appRec = appRec
        self.routed = routed
        self.notices = notices
        self.destination = destination
    }

    /// Every file this decision produces, in the order they are recorded: notices, the AppRec,
    /// routed messages, relayed AppRecs (the daemon gives AppRecs their names last regardless).
    /// `staged`: final path → spool-relative temp file already holding that output.
    func outputs(staged: [String: String] = [:]) -> [PlannedOutput] {
        let files =
            notices + (appRec.map { [PlannedOutput(kind: .apprec, path: $0.path, bytes: $0.bytes)] } ?? [])
            + routed.map { PlannedOutput(kind: .routed, path: $0.path, bytes: $0.bytes) } + followUps.map(\.output)
        return files.map { output in
            var output = output
            output.staged = staged[output.path]
            return output
        }
    }
}

/// The AppRec the gateway itself answers a message with (kept whole: a resend gets these very bytes).
struct AppRecRecord: Sendable, Equatable {
    var receiptId: String, status: Int, errorCode: String?, errorText: String?
    var bytes: [UInt8]
    /// Final spool-relative path, e.g. `outbound/helse-bergen/<id>.apprec.xml`.
    var path: String
    init(
        receiptId: String, status: Int, errorCode: String? = nil, errorText: String? = nil, bytes: [UInt8], path: String
    ) {
        self.receiptId = receiptId
        self.status = status
        self.errorCode = errorCode
        self.errorText = errorText
        self.bytes = bytes
        self.path = path
    }
}

/// A copy of the message delivered to another partner, awaiting that partner's AppRec.
struct RoutedPlan: Sendable, Equatable {
    var routedMsgId: String, targetPartner: String, targetHerId: String, path: String, bytes: [UInt8]
    /// The original Sender's organisations, outermost first: a reply addressed to the gateway that
    /// names this copy (`RefToParent`) goes back to them.
    var senderChain: [OutboundMessageBuilder.Party]
    init(
        routedMsgId: String, targetPartner: String, targetHerId: String, path: String, bytes: [UInt8],
        senderChain: [OutboundMessageBuilder.Party] = []
    ) {
        self.routedMsgId = routedMsgId
        self.targetPartner = targetPartner
        self.targetHerId = targetHerId
        self.path = path
        self.bytes = bytes
        self.senderChain = senderChain
    }
}

/// A file about a message delivered earlier, tied to its routed row (spec §7). The store keeps,
/// per delivered message, the latest copy and the latest relayed AppRec (`seen`: the file the
/// plan found there, so two resends decided at once cannot both deliver again).
struct FollowUp: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        /// The receiver's AppRec carried to the original sender (its first relay, or again).
        case relay
        /// The delivered copy written once more (the receiver took the first and never answered).
        case redelivery
    }
    var kind: Kind
    var routedId: Int64
    var output: PlannedOutput
    var seen: String?
}

/// One file a decision writes.
struct PlannedOutput: Sendable, Equatable {
    enum Kind: String, Sendable { case apprec, routed, notice }
    var kind: Kind, path: String, bytes: [UInt8]
    /// Spool-relative temp file already holding `bytes` durably (the daemon stages outputs
    /// before recording them, so the database keeps a name instead of the bytes); nil when the
    /// bytes themselves are the intent.
    var staged: String?
    init(kind: Kind, path: String, bytes: [UInt8], staged: String? = nil) {
        self.kind = kind
        self.path = path
        self.bytes = bytes
        self.staged = staged
    }
}
