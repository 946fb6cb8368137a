import Foundation

/// The values `MessageStore` returns (what it takes, the pipeline's `Decision`, is the pipeline's).
extension MessageStore {
    enum State: String, Sendable { case claimed, decided, done }
    enum RoutedState: String, Sendable { case planned, written, delivered, rejected }

    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case unknownMessage(id: String)
        /// An unfinished claim for this file name exists with other content: the file was replaced.
        case claimConflict(partnerId: String, fileName: String, claimedSHA256: String, newSHA256: String)
        /// Another message already owns (sender, MsgId): the caller should have classed this one a duplicate.
        case keyAlreadyRegistered(senderHerId: String, msgId: String, firstMessageId: String)
        case invalidDecision(messageId: String, reason: String)
        case outputsNotWritten(messageId: String, paths: [String])
        /// Another decision changed a delivered message's latest file since this one was planned
        /// (two resends at once): plan again.
        case deliveryChanged(routedId: Int64)

        /// A decision that collided with one recorded before it in the same batch: planned again.
        var isCollision: Bool {
            switch self {
            case .keyAlreadyRegistered, .deliveryChanged: true
            default: false
            }
        }

        public var description: String {
            switch self {
            case let .unknownMessage(id): "no message with id \(id)"
            case let .claimConflict(partner, file, old, new):
                "inbound/\(partner)/\(file) was claimed with sha256 \(old) but now has \(new)"
            case let .keyAlreadyRegistered(sender, msgId, first):
                "MsgId \(msgId) from HER-id \(sender) is already recorded as message \(first)"
            case let .invalidDecision(id, reason): "invalid decision for message \(id): \(reason)"
            case let .outputsNotWritten(id, paths):
                "message \(id) still has unwritten outputs: \(paths.joined(separator: ", "))"
            case let .deliveryChanged(id): "delivered message \(id) changed since the resend was planned"
            }
        }
    }

    struct Claim: Sendable, Equatable {
        let messageId: String
        let state: State
        /// True when an unfinished claim for the same file and content already existed (restart).
        let resumed: Bool
    }

    struct FirstMessage: Sendable, Equatable {
        let messageId: String, sha256: String, outcome: Decision.Outcome?, appRec: AppRecRecord?
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
        /// The original message: its sender's HER-id, the inbox it came from, its own MsgId (the
        /// routed MsgId for copies since v8; a gateway MsgId for copies of earlier versions).
        let senderHerId: String, senderPartner: String, originalMsgId: String
        /// The original Sender's organisations, outermost first (nil: a copy of an earlier version).
        var senderChain: [OutboundMessageBuilder.Party]? = nil
        /// The Id of the receiver's AppRec that answered it (nil: not answered yet).
        var answeredBy: String? = nil
    }

    struct Summary: Sendable, Equatable {
        let counts: [Decision.Outcome: Int]
        /// Messages claimed but not done.
        let backlog: Int
        /// Routed messages the receiver rejected: raised to operators.
        let receiverRejections: Int
        let lastActivity: Date?
    }
}
