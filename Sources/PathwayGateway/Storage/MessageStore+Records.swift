import Foundation

/// The values `MessageStore` takes and returns.
extension MessageStore {
    public enum Outcome: String, Sendable, CaseIterable {
        case accepted, rejected, duplicate, quarantined
        case appRecReceived = "apprec-received"
    }
    public enum State: String, Sendable { case claimed, decided, done }
    public enum OutputKind: String, Sendable { case apprec, routed, notice }
    public enum RoutedState: String, Sendable { case planned, written, delivered, rejected }

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

    public struct Claim: Sendable, Equatable {
        public let messageId: String
        public let state: State
        /// True when an unfinished claim for the same file and content already existed (restart).
        public let resumed: Bool
    }

    public struct AppRecRecord: Sendable, Equatable {
        public var receiptId: String, status: Int, errorCode: String?, errorText: String?
        public var bytes: [UInt8]
        /// Final spool-relative path, e.g. `outbound/helse-bergen/<receiptId>.xml`.
        public var path: String
        public init(receiptId: String, status: Int, errorCode: String? = nil, errorText: String? = nil, bytes: [UInt8], path: String) {
            self.receiptId = receiptId; self.status = status; self.errorCode = errorCode
            self.errorText = errorText; self.bytes = bytes; self.path = path
        }
    }

    public struct RoutedPlan: Sendable, Equatable {
        public var routedMsgId: String, targetPartner: String, targetHerId: String, path: String, bytes: [UInt8]
        public init(routedMsgId: String, targetPartner: String, targetHerId: String, path: String, bytes: [UInt8]) {
            self.routedMsgId = routedMsgId; self.targetPartner = targetPartner
            self.targetHerId = targetHerId; self.path = path; self.bytes = bytes
        }
    }

    public struct PlannedOutput: Sendable, Equatable {
        public var kind: OutputKind, path: String, bytes: [UInt8]
        /// Spool-relative temp file already holding `bytes` durably (the daemon stages outputs
        /// before recording them, so the database keeps a name instead of the bytes); nil when the
        /// bytes themselves are the intent.
        public var staged: String?
        public init(kind: OutputKind, path: String, bytes: [UInt8], staged: String? = nil) {
            self.kind = kind; self.path = path; self.bytes = bytes; self.staged = staged
        }
    }

    public struct Decision: Sendable {
        public var outcome: Outcome
        public var senderHerId: String?, msgId: String?, msgType: String?
        public var errorCode: String?, errorText: String?
        /// Set for `.duplicate`: the first message with the same (sender, MsgId).
        public var duplicateOf: String?
        /// Register (sender, MsgId) as first seen here. True for business messages from a
        /// legitimate sender; false for duplicates, spoofed senders (X99) and received AppRecs.
        public var registersKey: Bool
        public var appRec: AppRecRecord?
        public var routed: [RoutedPlan]
        /// Other files, e.g. the `<file>.rejected.txt` notice.
        public var notices: [PlannedOutput]
        /// Spool-relative path the original moves to (archive/… or quarantine/…).
        public var destination: String?
        /// The audit records as JSON (no personal data in clear), kept for recovery.
        public var auditFacts: String?
        /// Final path → spool-relative temp file already holding that output (see `PlannedOutput.staged`).
        public var staged: [String: String] = [:]
        public init(outcome: Outcome, senderHerId: String? = nil, msgId: String? = nil, msgType: String? = nil,
                    errorCode: String? = nil, errorText: String? = nil, duplicateOf: String? = nil,
                    registersKey: Bool = false, appRec: AppRecRecord? = nil, routed: [RoutedPlan] = [],
                    notices: [PlannedOutput] = [], destination: String? = nil) {
            self.outcome = outcome; self.senderHerId = senderHerId; self.msgId = msgId; self.msgType = msgType
            self.errorCode = errorCode; self.errorText = errorText; self.duplicateOf = duplicateOf
            self.registersKey = registersKey; self.appRec = appRec; self.routed = routed
            self.notices = notices; self.destination = destination
        }
    }

    public struct FirstMessage: Sendable, Equatable {
        public let messageId: String, sha256: String, outcome: Outcome?, appRec: AppRecRecord?
    }

    public struct PendingWork: Sendable, Equatable {
        public let messageId: String, partnerId: String, fileName: String, state: State
        public let outputs: [PlannedOutput]
        public let destination: String?
        public var auditFacts: String? = nil
    }

    public struct RoutedMessage: Sendable, Equatable {
        public let id: Int64, routedMsgId: String, messageId: String, targetPartner: String, targetHerId: String
        public let path: String, state: RoutedState
        public let receiverStatus: Int?, receiverErrorCode: String?, receiverErrorText: String?
    }

    public struct Summary: Sendable, Equatable {
        public let counts: [Outcome: Int]
        /// Messages claimed but not done.
        public let backlog: Int
        /// Routed messages the receiver rejected: raised to operators.
        public let receiverRejections: Int
        public let lastActivity: Date?
    }
}

extension MessageStore.Decision {
    /// Every file this decision produces, in the order they are recorded: notices, the AppRec,
    /// routed messages. (The daemon writes the AppRec last regardless.)
    public var plannedOutputs: [MessageStore.PlannedOutput] {
        (notices + (appRec.map { [MessageStore.PlannedOutput(kind: .apprec, path: $0.path, bytes: $0.bytes)] } ?? [])
            + routed.map { MessageStore.PlannedOutput(kind: .routed, path: $0.path, bytes: $0.bytes) }).map { output in
            var output = output
            output.staged = staged[output.path]
            return output
        }
    }
}
