import Foundation
import Synchronization

/// A state database with years of realistic pathway history (issue 18, part 6): patients of
/// Pakkeforløp hjem diagnosed over `days` days from `start` in the configured kommuner, each with
/// an SP1 from a hospital (routed, and answered by the kommune's AppRec mostly within hours), an
/// SP2 and an SP3 early, on time, late or never, a few closed early (`PFH-AVSLUTTET`) and a few
/// SP1s rejected E21 because their kommune has no contact point. Written through the store's own
/// operations, one transaction per simulated day, on the store's injectable clock: what the daemon
/// would have left, so that `status`, `pathways due` and the report can be seen and measured with
/// history. Seeded: the same seed gives the same history. Pseudonyms only; no identities.
public struct SyntheticHistory: Sendable {
    public struct Summary: Sendable, CustomStringConvertible {
        public var patients = 0
        public var messages = 0
        public var pathwayEvents = 0

        public var description: String { "\(messages) messages, \(patients) patients, \(pathwayEvents) pathway events" }
    }

    let config: GatewayConfig
    let start: CalendarDate
    let days: Int
    let seed: UInt64

    public init(config: GatewayConfig, start: CalendarDate, days: Int, seed: UInt64 = 1) {
        self.config = config
        self.start = start
        self.days = days
        self.seed = seed
    }

    /// Writes about `messages` inbound messages of history into the state database at `path`
    /// (created if missing); the last simulated day is `start + days - 1`.
    public func write(to path: String, messages: Int) throws -> Summary {
        let clock = Clock(Self.noon(start))
        let store = try MessageStore(path: path, now: { clock.now })
        let timelines = try PathwayTimelines.opened(store: store, pseudonymizer: nil, catalog: config.pathways)
        var plan = HistoryPlan(config: config, start: start, days: days, seed: seed)
        let arrivals = plan.arrivals(messages: messages)
        var summary = Summary(patients: plan.patients)
        var index = arrivals.startIndex
        while index < arrivals.endIndex {
            let day = CalendarDate(arrivals[index].observation.receivedAt)
            try store.db.transaction {
                while index < arrivals.endIndex, CalendarDate(arrivals[index].observation.receivedAt) == day {
                    let arrival = arrivals[index]
                    clock.now = arrival.observation.receivedAt
                    try record(arrival, store: store, timelines: timelines, clock: clock, summary: &summary)
                    index += 1
                }
            }
        }
        return summary
    }

    /// One inbound message: claimed, decided (routed for an SP1, E21 for a kommune without
    /// contact point), its event recorded, done; the kommune's AppRec for a routed copy.
    private func record(
        _ arrival: HistoryPlan.Arrival, store: MessageStore, timelines: PathwayTimelines,
        clock: Clock, summary: inout Summary
    ) throws {
        let o = arrival.observation
        let claim = try store.claim(
            partnerId: o.partner, fileName: o.messageId + ".xml", sha256: String(repeating: "0", count: 64))
        summary.messages += 1
        var observation = o
        observation.messageId = claim.messageId
        let routedId = "routed-\(claim.messageId)"
        var decision = Decision(
            outcome: .accepted, senderHerId: "8150010", msgId: o.msgId, msgType: "DIALOG_HELSEFAGLIG",
            destination: "archive/\(o.partner)/\(claim.messageId).xml")
        if arrival.noContactPoint {
            (decision.outcome, decision.errorCode, decision.errorText) = (
                .rejected, "E21", "ingen kontaktpunkt for kommunen"
            )
        } else if let point = arrival.routeTo {
            decision.routed = [
                .init(
                    routedMsgId: routedId, targetPartner: point.partner, targetHerId: point.herId,
                    path: "outbound/\(point.partner)/\(routedId).xml", bytes: [])
            ]
        }
        _ = try store.recordDecision(messageId: claim.messageId, decision, pathwayEvent: o.event)
        if !arrival.noContactPoint, try timelines.record(observation) { summary.pathwayEvents += 1 }
        _ = try store.markOutputsWritten(messageId: claim.messageId)
        try store.markDone(messageId: claim.messageId)
        guard arrival.routeTo != nil, let answer = arrival.answer,
            let routed = try store.matchAppRec(originalMsgId: routedId)
        else { return }
        clock.now = o.receivedAt.addingTimeInterval(answer.hours * 3600)
        _ = try store.recordReceiverAppRec(
            routedId: routed.id, status: answer.status, errorCode: answer.status == 1 ? nil : "E20",
            errorText: answer.status == 1 ? nil : "pasienten er ikke kjent")
    }

    /// The simulation's clock, which the store reads for every timestamp it writes.
    final class Clock: Sendable {
        private let current: Mutex<Date>
        init(_ start: Date) { current = Mutex(start) }
        var now: Date {
            get { current.withLock { $0 } }
            set { current.withLock { $0 = newValue } }
        }
    }

    /// Noon in Oslo (11:00 UTC in winter) on `day`: a plausible arrival time.
    static func noon(_ day: CalendarDate) -> Date {
        Date(timeIntervalSince1970: Double(day.dayNumber) * 86_400 + 11 * 3600)
    }
}
