import Foundation
import Testing
@testable import PathwayGateway

/// The stored episodes (migration 7) against the rule book: a synthetic population recorded day
/// by day must get, from the indexed windows, exactly the due lists and overdue counts that
/// recomputing every timeline gives, on every checkpoint, per kommune (aliases included).
@Suite struct PathwayEpisodeStoreTests {
    let config = DefaultConfig.load(currentDirectory: "/tmp")

    @Test func storedWindowsAnswerAsTheFullRecomputationDoesOverTwoYears() throws {
        let population = SyntheticPopulation(count: 400, start: CalendarDate(iso: "2025-01-01")!, days: 730, seed: 7)
        let directory = try DatabaseTestDirectory()
        let store = try MessageStore(path: directory.path("state.sqlite"))
        let timelines = PathwayTimelines(store: store, catalog: config.pathways)
        var pending = ArraySlice(population.observations.sorted { $0.receivedAt < $1.receivedAt })
        var today = CalendarDate(iso: "2025-02-01")!, sawOverdue = 0, sawDue = 0
        while today <= CalendarDate(iso: "2028-03-01")! {
            try store.db.transaction {
                while let next = pending.first, CalendarDate(next.receivedAt) <= today {
                    try timelines.record(next)
                    pending = pending.dropFirst()
                }
            }
            let monitor = try PathwayMonitor(store: store, config: config)
            let stored = timelines.episodes
            #expect(try stored.isCurrent())
            let counts = try stored.overdueCounts(on: today, aliases: config.kommuneAliases)
            #expect(counts == monitor.overdueCounts(on: today), "overdue on \(today)")
            let due = try stored.dueItems(on: today, kommune: nil, aliases: config.kommuneAliases)
            #expect(due == monitor.dueItems(on: today), "due on \(today)")
            for kommune in ["1508", "4601"] {
                let mine = try stored.dueItems(on: today, kommune: kommune, aliases: config.kommuneAliases)
                #expect(mine == due.filter { $0.kommune == kommune }, "due in \(kommune) on \(today)")
            }
            sawOverdue += counts.total
            sawDue += due.count
            today = today.adding(days: 23)
        }
        #expect(sawOverdue > 0 && sawDue > 0)
    }

    /// The start message reference (for identities) is looked up only when asked for.
    @Test func startReferenceOnlyWhenAsked() throws {
        let directory = try DatabaseTestDirectory()
        let store = try MessageStore(path: directory.path("state.sqlite"))
        let timelines = PathwayTimelines(store: store, catalog: config.pathways)
        try timelines.record(PatientTimelineTests.event("PFH-SP1", "2026-01-10", kommune: "1507"))
        let today = CalendarDate(iso: "2026-04-20")!
        let plain = try PathwayMonitor.dueItems(store: store, config: config, on: today, kommune: "1508")
        #expect(plain.map(\.event) == ["PFH-SP2"] && plain[0].start == nil)
        let asked = try timelines.episodes.dueItems(on: today, kommune: "1508", aliases: config.kommuneAliases, withStart: true)
        #expect(asked.first?.start?.partner == "helse-bergen" && asked.first?.start?.msgId == "m-PFH-SP1-2026-01-10")
        #expect(try timelines.episodes.dueItems(on: today, kommune: "4601", aliases: config.kommuneAliases).isEmpty)

        // A day before now is judged on what was known then: an SP2 received later does not count.
        try timelines.record(PatientTimelineTests.event("PFH-SP2", "2026-04-15", received: "2026-04-25", kommune: "1508"))
        let later = SyntheticPopulation.noon(CalendarDate(iso: "2026-05-01")!)
        #expect(try PathwayMonitor.dueItems(store: store, config: config, on: today, kommune: "1508", now: later).map(\.event) == ["PFH-SP2"])
        #expect(try PathwayMonitor.dueItems(store: store, config: config, on: CalendarDate(iso: "2026-05-01")!, kommune: "1508",
                                            now: later).isEmpty, "done by then")
    }

    /// Timelines recorded before migration 7 (or under other pathway definitions) are not read as
    /// current; opening for the daemon derives every episode from the recorded events.
    @Test func episodesAreRebuiltWhenMissingOrDerivedUnderAnotherCatalog() throws {
        let directory = try DatabaseTestDirectory()
        let store = try MessageStore(path: directory.path("state.sqlite"))
        try PathwayTimelines(store: store).record(PatientTimelineTests.event("PFH-SP1", "2026-01-10"))
        // As before migration 7: events without episodes or rules fact.
        try store.db.execute("DELETE FROM pathway_episodes; DELETE FROM pathway_windows; DELETE FROM state_facts;")
        let episodes = PathwayEpisodeStore(store: store, catalog: config.pathways)
        #expect(try !episodes.isCurrent())
        let today = CalendarDate(iso: "2026-05-20")!
        let recomputed = try PathwayMonitor.overdueCounts(store: store, config: config, now: SyntheticPopulation.noon(today))
        #expect(recomputed.total == 1, "the fall-back recomputes from the events")
        _ = try PathwayTimelines.opened(store: store, pseudonymizer: nil, catalog: config.pathways)
        #expect(try episodes.isCurrent())
        #expect(try episodes.overdueCounts(on: today, aliases: [:]).total == 1)

        // A configuration with a longer SP2 window derives the episodes anew.
        var longer = config.pathways
        longer.definitions[0].events[1].due = DueWindow(from: PathwayPeriod(months: 3), to: PathwayPeriod(months: 6))
        let other = PathwayEpisodeStore(store: store, catalog: longer)
        #expect(try !other.isCurrent())
        #expect(try other.bringCurrent())
        #expect(try other.overdueCounts(on: today, aliases: [:]).total == 0)
        #expect(try other.dueItems(on: today, kommune: "4601", aliases: [:]).map(\.state) == [.open])
    }
}
