import Foundation
import Testing
@testable import PathwayGateway

/// Hundreds of synthetic patients over two simulated years, recorded into a real state database
/// day by day (the clock is the simulation's), checked against the population's own truth every
/// month: due lists, overdue counts, report figures, per kommune (with 1507 → 1508).
@Suite struct PathwayPopulationTests {
    let config = DefaultConfig.load(currentDirectory: "/tmp")

    /// Records every observation that arrived up to and including `day`, inside one open
    /// transaction on the store's connection (as the daemon's batch of decisions will).
    private func recordArrivals(_ pending: inout ArraySlice<PathwayObservation>, upTo day: CalendarDate,
                                timelines: PathwayTimelines, store: MessageStore) throws {
        try store.db.transaction {
            while let next = pending.first, CalendarDate(next.receivedAt) <= day {
                let added = try timelines.record(next)
                #expect(added)
                pending = pending.dropFirst()
            }
        }
    }

    @Test func monthlyCheckpointsOverTwoYearsMatchThePopulationsTruth() throws {
        let population = SyntheticPopulation(count: 600, start: CalendarDate(iso: "2025-01-01")!, days: 730)
        let directory = try DatabaseTestDirectory()
        let store = try MessageStore(path: directory.path("state.sqlite"))
        let timelines = PathwayTimelines(store: store)
        var pending = ArraySlice(population.observations.sorted { $0.receivedAt < $1.receivedAt })
        let total = pending.count
        let sp2 = PatientTimelineTests.sp2, sp3 = PatientTimelineTests.sp3
        var checkpoints = 0, sawOverdue = 0, sawFlagged = 0

        var today = CalendarDate(iso: "2025-02-01")!
        while today <= CalendarDate(iso: "2028-09-01")! {
            try recordArrivals(&pending, upTo: today, timelines: timelines, store: store)
            let monitor = try PathwayMonitor(store: store, config: config)
            #expect(monitor.episodes.reduce(0) { $0 + $1.entries.count } == total - pending.count, "no event is dropped")

            // Due list: exactly the patients whose SP2/SP3 is open or overdue, under the current kommune.
            var expectedDue = Set<String>(), expectedOverdue: [String: Int] = [:]
            var expectedCounts: [String: [DueState: Int]] = [:]
            for p in population.patients {
                let states = [("PFH-SP2", population.expectedState(p, "PFH-SP2", on: today)),
                              ("PFH-SP3", population.expectedState(p, "PFH-SP3", on: today))]
                for (code, state) in states {
                    if state == .open || state == .overdue { expectedDue.insert("\(population.currentKommune(p)) \(p.pseudonym) \(code) \(state)") }
                    if state != .noAnchor { expectedCounts[code, default: [:]][state, default: 0] += 1 }
                }
                if states.contains(where: { $0.1 == .overdue }) { expectedOverdue[population.currentKommune(p), default: 0] += 1 }
            }
            let due = monitor.dueItems(on: today)
            #expect(Set(due.map { "\($0.kommune ?? "?") \($0.patient) \($0.event) \($0.state)" }) == expectedDue, "due list on \(today)")
            #expect(due.allSatisfy { $0.start == nil }, "no start message reference unless asked for")
            for (a, b) in zip(due, due.dropFirst()) where a.kommune == b.kommune && a.state == b.state {
                #expect(a.state == .overdue ? a.days >= b.days : a.days <= b.days, "most urgent first")
            }
            let counts = monitor.overdueCounts(on: today)
            #expect(counts.byKommune == expectedOverdue, "overdue by kommune on \(today)")
            #expect(counts.total == expectedOverdue.values.reduce(0, +))
            #expect(counts.byKommune["1507"] == nil)

            // Report: totals and per-kommune figures add up to the truth.
            let report = PathwayReportBuilder.build(monitor: monitor, routed: [], today: today, now: SyntheticPopulation.noon(today))
            let section = try #require(report.pathways.first { $0.id == "pakkeforlop-hjem" })
            let started = population.patients.filter { population.anchor($0, on: today) != nil }.count
            #expect(section.total.started == started)
            #expect(section.byKommune.reduce(0) { $0 + $1.started } == started)
            #expect(section.byHospital.reduce(0) { $0 + $1.started } == started)
            for event in [sp2, sp3] {
                let figures = try #require(section.total.events.first { $0.event == event.code })
                #expect(figures.counts == expectedCounts[event.code] ?? [:], "\(event.code) on \(today)")
                let perKommune = section.byKommune.reduce(0) { $0 + ($1.events.first { $0.event == event.code }?.count(.onTime) ?? 0) }
                #expect(perKommune == figures.count(.onTime))
            }
            #expect(section.total.overdue == counts.total)
            sawOverdue += counts.total
            sawFlagged += section.total.flagged
            checkpoints += 1
            today = today.adding(months: 1)
        }
        #expect(pending.count == 0)
        #expect(checkpoints == 44)
        #expect(sawOverdue > 0 && sawFlagged > 0, "the population must exercise overdue and irregular patients")
    }

    /// Recording is idempotent per message and works inside an open transaction (as a SAVEPOINT);
    /// a rolled-back outer transaction leaves no timeline row.
    @Test func recordingIsIdempotentAndFollowsTheOuterTransaction() throws {
        let directory = try DatabaseTestDirectory()
        let store = try MessageStore(path: directory.path("state.sqlite"))
        let timelines = PathwayTimelines(store: store)
        let sp1 = PatientTimelineTests.event("PFH-SP1", "2026-03-01")
        #expect(try timelines.record(sp1))
        #expect(try !timelines.record(sp1))
        struct Abort: Error {}
        #expect(throws: Abort.self) {
            try store.db.transaction {
                try timelines.record(PatientTimelineTests.event("PFH-SP2", "2026-06-05"))
                throw Abort()
            }
        }
        #expect(try timelines.observations().map(\.event) == ["PFH-SP1"])
        #expect(try timelines.observations().first == sp1, "every field round-trips")
    }

    /// The table refuses anything but a keyed pseudonym: a fødselsnummer can never be stored.
    @Test func theDatabaseRefusesAnIdentityNumberAsPatient() throws {
        let directory = try DatabaseTestDirectory()
        let store = try MessageStore(path: directory.path("state.sqlite"))
        var leaked = PatientTimelineTests.event("PFH-SP1", "2026-03-01")
        leaked.pseudonym = MessageValidatorTests.validFnr
        #expect(throws: SQLiteError.self) { try PathwayTimelines(store: store).record(leaked) }
        leaked.pseudonym = "p-" + "Testesen, Synt".padding(toLength: 32, withPad: "0", startingAt: 0)
        #expect(throws: SQLiteError.self) { try PathwayTimelines(store: store).record(leaked) }
    }

    /// `status` asks for overdue counts with today's date; the library answers from the database.
    @Test func overdueCountsForStatusComeFromTheDatabase() throws {
        let directory = try DatabaseTestDirectory()
        let store = try MessageStore(path: directory.path("state.sqlite"))
        try PathwayTimelines(store: store).record(PatientTimelineTests.event("PFH-SP1", "2026-01-10", kommune: "1507"))
        let now = SyntheticPopulation.noon(CalendarDate(iso: "2026-06-01")!)
        let counts = try PathwayMonitor.overdueCounts(store: store, config: config, now: now)
        #expect(counts == OverdueCounts(total: 1, byKommune: ["1508": 1]))
        let earlier = try PathwayMonitor.overdueCounts(store: store, config: config, now: SyntheticPopulation.noon(CalendarDate(iso: "2026-05-10")!))
        #expect(earlier.total == 0)
    }
}
