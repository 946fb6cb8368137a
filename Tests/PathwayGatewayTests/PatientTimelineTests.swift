import Foundation
import Testing
@testable import PathwayGateway

/// Episodes, windows and flags for single patients (the edges; populations are in
/// PathwayPopulationTests).
@Suite struct PatientTimelineTests {
    static let pfh = PathwayCatalog.bundled.definition(id: "pakkeforlop-hjem")!
    static let sp2 = pfh.event(code: "PFH-SP2")!
    static let sp3 = pfh.event(code: "PFH-SP3")!
    static let patient = "p-" + String(repeating: "ab", count: 16)

    static func d(_ text: String) -> CalendarDate { CalendarDate(iso: text)! }

    /// An observation received at noon (Oslo) on `received` (default: its own date).
    static func event(_ code: String, _ date: String, received: String? = nil, diagnosis: String? = nil,
                      kommune: String = "4601", partner: String = "helse-bergen", id: String? = nil) -> PathwayObservation {
        let day = d(received ?? date)
        return PathwayObservation(messageId: id ?? "\(code)-\(date)-\(received ?? "")", pseudonym: patient, pathway: "pakkeforlop-hjem",
                                  event: code, eventDate: d(date), diagnosisDate: diagnosis.map(d), kommune: kommune, partner: partner,
                                  msgId: "m-\(code)-\(date)", receivedAt: Date(timeIntervalSince1970: Double(day.dayNumber) * 86_400 + 11 * 3600))
    }

    private func episodes(_ events: [PathwayObservation], aliases: [String: String] = [:]) -> [PathwayEpisode] {
        PatientTimeline.episodes(events, definition: Self.pfh, aliases: aliases)
    }

    /// Diagnosis 2026-01-31: SP2 window 2026-04-30 … 2026-05-31 (3 and 4 months, end of month
    /// clamped), SP3 window 2027-01-31 … 2027-07-31.
    @Test(arguments: [
        ("2026-04-29", DueState.early), ("2026-04-30", .onTime), ("2026-05-31", .onTime), ("2026-06-01", .late),
    ])
    func sp2WindowEdges(done: String, expected: DueState) {
        let e = episodes([Self.event("PFH-SP1", "2026-02-10", diagnosis: "2026-01-31"), Self.event("PFH-SP2", done)])
        #expect(e.count == 1)
        #expect(e[0].anchor == Self.d("2026-01-31") && e[0].anchorSource == .diagnosisDate)
        #expect(e[0].state(of: Self.sp2, on: Self.d("2027-12-31")) == expected)
    }

    @Test(arguments: [
        ("2027-01-30", DueState.early), ("2027-01-31", .onTime), ("2027-07-31", .onTime), ("2027-08-01", .late),
    ])
    func sp3WindowEdges(done: String, expected: DueState) {
        let e = episodes([Self.event("PFH-SP1", "2026-01-31"), Self.event("PFH-SP3", done)])
        #expect(e[0].anchorSource == .startEvent, "without a diagnosis date the SP1 date stands in")
        #expect(e[0].state(of: Self.sp3, on: Self.d("2028-12-31")) == expected)
    }

    /// Not done: upcoming until the window opens, open up to and including its last day, then
    /// overdue, and missed once the pathway is over (SP3 done, or 24 months after the diagnosis),
    /// or, for SP2, once SP3's window opens (spec §5: not done, no longer overdue).
    @Test func openOverdueAndMissedOnTheEdgeDays() {
        let e = episodes([Self.event("PFH-SP1", "2026-03-15", diagnosis: "2026-03-02")])[0]
        #expect(e.state(of: Self.sp2, on: Self.d("2026-06-01")) == .upcoming)
        #expect(e.state(of: Self.sp2, on: Self.d("2026-06-02")) == .open)   // exactly 3 months
        #expect(e.state(of: Self.sp2, on: Self.d("2026-07-02")) == .open)   // exactly 4 months
        #expect(e.state(of: Self.sp2, on: Self.d("2026-07-03")) == .overdue) // 4 months + 1 day
        #expect(e.state(of: Self.sp3, on: Self.d("2027-03-02")) == .open)   // 12 months
        #expect(e.state(of: Self.sp3, on: Self.d("2027-09-02")) == .open)   // 18 months
        #expect(e.state(of: Self.sp3, on: Self.d("2027-09-03")) == .overdue)
        #expect(e.state(of: Self.sp2, on: Self.d("2027-03-01")) == .overdue) // the day before SP3 opens
        #expect(e.state(of: Self.sp2, on: Self.d("2027-03-02")) == .missed)  // SP3's window opens: not done
        #expect(e.state(of: Self.sp3, on: Self.d("2028-03-02")) == .overdue) // 24 months: still running
        #expect(e.state(of: Self.sp3, on: Self.d("2028-03-03")) == .missed)
        let completed = episodes([Self.event("PFH-SP1", "2026-03-15", diagnosis: "2026-03-02"), Self.event("PFH-SP3", "2027-04-01")])[0]
        #expect(completed.state(of: Self.sp2, on: Self.d("2027-04-02")) == .missed, "SP3 done: a missing SP2 is no longer overdue")
    }

    @Test func sp2ArrivingBeforeSp1IsKeptAndFlagged() {
        let sp2 = Self.event("PFH-SP2", "2026-05-20", received: "2026-05-21")
        let lateSp1 = Self.event("PFH-SP1", "2026-02-01", received: "2026-05-25")
        let before = episodes([sp2])
        #expect(before.count == 1 && before[0].anchor == nil)
        #expect(before[0].entries[0].flags == [.noStart])
        let after = episodes([sp2, lateSp1])
        #expect(after.count == 1)
        #expect(after[0].entries.map(\.observation.event) == ["PFH-SP1", "PFH-SP2"])
        #expect(after[0].entries[1].flags == [.arrivedBeforeStart])
        #expect(after[0].state(of: Self.sp2, on: Self.d("2026-06-01")) == .onTime)
    }

    @Test func secondSp1JoinsTheEpisodeAndAStatedDiagnosisDateWins() {
        let e = episodes([Self.event("PFH-SP1", "2026-02-01"), Self.event("PFH-SP1", "2026-02-05", diagnosis: "2026-01-20"),
                          Self.event("PFH-SP1", "2026-02-09", diagnosis: "2026-01-25")])
        #expect(e.count == 1)
        #expect(e[0].anchor == Self.d("2026-01-20"))
        #expect(e[0].entries.map(\.flags) == [[], [.repeatedStart], [.repeatedStart, .conflictingDiagnosisDate]])
        #expect(e[0].start?.eventDate == Self.d("2026-02-01"), "the first SP1 stays the start")
    }

    /// A relapse: SP1 after the pathway completed (SP3) or closed starts a new episode.
    @Test func sp1AfterCompletionOrCloseIsANewEpisode() {
        let relapse = episodes([Self.event("PFH-SP1", "2026-01-10"), Self.event("PFH-SP3", "2027-02-01"),
                                Self.event("PFH-SP1", "2027-05-01"), Self.event("PFH-SP2", "2027-08-15")])
        #expect(relapse.count == 2)
        #expect(relapse[1].anchor == Self.d("2027-05-01"))
        #expect(relapse[1].entries.map(\.observation.event) == ["PFH-SP1", "PFH-SP2"])
        #expect(relapse.allSatisfy { !$0.isFlagged })
        let closed = episodes([Self.event("PFH-SP1", "2026-01-10"), Self.event("PFH-SP1", "2028-01-11")])
        #expect(closed.count == 2)
    }

    @Test func repeatedEventsAndDatesBeforeStartAreFlagged() {
        let e = episodes([Self.event("PFH-SP1", "2026-03-01"), Self.event("PFH-SP2", "2026-06-10"),
                          Self.event("PFH-SP2", "2026-06-20"), Self.event("PFH-SP3", "2026-02-01", received: "2026-07-01")])
        #expect(e.count == 1)
        #expect(e[0].entries.first { $0.observation.eventDate == Self.d("2026-02-01") }?.flags == [.beforeStart])
        #expect(e[0].entries.first { $0.observation.eventDate == Self.d("2026-06-20") }?.flags == [.repeatedEvent])
        #expect(e[0].state(of: Self.sp2, on: Self.d("2027-01-01")) == .onTime, "the first SP2 counts")
    }

    @Test func futureDatedEventsAreFlagged() {
        let e = episodes([Self.event("PFH-SP1", "2026-08-01", received: "2026-07-01")])
        #expect(e[0].entries[0].flags == [.futureDate])
    }

    /// The kommune is the latest message's, with aliases applied when read (a row recorded before
    /// an alias existed is reported under the current number).
    @Test func kommuneIsTheLatestOneAfterAliases() {
        let e = episodes([Self.event("PFH-SP1", "2026-03-01", kommune: "4601"), Self.event("PFH-SP2", "2026-06-10", kommune: "1507")],
                         aliases: ["1507": "1508"])
        #expect(e[0].kommune == "1508")
        #expect(e[0].hospital == "helse-bergen")
    }
}
