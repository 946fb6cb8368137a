import Foundation

/// `status`'s view of what waits for an AppRec (spec §7 "Waiting"): per receiving partner, per
/// receiver (HER-id, with the configured name) and the few messages waiting longest.
extension StatusReport {
    struct AwaitingAppRec: Sendable, Equatable, Encodable {
        /// One receiver: a contact point, or a partner's HER-id (replies to a hospital).
        struct Receiver: Sendable, Equatable, Encodable {
            var partner: String
            var herId: String
            /// The contact point's name, else the partner's; absent when the configuration has neither.
            var name: String?
            var count: Int
            var oldest: Date
            var oldestAgeSeconds: Double
        }

        /// One delivered message still unanswered; ids only, never the patient.
        struct Message: Sendable, Equatable, Encodable {
            var partner: String
            var herId: String
            var name: String?
            /// The audit records' `gatewayId`; the original is archived as `archive/<sender>/<gatewayId>.xml`.
            var gatewayId: String
            /// The delivered copy's MsgId: `audit show` takes it; the receiver's AppRec names it as OriginalMsgId.
            var msgId: String
            var since: Date
            var ageSeconds: Double
        }

        /// How many of the longest-waiting messages `status` lists.
        static let longestListed = 5

        var count: Int
        var oldestAgeSeconds: Double?
        var byPartner: [OperationsQueries.PendingAppRecs]
        var byReceiver: [Receiver]
        var longest: [Message]

        init(
            receivers: [OperationsQueries.AwaitingReceiver], longest: [OperationsQueries.AwaitingMessage],
            config: GatewayConfig, now: Date
        ) {
            count = receivers.reduce(0) { $0 + $1.count }
            oldestAgeSeconds = receivers.map { now.timeIntervalSince($0.oldest) }.max()
            byPartner = OperationsQueries.byPartner(receivers)
            byReceiver = receivers.map {
                Receiver(
                    partner: $0.partner, herId: $0.herId,
                    name: config.receiverName(partner: $0.partner, herId: $0.herId),
                    count: $0.count, oldest: $0.oldest, oldestAgeSeconds: max(0, now.timeIntervalSince($0.oldest)))
            }
            self.longest = longest.map {
                Message(
                    partner: $0.partner, herId: $0.herId,
                    name: config.receiverName(partner: $0.partner, herId: $0.herId),
                    gatewayId: $0.gatewayId, msgId: $0.msgId, since: $0.since,
                    ageSeconds: max(0, now.timeIntervalSince($0.since)))
            }
        }

        /// The text lines: the total, each partner with its receivers under it, then the longest waiting.
        func lines(checkedAt: Date) -> [String] {
            var lines = [
                "awaiting AppRec:    \(count) routed message(s)"
                    + (oldestAgeSeconds.map { ", oldest \(StatusReport.age($0))" } ?? "")
            ]
            for pending in byPartner {
                lines.append(
                    "  \(pending.partner): \(pending.count), oldest \(StatusReport.age(checkedAt.timeIntervalSince(pending.oldest)))"
                )
                for receiver in byReceiver where receiver.partner == pending.partner {
                    lines.append(
                        "    HER \(receiver.herId)" + (receiver.name.map { " (\($0))" } ?? "")
                            + ": \(receiver.count), oldest \(StatusReport.age(receiver.oldestAgeSeconds))")
                }
            }
            guard !longest.isEmpty else { return lines }
            lines.append("waiting longest:")
            for message in longest {
                lines.append(
                    "  \(StatusReport.age(message.ageSeconds)): \(message.partner) HER \(message.herId), "
                        + "gateway id \(message.gatewayId), MsgId \(message.msgId)")
            }
            return lines
        }
    }
}
