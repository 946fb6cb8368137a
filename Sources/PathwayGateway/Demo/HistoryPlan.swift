import Foundation

/// The events of a `SyntheticHistory`, drawn from a seeded generator, in arrival order. Shares
/// follow what the monitoring has seen in practice: most SP2s and SP3s on time, a fifth or more
/// never, a few early or late; some SP1s without a diagnosis date; a few closed early.
struct HistoryPlan {
    struct Arrival {
        var observation: PathwayObservation
        /// The kommune's contact point an SP1 goes on to.
        var routeTo: ContactPoint?
        /// The kommune's AppRec for the routed copy: after `hours`, status 1 (OK) or 2; nil: pending.
        var answer: (hours: Double, status: Int)?
        /// An SP1 for a kommune without contact point: rejected E21, nothing recorded.
        var noContactPoint = false
    }

    let config: GatewayConfig
    let start: CalendarDate
    let days: Int
    var random: SplitMix64
    private(set) var patients = 0

    init(config: GatewayConfig, start: CalendarDate, days: Int, seed: UInt64) {
        self.config = config
        self.start = start
        self.days = days
        random = SplitMix64(seed: seed)
    }

    /// Patients until about `messages` messages, sorted by arrival.
    mutating func arrivals(messages: Int) -> [Arrival] {
        let points = config.contactPoints.filter { $0.pathway == "pakkeforlop-hjem" }
        let routed = Set(config.contactPoints.map(\.partner))
        let hospitals = config.partners.filter { !$0.isInternal }.map(\.id).filter { !routed.contains($0) }
        guard !points.isEmpty, !hospitals.isEmpty else { return [] }
        let last = start.adding(days: days - 1)
        var arrivals: [Arrival] = []
        while arrivals.count < messages {
            patients += 1
            arrivals += patient(
                patients, point: points[random.below(points.count)], hospital: hospitals[random.below(hospitals.count)],
                last: last)
        }
        return arrivals.sorted {
            ($0.observation.receivedAt, $0.observation.messageId) < (
                $1.observation.receivedAt, $1.observation.messageId
            )
        }
    }

    /// One patient's messages up to `last`.
    private mutating func patient(_ n: Int, point: ContactPoint, hospital: String, last: CalendarDate) -> [Arrival] {
        let pseudonym = "p-" + String(format: "%016llx%016llx", random.next(), random.next())
        let diagnosis = start.adding(days: random.below(days))
        let sp1 = diagnosis.adding(days: 5 + random.below(36))
        let stated = random.below(100) < 85
        let kommune = point.kommune == "1508" && random.below(3) == 0 ? "1507" : point.kommune
        func event(_ code: String, _ date: CalendarDate, partner: String, delay: Int) -> PathwayObservation {
            PathwayObservation(
                messageId: "h\(n)-\(code)", pseudonym: pseudonym, pathway: "pakkeforlop-hjem", event: code,
                eventDate: date, diagnosisDate: code == "PFH-SP1" && stated ? diagnosis : nil, kommune: kommune,
                partner: partner, msgId: "h\(n)-\(code)",
                receivedAt: SyntheticHistory.noon(date.adding(days: delay)).addingTimeInterval(
                    Double(random.below(28_800))))
        }
        var out: [Arrival] = []
        var first = Arrival(
            observation: event("PFH-SP1", sp1, partner: hospital, delay: random.below(3)), routeTo: point)
        if random.below(100) < 3 {
            first.noContactPoint = true
            first.observation.kommune = "9999"
        } else {
            let roll = random.below(100)
            first.answer =
                roll < 90
                ? (0.1 + Double(random.below(480)) / 10, 1) : roll < 93 ? (1 + Double(random.below(100)) / 10, 2) : nil
        }
        out.append(first)
        guard !first.noContactPoint else { return out.filter { CalendarDate($0.observation.receivedAt) <= last } }
        let anchor = stated ? diagnosis : sp1
        let closedOn = random.below(100) < 5 ? sp1.adding(days: 20 + random.below(400)) : nil
        for (code, from, to) in [("PFH-SP2", 3, 4), ("PFH-SP3", 12, 18)] {
            guard let date = outcomeDate(anchor: anchor, from: from, to: to), closedOn.map({ date < $0 }) ?? true else {
                continue
            }
            out.append(Arrival(observation: event(code, date, partner: point.partner, delay: 1 + random.below(3))))
        }
        if let closedOn {
            var closing = Arrival(observation: event("PFH-AVSLUTTET", closedOn, partner: point.partner, delay: 1))
            closing.observation.reason = ["DOD", "DOD", "ONSKER-IKKE", "FLYTTET", "ANNET"][random.below(5)]
            out.append(closing)
        }
        return out.filter { CalendarDate($0.observation.receivedAt) <= last }
    }

    /// When the kommune did it: on time (60 %), early (8 %), late (12 %) or never (nil, 20 %).
    private mutating func outcomeDate(anchor: CalendarDate, from: Int, to: Int) -> CalendarDate? {
        let opens = anchor.adding(months: from)
        let closes = anchor.adding(months: to)
        switch random.below(100) {
        case ..<60: return opens.adding(days: random.below(max(1, opens.days(until: closes) + 1)))
        case ..<68: return opens.adding(days: -1 - random.below(30))
        case ..<80: return closes.adding(days: 1 + random.below(90))
        default: return nil
        }
    }
}
