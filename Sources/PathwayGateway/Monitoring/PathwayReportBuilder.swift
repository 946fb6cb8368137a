import Foundation

/// Computes a `PathwayReport` from the episodes and the routed messages. Pure: the day judged on
/// and the clock are parameters, so tests replay years of synthetic traffic in milliseconds.
public enum PathwayReportBuilder {
    /// The report over the state database behind `store` (read only), as the gateway knew it at
    /// `now`: events received later, and AppRecs answered later, are left out. Made from the
    /// stored episodes when they are current and hold nothing received after `today` (`today`
    /// is not before the day of `clock`, the real time); otherwise from every timeline,
    /// recomputed from the events known by `today`.
    public static func build(
        store: MessageStore, config: GatewayConfig, today: CalendarDate, now: Date,
        generatedAt: Date = Date(), clock: Date = Date()
    ) throws -> PathwayReport {
        let routed = try MonitoringQuery(store: store).routed(asOf: now)
        let stored = PathwayEpisodeStore(store: store, catalog: config.pathways)
        let episodes =
            try today >= CalendarDate(clock) && stored.isCurrent()
            ? try ReportEpisodes.stored(stored, config: config, today: today, routed: routed)
            : ReportEpisodes.recomputed(
                try PathwayMonitor(store: store, config: config, knownBy: today), today: today, routed: routed)
        var report = build(
            episodes, config: config, routed: routed, today: today, now: now, generatedAt: generatedAt)
        report.noContactPoint = try MonitoringQuery(store: store).rejections(
            code: "E21", before: now,
            events: config.pathways.definitions.flatMap(\.events).filter(\.routesToKommune).map(\.code))
        return report
    }

    /// A routed message without AppRec after this long (14 days) is counted as unanswered: the
    /// receiver's system will not answer any more.
    static let appRecAgeLimitHours = 14.0 * 24

    /// The report over the episodes `monitor` recomputed (tests, and reports as of an earlier day).
    static func build(
        monitor: PathwayMonitor, routed: [MonitoringQuery.RoutedRow], today: CalendarDate,
        now: Date, generatedAt: Date? = nil
    ) -> PathwayReport {
        build(
            .recomputed(monitor, today: today, routed: routed), config: monitor.config, routed: routed,
            today: today, now: now, generatedAt: generatedAt)
    }

    /// `now` is the moment pending ages are measured at; `generatedAt` (defaults to `now`) is
    /// when the report was made, which differs for a report as of an earlier day.
    static func build(
        _ episodes: ReportEpisodes, config: GatewayConfig, routed: [MonitoringQuery.RoutedRow],
        today: CalendarDate, now: Date, generatedAt: Date? = nil
    ) -> PathwayReport {
        let sections = config.pathways.definitions.map { definition in
            section(
                ReportGroups(episodes.byPathway[definition.id] ?? [], definition: definition, routed: routed),
                config: config, now: now)
        }
        let byPartner = Dictionary(grouping: routed, by: \.targetPartner)
        var report = PathwayReport(
            generatedAt: Timestamp.rfc3339(generatedAt ?? now), asOf: today, pathways: sections,
            delivery: byPartner.keys.sorted().map {
                delivery(byPartner[$0]!, key: $0, name: config.partner(forInbox: $0)?.name ?? $0, now: now)
            },
            deliveryTotal: delivery(routed, key: "all", name: "all", now: now))
        report.deliveryByReceiver = deliveryByReceiver(routed, config: config, now: now)
        return report
    }

    /// Delivery per receiver (partner and HER-id), named as `status` names them.
    static func deliveryByReceiver(_ routed: [MonitoringQuery.RoutedRow], config: GatewayConfig, now: Date)
        -> [PathwayReport.DeliveryFigures]
    {
        let byReceiver = Dictionary(grouping: routed.indices) {
            "\(routed[$0].targetPartner)/\(routed[$0].targetHerId)"
        }
        return byReceiver.keys.sorted().map { key in
            let row = routed[byReceiver[key]![0]]
            let name = config.receiverName(partner: row.targetPartner, herId: row.targetHerId) ?? row.targetHerId
            return delivery(routed, indexes: byReceiver[key]!, key: key, name: name, now: now)
        }
    }

    /// One pathway's section: totals, then per kommune, hospital and type, the histograms and months.
    private static func section(_ g: ReportGroups, config: GatewayConfig, now: Date) -> PathwayReport.Section {
        let definition = g.definition
        let kommuneName = { (key: String) in config.kommuneName(key, pathway: definition.id) }
        let hospital = { (key: String) in hospitalName(key, config: config) }
        return PathwayReport.Section(
            id: definition.id, name: definition.name,
            startEvent: definition.events.first(where: \.starts)?.code,
            closeAfter: definition.closeAfter?.description,
            windows: definition.dueEvents.map {
                .init(event: $0.code, from: $0.due!.from.description, to: $0.due!.to.description)
            },
            total: g.figures("all", definition.name, g.all, now: now),
            byKommune: g.byKommune.keys.sorted().map { g.figures($0, kommuneName($0), g.byKommune[$0]!, now: now) },
            byHospital: g.byHospital.keys.sorted().map { g.figures($0, hospital($0), g.byHospital[$0]!, now: now) },
            byType: g.byType.keys.sorted().map { g.figures($0, definition.types[$0] ?? $0, g.byType[$0]!, now: now) },
            histograms: definition.dueEvents.indices.map { g.histogram(due: $0) },
            months: definition.dueEvents.isEmpty
                ? []
                : g.months(g.all, "total", "all", definition.name)
                    + g.byKommune.keys.sorted().flatMap { g.months(g.byKommune[$0]!, "kommune", $0, kommuneName($0)) }
                    + g.byHospital.keys.sorted().flatMap { g.months(g.byHospital[$0]!, "hospital", $0, hospital($0)) })
    }

    static func delivery(_ rows: [MonitoringQuery.RoutedRow], key: String, name: String, now: Date)
        -> PathwayReport.DeliveryFigures
    {
        delivery(rows, indexes: rows.indices, key: key, name: name, now: now)
    }

    /// The delivery figures of the rows at `indexes` (read in place: a group's figures copy no row).
    static func delivery(
        _ rows: [MonitoringQuery.RoutedRow], indexes: some Sequence<Int>, key: String, name: String, now: Date
    ) -> PathwayReport.DeliveryFigures {
        var figures = PathwayReport.DeliveryFigures(key: key, name: name)
        var answerHours: [Double] = []
        for index in indexes {
            figures.routed += 1
            let createdAt = rows[index].createdAt
            switch rows[index].state {
            case .delivered: figures.delivered += 1
            case .rejected: figures.rejected += 1
            case .planned, .written:
                figures.pending += 1
                let age = now.timeIntervalSince(createdAt) / 3600
                figures.oldestPendingHours = max(figures.oldestPendingHours ?? 0, age)
                if age > appRecAgeLimitHours { figures.unanswered += 1 }
            }
            if let answered = rows[index].answeredAt {
                answerHours.append(answered.timeIntervalSince(createdAt) / 3600)
            }
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

extension DueState: CodingKeyRepresentable {}
