import Foundation

/// The report as one CSV table (RFC 4180: comma-separated, `.` as decimal point, UTF-8) for
/// spreadsheets and further analysis: one row per pathway and group (total, each kommune, each
/// hospital, each type), then its months (`group_by` `month_total`, `month_kommune`,
/// `month_hospital`, with `month` set: patients by diagnosis month and how their windows went),
/// then one row per receiving partner for delivery, and one per receiver HER-id in it. Columns are the union over all pathways;
/// cells that do not apply are empty. Column names are stable English keys.
enum PathwayReportCSV {
    static func render(_ report: PathwayReport) -> String {
        let dueEvents = unique(report.pathways.flatMap { $0.windows.map(\.event) })
        let intervals = unique(report.pathways.flatMap { $0.total.intervals.map { "\($0.from)_to_\($0.to)" } })
        var header = [
            "as_of", "pathway", "group_by", "key", "name", "month", "started", "patients", "without_start", "flagged",
            "overdue", "estimated_anchor",
        ]
        for event in dueEvents {
            header += states.map { "\(event)_\(snake($0.rawValue))" } + ["\(event)_share_on_time"]
        }
        header += intervals.map { "median_days_\($0)" }
        header += ["routed", "delivered", "rejected", "pending", "oldest_pending_hours", "median_hours_to_apprec"]

        var lines = [header]
        for section in report.pathways {
            let groups =
                [("total", section.total)] + section.byKommune.map { ("kommune", $0) }
                + section.byHospital.map { ("hospital", $0) } + section.byType.map { ("type", $0) }
            for (groupBy, g) in groups {
                var row = [
                    report.asOf.description, section.id, groupBy, g.key, g.name, "", "\(g.started)", "\(g.patients)",
                    "\(g.withoutStart)", "\(g.flagged)", "\(g.overdue)", "\(g.estimatedAnchor)",
                ]
                row += dueEvents.flatMap { event in eventCells(g.events.first { $0.event == event }) }
                row += intervals.map { key in number(g.intervals.first { "\($0.from)_to_\($0.to)" == key }?.medianDays)
                }
                lines.append(row + delivery(g.delivery))
            }
            for m in section.months {
                var row = [
                    report.asOf.description, section.id, "month_\(m.groupBy)", m.key, m.name, m.month, "\(m.started)",
                    "", "", "", "", "\(m.estimatedAnchor)",
                ]
                row += dueEvents.flatMap { event in eventCells(m.events.first { $0.event == event }) }
                lines.append(row + [String](repeating: "", count: header.count - row.count))
            }
        }
        for d in report.delivery + report.deliveryByReceiver + [report.deliveryTotal] {
            let group = d.key == "all" ? "total" : d.key.contains("/") ? "receiver_her_id" : "receiver"
            var row = [report.asOf.description, "", group, d.key, d.name]
            row += [String](repeating: "", count: header.count - row.count - 6)
            lines.append(row + delivery(d))
        }
        return lines.map { $0.map(field).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    /// The window states counted in the table (an episode without anchor has no windows).
    private static let states = DueState.allCases.filter { $0 != .noAnchor }

    /// One due event's cells: the count per state, then the on-time share; empty when the group
    /// has no such event.
    private static func eventCells(_ f: PathwayReport.EventFigures?) -> [String] {
        states.map { state in f.map { "\($0.count(state))" } ?? "" } + [number(f?.shareOnTime)]
    }

    private static func delivery(_ d: PathwayReport.DeliveryFigures) -> [String] {
        [
            "\(d.routed)", "\(d.delivered)", "\(d.rejected)", "\(d.pending)", number(d.oldestPendingHours),
            number(d.medianHoursToAppRec),
        ]
    }

    private static func number(_ value: Double?) -> String {
        guard let value else { return "" }
        let rounded = (value * 1000).rounded() / 1000
        return rounded == rounded.rounded() ? "\(Int(rounded))" : "\(rounded)"
    }

    private static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// `onTime` → `on_time`.
    private static func snake(_ name: String) -> String {
        name.reduce(into: "") { out, c in out += c.isUppercase ? "_" + c.lowercased() : String(c) }
    }

    private static func unique(_ values: [String]) -> [String] {
        var seen = Set<String>()
        return values.filter { seen.insert($0).inserted }
    }
}
