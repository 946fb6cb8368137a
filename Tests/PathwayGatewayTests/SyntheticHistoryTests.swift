import Foundation
import Testing
@testable import PathwayGateway

/// `SyntheticHistory` (gateway-bench history): reproducible, written on its own clock, and rich
/// enough that a report made from it shows every window state, closings and E21 rejections.
@Suite struct SyntheticHistoryTests {
    let config = DefaultConfig.load(currentDirectory: "/tmp")

    @Test func aSeededHistoryIsReproducibleAndShowsEveryState() throws {
        let directory = try DatabaseTestDirectory()
        let end = CalendarDate(iso: "2026-06-30")!
        let history = SyntheticHistory(config: config, start: end.adding(days: -729), days: 730, seed: 5)
        let first = try history.write(to: directory.path("a.sqlite"), messages: 3_000)
        let second = try history.write(to: directory.path("b.sqlite"), messages: 3_000)
        #expect(first.description == second.description && first.messages >= 3_000)
        let store = try MessageStore(path: directory.path("a.sqlite"))
        #expect(try PathwayEpisodeStore(store: store, catalog: config.pathways).isCurrent())
        let monitor = try PathwayMonitor(store: store, config: config)
        var states = Set<DueState>()
        for episode in monitor.episodes {
            for event in [PatientTimelineTests.sp2, PatientTimelineTests.sp3] { states.insert(episode.state(of: event, on: end)) }
        }
        #expect(states.isSuperset(of: [.early, .onTime, .late, .upcoming, .open, .overdue, .missed, .closed]), "\(states)")
        #expect(monitor.episodes.contains { $0.anchorSource == .startEvent } && monitor.episodes.contains { $0.anchorSource == .diagnosisDate })
        #expect(Set(monitor.episodes.compactMap { $0.closing?.reason }).count >= 3)
        #expect(try MonitoringQuery(store: store).rejections(code: "E21", before: SyntheticHistory.noon(end.adding(days: 1))) > 0)
        let latest = try MonitoringQuery(store: store).routed().map(\.createdAt).max()
        #expect(latest.map { CalendarDate($0) <= end } == true, "written on the simulated clock, not the machine's")
    }
}
