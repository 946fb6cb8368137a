import Foundation

/// One pathway's episodes and its groups (total, each kommune, each hospital, each type) as
/// lists of indexes into one array: each group's figures are computed over its indexes, so no
/// episode is copied however many groups it counts in.
struct ReportGroups {
    let episodes: [ReportEpisode]
    let definition: PathwayDefinition
    let routed: [MonitoringQuery.RoutedRow]
    let all: [Int]
    private(set) var byKommune: [String: [Int]] = [:]
    private(set) var byHospital: [String: [Int]] = [:]
    private(set) var byType: [String: [Int]] = [:]
    /// Per due event of the definition, its index among the definition's events.
    private let dueIndexes: [Int]

    init(_ episodes: [ReportEpisode], definition: PathwayDefinition, routed: [MonitoringQuery.RoutedRow]) {
        self.episodes = episodes
        self.definition = definition
        self.routed = routed
        all = Array(episodes.indices)
        dueIndexes = definition.events.indices.filter { definition.events[$0].due != nil }
        for (index, episode) in episodes.enumerated() {
            byKommune[episode.kommune, default: []].append(index)
            byHospital[episode.hospital, default: []].append(index)
            if let type = episode.type { byType[type, default: []].append(index) }
        }
    }

    /// The figures of the episodes `members`: windows of the anchored ones, intervals, delivery.
    func figures(_ key: String, _ name: String, _ members: [Int], now: Date) -> PathwayReport.GroupFigures {
        let anchored = members.filter { episodes[$0].anchor != nil }
        return PathwayReport.GroupFigures(
            key: key, name: name, started: anchored.count,
            patients: Set(anchored.map { episodes[$0].patient }).count,
            withoutStart: members.count - anchored.count, flagged: members.filter { episodes[$0].flagged }.count,
            overdue: anchored.filter { episodes[$0].states.contains(.overdue) }.count,
            estimatedAnchor: anchored.filter { episodes[$0].estimated }.count,
            events: events(anchored), intervals: intervals(anchored),
            delivery: PathwayReportBuilder.delivery(
                routed, indexes: members.lazy.flatMap { episodes[$0].routed.lazy.map { Int($0) } }, key: key,
                name: name, now: now))
    }

    /// The group's anchored episodes by anchor month, oldest first, with each due event's states.
    func months(_ members: [Int], _ groupBy: String, _ key: String, _ name: String) -> [PathwayReport.MonthFigures] {
        var byMonth: [String: [Int]] = [:]
        for index in members {
            guard let anchor = episodes[index].anchor else { continue }
            byMonth[String(anchor.description.prefix(7)), default: []].append(index)
        }
        return byMonth.keys.sorted().map { month in
            let members = byMonth[month]!
            return .init(
                month: month, groupBy: groupBy, key: key, name: name, started: members.count,
                estimatedAnchor: members.filter { episodes[$0].estimated }.count, events: events(members))
        }
    }

    /// Days from anchor to the due event number `due` (of `definition.dueEvents`), binned.
    func histogram(due: Int) -> PathwayReport.Histogram {
        let window = definition.dueEvents[due].due!
        let approx = { (p: PathwayPeriod) in Double(p.months) * 30.44 + Double(p.days) }
        let (from, to) = (approx(window.from), approx(window.to))
        let binDays = to < 200 ? 7 : 30
        let binCount = Int((to * 1.5 / Double(binDays)).rounded(.up)) + 1
        var counts = [Int](repeating: 0, count: binCount)
        for episode in episodes {
            guard let anchor = episode.anchor, let done = episode.firsts[dueIndexes[due]] else { continue }
            let days = max(0, anchor.days(until: done))
            counts[min(days / binDays, binCount - 1)] += 1
        }
        return .init(
            event: definition.dueEvents[due].code, binDays: binDays, counts: counts, windowFromDays: from,
            windowToDays: to)
    }

    /// Per due event, how `members` (anchored) stand on the report's day (counted in an array by
    /// the state's place in `DueState.allCases`; only the states that occur are kept, as keys).
    private func events(_ members: [Int]) -> [PathwayReport.EventFigures] {
        definition.dueEvents.indices.map { due in
            var tally = [Int](repeating: 0, count: Self.states.count)
            for index in members { tally[episodes[index].states[due].place] += 1 }
            var counts: [DueState: Int] = [:]
            for (state, count) in zip(Self.states, tally) where count > 0 { counts[state] = count }
            let settled = PathwayReport.EventFigures(event: "", counts: counts, shareOnTime: nil).settled
            return .init(
                event: definition.dueEvents[due].code, counts: counts,
                shareOnTime: settled == 0 ? nil : Double(counts[.onTime] ?? 0) / Double(settled))
        }
    }

    private static let states = DueState.allCases

    /// Median days: diagnosis → start (when stated), anchor → each due event, and between
    /// consecutive events of the definition (SP1 → SP2 → SP3).
    private func intervals(_ anchored: [Int]) -> [PathwayReport.IntervalFigures] {
        func figure(_ from: String, _ to: String, _ days: [Int]) -> PathwayReport.IntervalFigures {
            .init(from: from, to: to, count: days.count, medianDays: PathwayReportBuilder.median(days))
        }
        var result: [PathwayReport.IntervalFigures] = []
        if let start = definition.events.first(where: \.starts), definition.diagnosisDate != nil {
            result.append(figure("diagnosis", start.code, anchored.compactMap { episodes[$0].diagnosisToStart }))
        }
        for (due, event) in zip(dueIndexes, definition.dueEvents) {
            result.append(
                figure(
                    "anchor", event.code,
                    anchored.compactMap { i in
                        episodes[i].firsts[due].flatMap { done in episodes[i].anchor.map { $0.days(until: done) } }
                    }))
        }
        // Closing early is not a step of the pathway.
        let points = definition.events.indices.filter { !definition.events[$0].closes }
        for (from, to) in zip(points, points.dropFirst()) {
            result.append(
                figure(
                    definition.events[from].code, definition.events[to].code,
                    anchored.compactMap { i in
                        episodes[i].firsts[from].flatMap { a in episodes[i].firsts[to].map { a.days(until: $0) } }
                    }))
        }
        return result
    }
}

extension DueState {
    /// The state's place in `allCases` (a switch: no hashing in the report's tallies).
    fileprivate var place: Int {
        switch self {
        case .early: 0
        case .onTime: 1
        case .late: 2
        case .upcoming: 3
        case .open: 4
        case .overdue: 5
        case .missed: 6
        case .closed: 7
        case .noAnchor: 8
        }
    }
}
