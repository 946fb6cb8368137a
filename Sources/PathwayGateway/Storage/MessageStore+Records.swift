import Foundation

/// The values `MessageStore` takes and returns.
extension MessageStore {
    public enum Outcome: String, Sendable, CaseIterable {
        case accepted, rejected, duplicate, quarantined
        case appRecReceived = "apprec-received"
    }
    enum State: String, Sendable { case claimed, decided, done }
    enum OutputKind: String, Sendable { case apprec, routed, notice }
    enum RoutedState: String, Sendable { case planned, written, delivered, rejected }

    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case unknownMessage(id: String)
        /// An unfinished claim for this file name exists with other content: the file was replaced.
        case claimConflict(partnerId: String, fileName: String, claimedSHA256: String, newSHA256: String)
        /// Another message already owns (sender, MsgId): the caller should have classed this one a duplicate.
        case keyAlreadyRegistered(senderHerId: String, msgId: String, firstMessageId: String)
        case invalidDecision(messageId: String, reason: String)
        case outputsNotWritten(messageId: String, paths: [String])

        public var description: String {
            switch self {
            case let .unknownMessage(id): "no message with id \(id)"
            case let .claimConflict(partner, file, old, new):
                "inbound/\(partner)/\(file) was claimed with sha256 \(old) but now has \(new)"
            case let .keyAlreadyRegistered(sender, msgId, first):
                "MsgId \(msgId) from HER-id \(sender) is already recorded as message \(first)"
            case let .invalidDecision(id, reason): "invalid decision for message \(id): \(reason)"
            case let .outputsNotWritten(id, paths): "message \(id) still has unwritten outputs: \(paths.joined(separator: ", "))"
            }
        }
    }

    struct Claim: Sendable, Equatable {
        let messageId: String
        let state: State
        /// True when an unfinished claim for the same file and content already existed (restart).
        let resumed: Bool
    }

    struct AppRecRecord: Sendable, Equatable {
        var receiptId: String, status: Int, errorCode: String?, errorText: String?
        var bytes: [UInt8]
        /// Final spool-relative path, e.g. `outbound/helse-bergen/<receiptId>.xml`.
        var path: String
        init(receiptId: String, status: Int, errorCode: String? = nil, errorText: String? = nil, bytes: [UInt8], path: String) {
            self.receiptId = receiptId; self.status = status; self.errorCode = errorCode
            self.errorText = errorText; self.bytes = bytes; self.path = path
        }
    }

    struct RoutedPlan: Sendable, Equatable {
        var routedMsgId: String, targetPartner: String, targetHerId: String, path: String, bytes: [UInt8]
        init(routedMsgId: String, targetPartner: String, targetHerId: String, path: String, bytes: [UInt8]) {
            self.routedMsgId = routedMsgId; self.targetPartner = targetPartner
            self.targetHerId = targetHerId; self.path = path; self.bytes = bytes
        }
    }

    struct PlannedOutput: Sendable, Equatable {
        var kind: OutputKind, path: String, bytes: [UInt8]
        /// Spool-relative temp file already holding `bytes` durably (the daemon stages outputs
        /// before recording them, so the database keeps a name instead of the bytes); nil when the
        /// bytes themselves are the intent.
        var staged: String?
        init(kind: OutputKind, path: String, bytes: [UInt8], staged: String? = nil) {
            self.kind = kind; self.path = path; self.bytes = bytes; self.staged = staged
        }
    }

    struct Decision: Sendable {
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
        /// Other files, e.g. the `<file>.rejected.txt` notice.
        var notices: [PlannedOutput]
        /// Spool-relative path the original moves to (archive/… or quarantine/…).
        var destination: String?
        /// The audit records as JSON (no personal data in clear), kept for recovery.
        var auditFacts: String?
        /// Final path → spool-relative temp file already holding that output (see `PlannedOutput.staged`).
        var staged: [String: String] = [:]
        init(outcome: Outcome, senderHerId: String? = nil, msgId: String? = nil, msgType: String? = nil,
                    errorCode: String? = nil, errorText: String? = nil, duplicateOf: String? = nil,
                    registersKey: Bool = false, appRec: AppRecRecord? = nil, routed: [RoutedPlan] = [],
                    notices: [PlannedOutput] = [], destination: String? = nil) {
            self.outcome = outcome; self.senderHerId = senderHerId; self.msgId = msgId; self.msgType = msgType
            self.errorCode = errorCode; self.errorText = errorText; self.duplicateOf = duplicateOf
            self.registersKey = registersKey; self.appRec = appRec; self.routed = routed
            self.notices = notices; self.destination = destination
        }
    }

    struct FirstMessage: Sendable, Equatable {
        let messageId: String, sha256: String, outcome: Outcome?, appRec: AppRecRecord?
    }

    struct PendingWork: Sendable, Equatable {
        let messageId: String, partnerId: String, fileName: String, state: State
        let outputs: [PlannedOutput]
        let destination: String?
        var auditFacts: String? = nil
    }

    struct RoutedMessage: Sendable, Equatable {
        let id: Int64, routedMsgId: String, messageId: String, targetPartner: String, targetHerId: String
        let path: String, state: RoutedState
        let receiverStatus: Int?, receiverErrorCode: String?, receiverErrorText: String?
    }

    struct Summary: Sendable, Equatable {
        let counts: [Outcome: Int]
        /// Messages claimed but not done.
        let backlog: Int
        /// Routed messages the receiver rejected: raised to operators.
        let receiverRejections: Int
        let lastActivity: Date?
    }
}

extension MessageStore.Decision {
    /// Every file this decision produces, in the order they are recorded: notices, the AppRec,
    /// routed messages. (The daemon writes the AppRec last regardless.)
    var plannedOutputs: [MessageStore.PlannedOutput] {
        (notices + (appRec.map { [MessageStore.PlannedOutput(kind: .apprec, path: $0.path, bytes: $0.bytes)] } ?? [])
            + routed.map { MessageStore.PlannedOutput(kind: .routed, path: $0.path, bytes: $0.bytes) }).map { output in
            var output = output
            output.staged = staged[output.path]
            return output
        }
    }
}
