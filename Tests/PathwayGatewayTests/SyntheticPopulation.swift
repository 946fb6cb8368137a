import Foundation
@testable import PathwayGateway

/// A reproducible population of Pakkeforløp hjem patients over a simulated period: who was
/// diagnosed when, in which kommune, and whether SP2 and SP3 came early, on time, late or never,
/// plus the irregularities real traffic has (SP1 arriving after SP2, a resent SP1, retired
/// kommunenummer). It knows the truth, so it can say what the monitor must report on any day.
struct SyntheticPopulation {
    enum Outcome: CaseIterable { case early, onTime, late, never }

    struct Patient {
        var pseudonym: String
        /// As the messages state it (may be retired, e.g. 1507).
        var kommune: String
        var hospital: String
        var diagnosis: CalendarDate
        var statesDiagnosis: Bool
        var sp1: CalendarDate
        var sp1Delay: Int
        var resendsSp1: Bool
        var sp2: (Outcome, CalendarDate?)
        var sp3: (Outcome, CalendarDate?)
        /// A referral for municipal follow-up in the mental-health pathway (type D01/D11/D12), for some.
        var referral: (date: CalendarDate, type: String)?
    }

    static let kommuner = ["4601", "0301", "5001", "1103", "1508", "1507", "5501"]
    static let hospitals = ["helse-bergen", "haraldsplass"]
    static let aliases = ["1507": "1508"]

    var patients: [Patient] = []
    let start: CalendarDate
    let days: Int

    /// `count` patients diagnosed uniformly over `days` days from `start` (seeded, deterministic).
    init(count: Int, start: CalendarDate, days: Int, seed: UInt64 = 42) {
        self.start = start
        self.days = days
        var rng = SplitMix(seed: seed)
        let pfh = PatientTimelineTests.pfh
        for index in 0..<count {
            let diagnosis = start.adding(days: rng.next(days))
            let anchor = diagnosis
            let sp1 = diagnosis.adding(days: 3 + rng.next(25))
            func due(_ code: String, weights: [Int]) -> (Outcome, CalendarDate?) {
                let window = pfh.event(code: code)!.due!
                let (opens, closes) = (window.opens(after: anchor), window.closes(after: anchor))
                let roll = rng.next(weights.reduce(0, +))
                var acc = 0
                let outcome = Outcome.allCases.first { acc += weights[Outcome.allCases.firstIndex(of: $0)!]; return roll < acc }!
                switch outcome {
                case .early: return (.early, opens.adding(days: -(1 + rng.next(20))))
                case .onTime: return (.onTime, opens.adding(days: rng.next(opens.days(until: closes) + 1)))
                case .late: return (.late, closes.adding(days: 1 + rng.next(60)))
                case .never: return (.never, nil)
                }
            }
            let pseudonym = "p-" + SHA256.hex(Array("synthetic-\(seed)-\(index)".utf8)).prefix(32)
            patients.append(Patient(
                pseudonym: pseudonym, kommune: Self.kommuner[rng.next(Self.kommuner.count)],
                hospital: Self.hospitals[rng.next(Self.hospitals.count)], diagnosis: diagnosis, statesDiagnosis: rng.next(4) != 0,
                sp1: sp1, sp1Delay: rng.next(10) == 0 ? 140 : rng.next(3), resendsSp1: rng.next(25) == 0,
                sp2: due("PFH-SP2", weights: [5, 70, 10, 15]), sp3: due("PFH-SP3", weights: [3, 60, 12, 25]),
                referral: rng.next(8) == 0 ? (diagnosis.adding(days: rng.next(300)), ["D01", "D11", "D12"][rng.next(3)]) : nil))
        }
    }

    /// Every message's observation, with its arrival time (noon Oslo on the day it arrived). One in
    /// ten SP1s arrives 140 days late, after its SP2.
    var observations: [PathwayObservation] {
        patients.flatMap { p -> [PathwayObservation] in
            func event(_ code: String, _ date: CalendarDate, delay: Int, diagnosis: CalendarDate? = nil, suffix: String = "") -> PathwayObservation {
                PathwayObservation(messageId: "\(p.pseudonym)-\(code)\(suffix)", pseudonym: p.pseudonym, pathway: "pakkeforlop-hjem",
                                   event: code, eventDate: date, diagnosisDate: diagnosis, kommune: p.kommune,
                                   partner: code == "PFH-SP1" ? p.hospital : "kommune-\(p.kommune)", msgId: "msg-\(code)-\(p.pseudonym.suffix(6))",
                                   receivedAt: Self.noon(date.adding(days: delay)))
            }
            var list = [event("PFH-SP1", p.sp1, delay: p.sp1Delay, diagnosis: p.statesDiagnosis ? p.diagnosis : nil)]
            if p.resendsSp1 { list.append(event("PFH-SP1", p.sp1.adding(days: 2), delay: 0, diagnosis: p.statesDiagnosis ? p.diagnosis : nil, suffix: "-again")) }
            if let date = p.sp2.1 { list.append(event("PFH-SP2", date, delay: 1)) }
            if let date = p.sp3.1 { list.append(event("PFH-SP3", date, delay: 2)) }
            if let referral = p.referral {
                var npf = event("NPF-KOMMUNE", referral.date, delay: 0)
                (npf.pathway, npf.type, npf.partner) = ("psykisk-helse-rus", referral.type, p.hospital)
                list.append(npf)
            }
            return list
        }
    }

    static func noon(_ day: CalendarDate) -> Date { Date(timeIntervalSince1970: Double(day.dayNumber) * 86_400 + 11 * 3600) }

    // MARK: The truth on a given day

    /// Whether the message for `event` (of patient `p`) had arrived by the end of `today`.
    private func arrived(_ date: CalendarDate?, delay: Int, by today: CalendarDate) -> Bool {
        date.map { $0.adding(days: delay) <= today } ?? false
    }

    /// The episode's anchor as the gateway knows it on `today`: nil until the first SP1 arrives.
    func anchor(_ p: Patient, on today: CalendarDate) -> CalendarDate? {
        let first = arrived(p.sp1, delay: p.sp1Delay, by: today)
        let resent = p.resendsSp1 && arrived(p.sp1.adding(days: 2), delay: 0, by: today)
        guard first || resent else { return nil }
        return p.statesDiagnosis ? p.diagnosis : (first ? p.sp1 : p.sp1.adding(days: 2))
    }

    /// What the monitor must say about `code` for patient `p` on `today`, given only the messages
    /// that had arrived by then.
    func expectedState(_ p: Patient, _ code: String, on today: CalendarDate) -> DueState {
        guard let anchor = anchor(p, on: today) else { return .noAnchor }
        let (planned, delay) = code == "PFH-SP2" ? (p.sp2, 1) : (p.sp3, 2)
        let window = PatientTimelineTests.pfh.event(code: code)!.due!
        let (opens, closes) = (window.opens(after: anchor), window.closes(after: anchor))
        if arrived(planned.1, delay: delay, by: today), let date = planned.1 {
            return date < opens ? .early : date <= closes ? .onTime : .late
        }
        if today < opens { return .upcoming }
        if today <= closes { return .open }
        if arrived(p.sp3.1, delay: 2, by: today) { return .missed }
        if today > anchor.adding(months: 24) { return .missed }
        // An SP2 still missing when SP3's window opens is not done (spec §5), no longer overdue.
        if code == "PFH-SP2", today >= PatientTimelineTests.sp3.due!.opens(after: anchor) { return .missed }
        return .overdue
    }

    func currentKommune(_ p: Patient) -> String { Self.aliases[p.kommune] ?? p.kommune }
}

/// A tiny seeded generator (SplitMix64): the same population on every run and platform.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next(_ bound: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Int(z % UInt64(bound))
    }
}
