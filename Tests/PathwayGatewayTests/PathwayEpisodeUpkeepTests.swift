import Foundation
import Testing
@testable import PathwayGateway

/// The incremental episode upkeep (`PathwayEpisodeStore.refresh(after:)`: a new patient from the
/// one event, otherwise only the changed rows) leaves exactly the rows a full re-derivation from
/// `pathway_events` writes, whatever order the events come in: out-of-order SP1s that split or
/// merge episodes, closings, repeated events, and a patient past `eventsKept` events.
@Suite struct PathwayEpisodeUpkeepTests {
    let config = DefaultConfig.load(currentDirectory: "/tmp")

    /// Every episode and window row, in key order, as text (SQLite's `quote` of each column).
    private func rows(_ store: MessageStore) throws -> [String] {
        func dump(_ table: String, _ order: String) throws -> [String] {
            let columns = try store.db.query("SELECT name FROM pragma_table_info('\(table)')") { try $0.string(0) }
            let text = columns.map { "quote(\($0))" }.joined(separator: " || '|' || ")
            return try store.db.query("SELECT \(text) FROM \(table) ORDER BY \(order)") { try $0.string(0) }
        }
        return try dump("pathway_episodes", "pathway, pseudonym, seq")
            + dump("pathway_windows", "pathway, pseudonym, seq, event")
    }

    /// The rows a full re-derivation writes (the rows are left re-derived).
    private func rederived(_ store: MessageStore) throws -> [String] {
        try store.db.execute("DELETE FROM state_facts WHERE name = '\(PathwayEpisodeStore.rulesFact)'")
        #expect(try PathwayEpisodeStore(store: store, catalog: config.pathways).bringCurrent())
        return try rows(store)
    }

    @Test func incrementalRowsAreTheRederivedRowsInAnyArrivalOrder() throws {
        let directory = try DatabaseTestDirectory()
        let store = try MessageStore(path: directory.path("state.sqlite"))
        let timelines = try PathwayTimelines.opened(store: store, pseudonymizer: nil, catalog: config.pathways)
        var events = SyntheticPopulation(count: 250, start: CalendarDate(iso: "2025-01-01")!, days: 500, seed: 3)
            .observations.sorted { $0.receivedAt < $1.receivedAt }
        // Arrival order scrambled in places: every fifth event swaps with one 40 further on.
        for index in stride(from: 0, to: events.count - 40, by: 5) { events.swapAt(index, index + 40) }
        // One patient with more events than are kept, SP1s that split and a closing.
        let busy = (0..<40).map { n in
            PatientTimelineTests.event(
                n % 7 == 0 ? "PFH-SP1" : n % 11 == 0 ? "PFH-AVSLUTTET" : n % 2 == 0 ? "PFH-SP2" : "PFH-SP3",
                CalendarDate(iso: "2025-03-01")!.adding(days: (n * 37) % 600).description, id: "busy-\(n)")
        }
        for (offset, event) in busy.enumerated() { events.insert(event, at: min(events.count, offset * 17)) }
        var checked = 0
        for chunk in stride(from: 0, to: events.count, by: 60) {
            try store.db.transaction {
                for event in events[chunk..<min(events.count, chunk + 60)] { try timelines.record(event) }
            }
            let incremental = try rows(store)
            let full = try rederived(store)
            #expect(incremental == full, "after \(chunk + 60) events")
            checked += full.count
        }
        #expect(checked > 5_000, "rows compared")
        let busyEpisodes = try store.db.query(
            "SELECT count(*) FROM pathway_episodes WHERE pseudonym = ?", [PatientTimelineTests.patient]) { try $0.int(0) }
        #expect(busyEpisodes.first.map { $0 > 1 } == true)
    }

    @Test func aNewPatientsFirstEventWritesTheirEpisodeAlone() throws {
        let directory = try DatabaseTestDirectory()
        let store = try MessageStore(path: directory.path("state.sqlite"))
        let timelines = try PathwayTimelines.opened(store: store, pseudonymizer: nil, catalog: config.pathways)
        try timelines.record(PatientTimelineTests.event("PFH-SP2", "2026-05-01"))
        try timelines.record(PatientTimelineTests.event("PFH-SP1", "2026-02-01", received: "2026-05-02"))
        let stored = try rows(store)
        #expect(stored.count == 3, "one episode, two windows: \(stored)")
        #expect(stored == (try rederived(store)))
    }
}
