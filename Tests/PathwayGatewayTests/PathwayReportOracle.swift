import Foundation
@testable import PathwayGateway

/// The report as it was computed before it was made from stored episodes (issue 18): from every
/// recomputed timeline, copying episodes into groups. Kept as the oracle the report from stored
/// episodes must equal (`PathwayReportStoredTests`); not used by the gateway.
enum PathwayReportOracle {
    /// A routed message without AppRec after this long (14 days) is counted as unanswered: the
    /// receiver's system will not answer any more.
    static let appRecAgeLimitHours = PathwayReportBuilder.appRecAgeLimitHours

    /// `now` is the moment pending ages are measured at; `generatedAt` (defaults to `now`) is
    /// when the report was made, which differs for a report as of an earlier day.
    static func build(
        monitor: PathwayMonitor, routed: [MonitoringQuery.RoutedRow], today: CalendarDate,
        now: Date, generatedAt: Date? = nil
    ) -> PathwayReport {
        let config = monitor.config
        let routedByMessage = Dictionary(grouping: routed, by: \.messageId)
        var sections: [PathwayReport.Section] = []
        for definition in config.pathways.definitions {
            let episodes = monitor.episodes.filter { $0.pathway == definition.id }
            let figures = { (key: String, name: String, members: [PathwayEpisode]) in
                groupFigures(
                    key: key, name: name, episodes: members, definition: definition, today: today,
                    routed: members.flatMap { $0.entries.flatMap { routedByMessage[$0.observation.messageId] ?? [] } },
                    now: now)
            }
            let byKommune = Dictionary(grouping: episodes) { $0.kommune ?? OverdueCounts.unknownKommune }
            let byHospital = Dictionary(grouping: episodes) { $0.hospital ?? OverdueCounts.unknownKommune }
            let byType = Dictionary(grouping: episodes.filter { $0.entries.first?.observation.type != nil }) {
                $0.entries.first!.observation.type!
            }
            sections.append(
                PathwayReport.Section(
                    id: definition.id, name: definition.name,
                    startEvent: definition.events.first(where: \.starts)?.code,
                    closeAfter: definition.closeAfter?.description,
                    windows: definition.dueEvents.map {
                        .init(event: $0.code, from: $0.due!.from.description, to: $0.due!.to.description)
                    },
                    total: figures("all", definition.name, episodes),
                    byKommune: byKommune.keys.sorted().map {
                        figures($0, config.kommuneName($0, pathway: definition.id), byKommune[$0]!)
                    },
                    byHospital: byHospital.keys.sorted().map {
                        figures($0, hospitalName($0, config: config), byHospital[$0]!)
                    },
                    byType: byType.keys.sorted().map { figures($0, definition.types[$0] ?? $0, byType[$0]!) },
                    histograms: definition.dueEvents.map { histogram(episodes, event: $0) },
                    months: definition.dueEvents.isEmpty
                        ? []
                        : months(episodes, "total", "all", definition.name, definition: definition, today: today)
                            + byKommune.keys.sorted().flatMap {
                                months(
                                    byKommune[$0]!, "kommune", $0, config.kommuneName($0, pathway: definition.id),
                                    definition: definition, today: today)
                            }
                            + byHospital.keys.sorted().flatMap {
                                months(
                                    byHospital[$0]!, "hospital", $0, hospitalName($0, config: config),
                                    definition: definition, today: today)
                            }))
        }
        let byPartner = Dictionary(grouping: routed, by: \.targetPartner)
        return PathwayReport(
            generatedAt: Timestamp.rfc3339(generatedAt ?? now), asOf: today, pathways: sections,
            delivery: byPartner.keys.sorted().map {
                delivery(byPartner[$0]!, key: $0, name: config.partner(forInbox: $0)?.name ?? $0, now: now)
            },
            // Not what the oracle checks (the routed rows are read the same way by both): shared.
            deliveryByReceiver: PathwayReportBuilder.deliveryByReceiver(routed, config: config, now: now),
            deliveryTotal: delivery(routed, key: "all", name: "all", now: now))
    }

    static func groupFigures(
        key: String, name: String, episodes: [PathwayEpisode], definition: PathwayDefinition,
        today: CalendarDate, routed: [MonitoringQuery.RoutedRow], now: Date
    ) -> PathwayReport.GroupFigures {
        let anchored = episodes.filter { $0.anchor != nil }
        let events = definition.dueEvents.map { event in
            var counts: [DueState: Int] = [:]
            for episode in anchored { counts[episode.state(of: event, on: today), default: 0] += 1 }
            let figures = PathwayReport.EventFigures(event: event.code, counts: counts, shareOnTime: nil)
            let settled = figures.settled
            return PathwayReport.EventFigures(
                event: event.code, counts: counts,
                shareOnTime: settled == 0 ? nil : Double(figures.count(.onTime)) / Double(settled))
        }
        return PathwayReport.GroupFigures(
            key: key, name: name, started: anchored.count, patients: Set(anchored.map(\.pseudonym)).count,
            withoutStart: episodes.count - anchored.count, flagged: episodes.filter(\.isFlagged).count,
            overdue: anchored.filter { episode in
                definition.dueEvents.contains { episode.state(of: $0, on: today) == .overdue }
            }.count,
            estimatedAnchor: anchored.filter { $0.anchorSource == .startEvent }.count,
            events: events, intervals: intervals(anchored, definition: definition),
            delivery: delivery(routed, key: key, name: name, now: now))
    }

    /// The group's anchored episodes by anchor month, oldest first, with each due event's states.
    static func months(
        _ episodes: [PathwayEpisode], _ groupBy: String, _ key: String, _ name: String,
        definition: PathwayDefinition, today: CalendarDate
    ) -> [PathwayReport.MonthFigures] {
        let byMonth = Dictionary(grouping: episodes.filter { $0.anchor != nil }) {
            String($0.anchor!.description.prefix(7))
        }
        return byMonth.keys.sorted().map { month in
            let members = byMonth[month]!
            let events = definition.dueEvents.map { event -> PathwayReport.EventFigures in
                var counts: [DueState: Int] = [:]
                for episode in members { counts[episode.state(of: event, on: today), default: 0] += 1 }
                let settled = PathwayReport.EventFigures(event: event.code, counts: counts, shareOnTime: nil).settled
                return .init(
                    event: event.code, counts: counts,
                    shareOnTime: settled == 0 ? nil : Double(counts[.onTime] ?? 0) / Double(settled))
            }
            return .init(
                month: month, groupBy: groupBy, key: key, name: name, started: members.count,
                estimatedAnchor: members.filter { $0.anchorSource == .startEvent }.count, events: events)
        }
    }

    /// Median days: diagnosis → start (when stated), anchor → each due event, and between
    /// consecutive events of the definition (SP1 → SP2 → SP3).
    static func intervals(_ episodes: [PathwayEpisode], definition: PathwayDefinition) -> [PathwayReport
        .IntervalFigures]
    {
        func figure(_ from: String, _ to: String, _ days: [Int]) -> PathwayReport.IntervalFigures {
            .init(from: from, to: to, count: days.count, medianDays: median(days))
        }
        var result: [PathwayReport.IntervalFigures] = []
        if let start = definition.events.first(where: \.starts), definition.diagnosisDate != nil {
            result.append(
                figure(
                    "diagnosis", start.code,
                    episodes.compactMap { e in
                        e.anchorSource == .diagnosisDate
                            ? e.start.flatMap { s in e.anchor.map { $0.days(until: s.eventDate) } } : nil
                    }))
        }
        for event in definition.dueEvents {
            result.append(
                figure(
                    "anchor", event.code,
                    episodes.compactMap { e in
                        e.first(event.code).flatMap { done in e.anchor.map { $0.days(until: done.eventDate) } }
                    }))
        }
        let points = definition.events.filter { !$0.closes }  // closing early is not a step of the pathway
        for (from, to) in zip(points, points.dropFirst()) {
            result.append(
                figure(
                    from.code, to.code,
                    episodes.compactMap { e in
                        e.first(from.code).flatMap { a in e.first(to.code).map { a.eventDate.days(until: $0.eventDate) }
                        }
                    }))
        }
        return result
    }

    static func histogram(_ episodes: [PathwayEpisode], event: PathwayEvent) -> PathwayReport.Histogram {
        let window = event.due!
        let approx = { (p: PathwayPeriod) in Double(p.months) * 30.44 + Double(p.days) }
        let (from, to) = (approx(window.from), approx(window.to))
        let binDays = to < 200 ? 7 : 30
        let binCount = Int((to * 1.5 / Double(binDays)).rounded(.up)) + 1
        var counts = [Int](repeating: 0, count: binCount)
        for episode in episodes {
            guard let anchor = episode.anchor, let done = episode.first(event.code) else { continue }
            let days = max(0, anchor.days(until: done.eventDate))
            counts[min(days / binDays, binCount - 1)] += 1
        }
        return .init(event: event.code, binDays: binDays, counts: counts, windowFromDays: from, windowToDays: to)
    }

    static func delivery(_ rows: [MonitoringQuery.RoutedRow], key: String, name: String, now: Date)
        -> PathwayReport.DeliveryFigures
    {
        var figures = PathwayReport.DeliveryFigures(key: key, name: name)
        var answerHours: [Double] = []
        for row in rows {
            figures.routed += 1
            switch row.state {
            case .delivered: figures.delivered += 1
            case .rejected: figures.rejected += 1
            case .planned, .written:
                figures.pending += 1
                let age = now.timeIntervalSince(row.createdAt) / 3600
                figures.oldestPendingHours = max(figures.oldestPendingHours ?? 0, age)
                if age > appRecAgeLimitHours { figures.unanswered += 1 }
            }
            if let answered = row.answeredAt { answerHours.append(answered.timeIntervalSince(row.createdAt) / 3600) }
        }
        figures.medianHoursToAppRec = median(answerHours)
        return figures
    }

    /// The hospital partner's name; events without a start event have no hospital.
    static func hospitalName(_ id: String, config: GatewayConfig) -> String {
        id == OverdueCounts.unknownKommune ? "Uten SP1 (sykehus ukjent)" : config.partner(forInbox: id)?.name ?? id
    }

    static func median<T: BinaryInteger>(_ values: [T]) -> Double? { median(values.map { Double($0) }) }

    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }
}

