extension PathwayReportHTML {
    /// Patients by diagnosis month (spec §9: months as well as totals): per due event, bars of the
    /// decided outcomes for each month (the trend), then a table of the on-time share per month
    /// for every kommune and every hospital, with the number decided in brackets.
    static func monthSection(_ section: PathwayReport.Section) -> String {
        let total = section.months.filter { $0.groupBy == "total" }
        guard !total.isEmpty else { return "" }
        var html =
            "<h3>Per diagnosemåned</h3><p class=\"lead\">Pasienter etter måneden for diagnosedatoen (ankerdatoen), "
            + "og hvordan vinduene deres gikk. De siste månedene har mange vinduer som ikke er avgjort ennå.</p>\n"
        let decided = states.filter { $0.state.isSettled }
        let series = decided.map { SVGChart.Series(name: $0.label, color: $0.color, texture: texture($0.state)) }
        for window in section.windows {
            let rows = total.map { month -> SVGChart.BarRow in
                let f = month.events.first { $0.event == window.event }
                let undecided = [DueState.upcoming, .open, .closed].reduce(0) { $0 + (f?.count($1) ?? 0) }
                return .init(
                    label: monthName(month.month), values: decided.map { f?.count($0.state) ?? 0 },
                    note: "\(percent(f?.shareOnTime)) av \(f?.settled ?? 0) · \(undecided) ikke avgjort")
            }
            html += "<h3>\(e(eventLabel(window.event))) per diagnosemåned</h3>"
            html += chart(
                SVGChart.stackedBars(rows, series: series, title: "\(eventLabel(window.event)) per diagnosemåned"))
            html += shareTable(section, event: window.event)
        }
        return html
    }

    /// Months down, groups across (all, each kommune, each hospital): "62 % (41)".
    private static func shareTable(_ section: PathwayReport.Section, event: String) -> String {
        let groups = unique(section.months.map { "\($0.groupBy)|\($0.key)" })
        let names = Dictionary(
            section.months.map { ("\($0.groupBy)|\($0.key)", $0.groupBy == "total" ? "Alle" : $0.name) },
            uniquingKeysWith: { first, _ in first })
        let byCell = Dictionary(
            section.months.map { ("\($0.groupBy)|\($0.key)|\($0.month)", $0) }, uniquingKeysWith: { first, _ in first })
        let months = unique(section.months.filter { $0.groupBy == "total" }.map(\.month))
        let rows = months.map { month in
            [monthName(month)]
                + groups.map { group -> String in
                    guard let f = byCell["\(group)|\(month)"]?.events.first(where: { $0.event == event }), f.settled > 0
                    else { return "–" }
                    return "\(percent(f.shareOnTime)) (\(f.settled))"
                }
        }
        return "<p class=\"lead\">\(e(eventLabel(event))) innen vindu per diagnosemåned (antall avgjorte):</p>"
            + table(["Diagnosemåned"] + groups.map { names[$0] ?? $0 }, rows)
    }

    /// `2026-03` → `mar. 2026`.
    static func monthName(_ month: String) -> String {
        let names = ["jan.", "feb.", "mars", "apr.", "mai", "juni", "juli", "aug.", "sep.", "okt.", "nov.", "des."]
        guard let m = Int(month.suffix(2)), (1...12).contains(m) else { return month }
        return "\(names[m - 1]) \(month.prefix(4))"
    }

    private static func unique(_ values: [String]) -> [String] {
        var seen = Set<String>()
        return values.filter { seen.insert($0).inserted }
    }
}
