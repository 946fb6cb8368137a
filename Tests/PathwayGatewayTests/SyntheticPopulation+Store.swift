import Foundation
import Synchronization
@testable import PathwayGateway

/// A settable clock for `MessageStore(now:)`: the simulation decides what time it is.
final class TestClock: Sendable {
    private let current = Mutex(Date(timeIntervalSince1970: 0))
    var now: Date {
        get { current.withLock { $0 } }
        set { current.withLock { $0 = newValue } }
    }
}

extension SyntheticPopulation {
    /// What became of a routed copy (keyed by patient and event): most municipalities answer OK
    /// within hours; a few reject; some never answer (still pending).
    enum Delivery { case delivered(hours: Double), rejected(hours: Double), pending }

    static func delivery(_ key: String) -> Delivery {
        var rng = SplitMix(seed: key.utf8.reduce(UInt64(14_695_981_039_346_656_037)) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 })
        switch rng.next(100) {
        case 0..<88: return .delivered(hours: 0.1 + Double(rng.next(480)) / 10)
        case 88..<92: return .rejected(hours: 1 + Double(rng.next(100)) / 10)
        default: return .pending
        }
    }

    /// SP1 (not its resend) and NPF-KOMMUNE go on to the kommune's contact point.
    static func isRouted(_ o: PathwayObservation) -> Bool {
        (o.event == "PFH-SP1" && !o.messageId.hasSuffix("-again")) || o.event == "NPF-KOMMUNE"
    }

    /// The routed rows the daemon would have for these patients (for pure report tests).
    func routedRows(config: GatewayConfig) -> [MonitoringQuery.RoutedRow] {
        observations.filter(Self.isRouted).map { sp1 in
            let target = config.contactPoint(kommune: sp1.kommune!, pathway: sp1.pathway)!.partner
            var row = MonitoringQuery.RoutedRow(messageId: sp1.messageId, senderPartner: sp1.partner, targetPartner: target,
                                                state: .written, createdAt: sp1.receivedAt)
            switch Self.delivery(sp1.pseudonym + sp1.event) {
            case let .delivered(hours): (row.state, row.answeredAt) = (.delivered, sp1.receivedAt.addingTimeInterval(hours * 3600))
            case let .rejected(hours): (row.state, row.answeredAt) = (.rejected, sp1.receivedAt.addingTimeInterval(hours * 3600))
            case .pending: break
            }
            return row
        }
    }

    /// Puts the whole population into a real state database through the store's own operations:
    /// each SP1 is claimed, decided with its routed copy, written, and (mostly) answered by the
    /// municipality; every event goes into the timeline (SP2/SP3 without a message row).
    /// All of it in one outer transaction (each operation a SAVEPOINT), at the simulated times.
    func record(into store: MessageStore, clock: TestClock, config: GatewayConfig) throws {
        let timelines = PathwayTimelines(store: store)
        try store.db.transaction {
            for var observation in observations.sorted(by: { $0.receivedAt < $1.receivedAt }) {
                clock.now = observation.receivedAt
                // Only routed messages need a message row (the routed table refers to it).
                guard Self.isRouted(observation) else {
                    try timelines.record(observation)
                    continue
                }
                let claim = try store.claim(partnerId: observation.partner, fileName: observation.messageId + ".xml",
                                            sha256: String(repeating: "a", count: 64))
                observation.messageId = claim.messageId
                let routedId = "routed-\(claim.messageId)"
                let point = config.contactPoint(kommune: observation.kommune!, pathway: observation.pathway)!
                let decision = Decision(
                    outcome: .accepted, senderHerId: "8150010", msgId: observation.msgId, msgType: "DIALOG_HELSEFAGLIG",
                    routed: [.init(routedMsgId: routedId, targetPartner: point.partner, targetHerId: point.herId,
                                   path: "outbound/\(point.partner)/\(routedId).xml", bytes: [])],
                    destination: "archive/x")
                try store.recordDecision(messageId: claim.messageId, decision)
                try timelines.record(observation)
                try store.markOutputsWritten(messageId: claim.messageId)
                try store.markDone(messageId: claim.messageId)
                let routed = try store.matchAppRec(originalMsgId: routedId)!
                switch Self.delivery(observation.pseudonym + observation.event) {
                case let .delivered(hours):
                    clock.now = observation.receivedAt.addingTimeInterval(hours * 3600)
                    try store.recordReceiverAppRec(routedId: routed.id, status: 1)
                case let .rejected(hours):
                    clock.now = observation.receivedAt.addingTimeInterval(hours * 3600)
                    try store.recordReceiverAppRec(routedId: routed.id, status: 2, errorCode: "E21", errorText: "ukjent mottaker")
                case .pending: break
                }
            }
        }
    }
}
