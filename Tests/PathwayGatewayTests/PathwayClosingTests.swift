import Foundation
import Testing
@testable import PathwayGateway

/// Closing an episode (`PFH-AVSLUTTET` with a reason) and lapsing (SP2 not done when SP3's window
/// opens), spec §5: the rules on one patient, the reason read from a message, and the stored
/// windows agreeing with the rule book over a population where some patients are closed.
@Suite struct PathwayClosingTests {
    typealias T = PatientTimelineTests
    let config = DefaultConfig.load(currentDirectory: "/tmp")

    static func closing(_ date: String, reason: String?, received: String? = nil) -> PathwayObservation {
        var o = T.event("PFH-AVSLUTTET", date, received: received)
        o.reason = reason
        return o
    }

    private func episodes(_ events: [PathwayObservation]) -> [PathwayEpisode] {
        PatientTimeline.episodes(events, definition: T.pfh)
    }

    /// Closed with any reason: from the closing date on, nothing missing is due or overdue; what
    /// was done keeps its outcome; before the closing date the windows run as usual.
    @Test(arguments: ["DOD", "ONSKER-IKKE", "FLYTTET", "ANNET", nil])
    func aClosedEpisodeIsNeverDueAgain(reason: String?) {
        let e = episodes([T.event("PFH-SP1", "2026-03-15", diagnosis: "2026-03-02"), T.event("PFH-SP2", "2026-06-10"),
                          Self.closing("2026-09-01", reason: reason)])
        #expect(e.count == 1)
        #expect(e[0].closing?.reason == reason && e[0].closing?.eventDate == T.d("2026-09-01"))
        #expect(e[0].state(of: T.sp2, on: T.d("2027-06-01")) == .onTime, "done before the closing: kept")
        #expect(e[0].state(of: T.sp3, on: T.d("2026-08-31")) == .upcoming)
        #expect(e[0].state(of: T.sp3, on: T.d("2026-09-01")) == .closed)
        #expect(e[0].state(of: T.sp3, on: T.d("2027-12-01")) == .closed, "not overdue after 18 months")
        #expect(!DueState.closed.isSettled, "closed episodes are not among the decided outcomes")
    }

    /// An overdue SP2 stops being overdue on the closing day; a later SP1 begins a new episode.
    @Test func closingEndsOverdueAndASp1AfterItStartsAgain() {
        let e = episodes([T.event("PFH-SP1", "2026-01-10"), Self.closing("2026-06-20", reason: "FLYTTET"),
                          T.event("PFH-SP1", "2026-08-01", kommune: "0301")])
        #expect(e.count == 2, "the SP1 after the closing is a new episode, not a repeated start")
        #expect(e[0].state(of: T.sp2, on: T.d("2026-06-19")) == .overdue)
        #expect(e[0].state(of: T.sp2, on: T.d("2026-06-20")) == .closed)
        #expect(e[1].anchor == T.d("2026-08-01") && e[1].state(of: T.sp2, on: T.d("2026-11-05")) == .open)
        #expect(!e[1].entries.contains { $0.flags.contains(.repeatedStart) })
    }

    /// SP2 lapses the day SP3's window opens, also from a leap day and from the SP1 date when no
    /// diagnosis date was stated (the anchor the report marks as estimated).
    @Test(arguments: [("2028-02-29", "2028-02-29", true), ("2026-05-31", "2026-05-31", false)])
    func sp2IsNotDoneWhenSp3Opens(anchor: String, sp1: String, stated: Bool) {
        let e = episodes([T.event("PFH-SP1", sp1, diagnosis: stated ? anchor : nil)])[0]
        #expect(e.anchorSource == (stated ? .diagnosisDate : .startEvent))
        let sp3Opens = T.d(anchor).adding(months: 12)
        #expect(e.state(of: T.sp2, on: sp3Opens.adding(days: -1)) == .overdue)
        #expect(e.state(of: T.sp2, on: sp3Opens) == .missed)
        #expect(e.state(of: T.sp3, on: sp3Opens) == .open)
        if stated { #expect(sp3Opens == T.d("2029-02-28"), "a leap day anchor clamps to 28 February") }
    }

    /// The reason is a coded value in the event's code system, next to the event code.
    @Test func theReasonIsReadFromTheMessage() throws {
        let text = String(decoding: MessageValidatorTests.message { $0.pathwayEvent = "PFH-AVSLUTTET" }, as: UTF8.self)
            .replacingOccurrences(of: "</Notat>", with: """
            <Foresporsel><TypeForesp V="1" S="2.16.578.1.12.4.1.1.7319" DN="Forespørsel"/>\
            <KodetOpplysning V="DOD" S="\(KITHCodeSystem.pathwayEvents)" DN="Død"/></Foresporsel></Notat>
            """)
        guard case let .business(head) = try TestSchemas.validator.validate(Array(text.utf8)).get().content else {
            Issue.record("not a business message")
            return
        }
        let detail = try #require(PathwayRules.bundled.detail(for: head, receivedAt: Date()))
        #expect(detail.event == "PFH-AVSLUTTET" && detail.reason == "DOD")
        let elsewhere = text.replacingOccurrences(of: "V=\"DOD\" S=\"\(KITHCodeSystem.pathwayEvents)\"", with: "V=\"DOD\" S=\"2.16.578.1.1\"")
        guard case let .business(other) = try TestSchemas.validator.validate(Array(elsewhere.utf8)).get().content else { return }
        #expect(PathwayRules.bundled.detail(for: other, receivedAt: Date())?.reason == nil, "only in the event's code system")
    }

    /// Every tenth patient closed at some point (any reason): the stored windows give the same due
    /// lists and overdue counts as the rule book on every checkpoint.
    @Test func storedWindowsFollowClosingsAsTheRuleBookDoes() throws {
        let population = SyntheticPopulation(count: 300, start: CalendarDate(iso: "2025-01-01")!, days: 730, seed: 11)
        let reasons = ["DOD", "ONSKER-IKKE", "FLYTTET", "ANNET"]
        var observations = population.observations
        for (index, patient) in population.patients.enumerated() where index % 10 == 0 {
            let day = patient.sp1.adding(days: 30 + index * 7 % 400)
            var o = Self.closing(day.description, reason: reasons[index % 4])
            (o.pseudonym, o.messageId, o.kommune) = (patient.pseudonym, "close-\(index)", patient.kommune)
            observations.append(o)
        }
        let directory = try DatabaseTestDirectory()
        let store = try MessageStore(path: directory.path("state.sqlite"))
        let timelines = PathwayTimelines(store: store, catalog: config.pathways)
        try store.db.transaction { for o in observations.sorted(by: { $0.receivedAt < $1.receivedAt }) { try timelines.record(o) } }
        let monitor = PathwayMonitor(config: config, observations: observations)
        var sawClosed = 0
        var today = CalendarDate(iso: "2025-03-01")!
        while today <= CalendarDate(iso: "2028-01-01")! {
            let stored = try timelines.episodes.dueItems(on: today, kommune: nil, aliases: config.kommuneAliases)
            #expect(stored == monitor.dueItems(on: today), "due on \(today)")
            #expect(try timelines.episodes.overdueCounts(on: today, aliases: config.kommuneAliases) == monitor.overdueCounts(on: today))
            sawClosed += monitor.episodes.filter { e in e.closing.map { $0.eventDate <= today } ?? false }.count
            today = today.adding(days: 31)
        }
        #expect(sawClosed > 0)
    }
}
