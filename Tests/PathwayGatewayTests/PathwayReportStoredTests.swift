import Foundation
import Testing
@testable import PathwayGateway

/// The report made from stored episodes (`pathway_episodes`, `pathway_windows`) is the report
/// recomputed from every timeline (`PathwayReportOracle`, the former builder), figure for figure
/// and byte for byte in all three renderings, over a synthetic two-year history.
@Suite struct PathwayReportStoredTests {
    let config = DefaultConfig.load(currentDirectory: "/tmp")
    static let end = CalendarDate(iso: "2026-06-30")!

    private func history() throws -> (DatabaseTestDirectory, MessageStore) {
        let directory = try DatabaseTestDirectory()
        let history = SyntheticHistory(config: config, start: Self.end.adding(days: -729), days: 730, seed: 7)
        _ = try history.write(to: directory.path("state.sqlite"), messages: 3_000)
        let store = try MessageStore(path: directory.path("state.sqlite"))
        // The irregularities real traffic has (SP2 before SP1, resent SP1s, future dates) and the
        // mental-health pathway with its types, which the history does not write.
        let timelines = try PathwayTimelines.opened(store: store, pseudonymizer: nil, catalog: config.pathways)
        let population = SyntheticPopulation(count: 300, start: Self.end.adding(days: -500), days: 480)
        for observation in population.observations where CalendarDate(observation.receivedAt) <= Self.end {
            try timelines.record(observation)
        }
        return (directory, store)
    }

    private func oracle(_ store: MessageStore, today: CalendarDate, now: Date, generatedAt: Date) throws
        -> PathwayReport
    {
        let monitor = try PathwayMonitor(store: store, config: config, knownBy: today)
        var report = PathwayReportOracle.build(
            monitor: monitor, routed: try MonitoringQuery(store: store).routed(asOf: now), today: today, now: now,
            generatedAt: generatedAt)
        report.noContactPoint = try MonitoringQuery(store: store).rejections(code: "E21", before: now)
        return report
    }

    @Test(arguments: [0, 1, 45, 200])
    func storedEpisodesGiveTheRecomputedReport(daysAfterEnd: Int) throws {
        let (directory, store) = try history()
        _ = directory
        let today = Self.end.adding(days: daysAfterEnd)
        let now = SyntheticHistory.noon(today)
        let generatedAt = Date(timeIntervalSince1970: 1_800_000_000)
        let episodes = PathwayEpisodeStore(store: store, catalog: config.pathways)
        #expect(try episodes.isCurrent())
        let routed = try MonitoringQuery(store: store).routed(asOf: now)
        var stored = PathwayReportBuilder.build(
            try ReportEpisodes.stored(episodes, config: config, today: today, routed: routed), config: config,
            routed: routed, today: today, now: now, generatedAt: generatedAt)
        stored.noContactPoint = try MonitoringQuery(store: store).rejections(code: "E21", before: now)
        let expected = try oracle(store, today: today, now: now, generatedAt: generatedAt)
        let same = stored == expected
        let difference = try Self.firstDifference(stored, expected)
        #expect(same, "first difference in JSON: \(difference)")
        for format in PathwayReport.Format.allCases {
            let equal = try stored.rendered(as: format) == expected.rendered(as: format)
            #expect(equal, "\(format)")
        }
        // Through the public entry point (which takes the stored rows here) too.
        let built = try PathwayReportBuilder.build(
            store: store, config: config, today: today, now: now, generatedAt: generatedAt, clock: now)
        let builtSame = built == expected
        #expect(builtSame)
        // Not a report of nothing: every kind of figure has data to disagree on.
        let pfh = try #require(expected.pathways.first { $0.id == "pakkeforlop-hjem" })
        #expect(pfh.total.started > 1_000 && pfh.total.flagged > 0 && pfh.total.estimatedAnchor > 0, "\(pfh.total.started) \(pfh.total.flagged) \(pfh.total.estimatedAnchor)")
        #expect(pfh.byKommune.count > 3 && pfh.byHospital.count >= 2 && pfh.months.count > 24)
        let npf = try #require(expected.pathways.first { $0.id == "psykisk-helse-rus" })
        #expect(npf.byType.count == 3 && pfh.total.withoutStart > 0)
        #expect(pfh.total.intervals.allSatisfy { $0.count > 0 } && pfh.total.delivery.routed > 1_000)
        #expect(pfh.total.events.allSatisfy { $0.counts.count >= 4 }, "several window states")
    }

    @Test func rowsNotYetRederivedAreRecomputedAndThenRederived() throws {
        let (directory, store) = try history()
        _ = directory
        let today = Self.end
        let now = SyntheticHistory.noon(today)
        // As after migration 9: the rows lack the report's columns until the daemon re-derives them.
        try store.db.execute(
            "UPDATE pathway_episodes SET firsts = '', message_ids = '', type = NULL; DELETE FROM state_facts WHERE name = '\(PathwayEpisodeStore.rulesFact)'"
        )
        let expected = try oracle(store, today: today, now: now, generatedAt: now)
        let episodes = PathwayEpisodeStore(store: store, catalog: config.pathways)
        #expect(try !episodes.isCurrent())
        let recomputed = try PathwayReportBuilder.build(
            store: store, config: config, today: today, now: now, generatedAt: now, clock: now)
        let recomputedSame = recomputed == expected
        #expect(recomputedSame)
        #expect(try episodes.bringCurrent())
        let routed = try MonitoringQuery(store: store).routed(asOf: now)
        var stored = PathwayReportBuilder.build(
            try ReportEpisodes.stored(episodes, config: config, today: today, routed: routed), config: config,
            routed: routed, today: today, now: now, generatedAt: now)
        stored.noContactPoint = expected.noContactPoint
        let storedSame = stored == expected
        let difference = try Self.firstDifference(stored, expected)
        #expect(storedSame, "\(difference)")
    }

    @Test func anEarlierDayIsReportedFromWhatWasKnownThen() throws {
        let (directory, store) = try history()
        _ = directory
        let today = Self.end.adding(days: -100)
        let now = SyntheticHistory.noon(today)
        let expected = try oracle(store, today: today, now: now, generatedAt: now)
        let built = try PathwayReportBuilder.build(
            store: store, config: config, today: today, now: now, generatedAt: now, clock: SyntheticHistory.noon(Self.end))
        let same = built == expected
        #expect(same)
        let pfh = try #require(built.pathways.first { $0.id == "pakkeforlop-hjem" })
        let later = try PathwayReportBuilder.build(
            store: store, config: config, today: Self.end, now: SyntheticHistory.noon(Self.end), clock: SyntheticHistory.noon(Self.end))
        #expect(pfh.total.started < later.pathways.first { $0.id == "pakkeforlop-hjem" }!.total.started)
    }

    /// The first line where the two reports' JSON differ, with the lines before it.
    static func firstDifference(_ a: PathwayReport, _ b: PathwayReport) throws -> String {
        let (left, right) = (try a.rendered(as: .json).split(separator: "\n"), try b.rendered(as: .json).split(separator: "\n"))
        guard let index = zip(left, right).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset else {
            return left.count == right.count ? "none" : "lengths \(left.count) and \(right.count)"
        }
        return left[max(0, index - 12)...index].joined(separator: "\n") + "\nexpected: " + right[index]
    }
}
