import Foundation

/// The report as one self-contained HTML page (inline CSS and SVG, no scripts, no external files)
/// for a pathway coordinator: key figures first, then per pathway a bar per kommune for each due
/// event, the distribution of days to it, and the tables. Labels are Norwegian (bokmål), for the
/// coordinators who read it; numbers are written the Norwegian way (12,5; 78 %).
enum PathwayReportHTML {
    /// The states in the order the bars stack them, with their labels and colours (Okabe–Ito,
    /// readable with colour-vision deficiency).
    static let states: [(state: DueState, label: String, color: String)] = [
        (.onTime, "Innen vindu", "#009E73"), (.early, "For tidlig", "#56B4E9"), (.late, "For sent", "#E69F00"),
        (.overdue, "Forfalt", "#D55E00"), (.missed, "Ikke gjennomført", "#6E6E6E"),
        (.open, "Vindu åpent nå", "#F0E442"),
        (.upcoming, "Ikke forfalt ennå", "#DDDDDD"), (.closed, "Avsluttet (død, ønsker ikke, flyttet)", "#FFFFFF"),
    ]

    static func render(_ report: PathwayReport, title: String = "Pakkeforløp – oppfølging i kommunene") -> String {
        var html = """
            <!DOCTYPE html>
            <html lang="nb"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(e(title))</title><style>\(css)</style></head><body>
            <header><h1>\(e(title))</h1>
            <p class="meta">Status per \(e(report.asOf.norwegian)) · laget \(e(madeAt(report.generatedAt))) · bare samletall, ingen personopplysninger</p></header>

            """
        html += cards(report)
        for section in report.pathways {
            if section.total.started + section.total.withoutStart == 0 {
                html +=
                    "<section><h2>\(e(section.name))</h2><p class=\"lead\">Ingen meldinger registrert.</p></section>\n"
            } else {
                html += section.windows.isEmpty ? referralSection(section) : windowSection(section)
            }
        }
        html += deliverySection(report)
        html += footer(report)
        return html
    }

    // MARK: Sections

    private static func cards(_ report: PathwayReport) -> String {
        var cards: [(String, String, String)] = []
        for section in report.pathways where !section.windows.isEmpty {
            let total = section.total
            cards.append(
                ("Forløp startet (\(eventLabel(section.startEvent ?? "")))", "\(total.started)", short(section.name)))
            for event in total.events {
                cards.append(
                    (
                        "\(eventLabel(event.event)) innen vindu", percent(event.shareOnTime),
                        "\(event.count(.onTime)) av \(event.settled) avgjorte"
                    ))
            }
            cards.append(("Forfalt nå", "\(total.overdue)", "forløp med punkt over fristen"))
        }
        let d = report.deliveryTotal
        let limit = hours(PathwayReportBuilder.appRecAgeLimitHours)
        cards.append(("Venter på kvittering", "\(d.pending - d.unanswered)", "sendt for under \(limit) siden"))
        cards.append(("Ubesvart over \(limit)", "\(d.unanswered)", "kommunen må spørres"))
        cards.append(("Avvist av kommunen", "\(d.rejected)", "av \(d.routed) rutede meldinger"))
        cards.append(
            (
                "Fant ikke kontaktpunkt (E21)", "\(report.noContactPoint)",
                "avvist: kommunen har ikke kontaktpunkt for forløpet"
            ))
        return "<section class=\"cards\">"
            + cards.map { label, value, note in
                "<div class=\"card\"><div class=\"v\">\(e(value))</div><div class=\"l\">\(e(label))</div><div class=\"n\">\(e(note))</div></div>"
            }.joined() + "</section>\n"
    }

    private static func windowSection(_ section: PathwayReport.Section) -> String {
        let windows = section.windows.map { "\(eventLabel($0.event)) \(range($0.from, $0.to))" }.joined(separator: ", ")
        var html =
            "<section><h2>\(e(section.name))</h2><p class=\"lead\">Vinduer etter diagnosedato: \(e(windows)).</p>\n"
        // Bars show the decided outcomes only, so the green share is the table's share; what is not
        // decided yet (not due, window open, closed early) is counted beside the bar.
        let decided = states.filter { $0.state.isSettled }
        let series = decided.map { SVGChart.Series(name: $0.label, color: $0.color, texture: texture($0.state)) }
        for window in section.windows {
            let rows = section.byKommune.map { group -> SVGChart.BarRow in
                let figures = group.events.first { $0.event == window.event }
                let undecided = [DueState.upcoming, .open, .closed].reduce(0) { $0 + (figures?.count($1) ?? 0) }
                return .init(
                    label: group.name, values: decided.map { figures?.count($0.state) ?? 0 },
                    note: "\(percent(figures?.shareOnTime)) av \(figures?.settled ?? 0) · \(undecided) ikke avgjort")
            }
            html += "<h3>\(e(eventLabel(window.event))) per kommune</h3>"
            html += chart(SVGChart.stackedBars(rows, series: series, title: "\(eventLabel(window.event)) per kommune"))
        }
        for histogram in section.histograms {
            let label = eventLabel(histogram.event)
            let window = section.windows.first { $0.event == histogram.event }
            html += "<h3>Dager fra diagnose til \(e(label))</h3>"
            html += chart(
                SVGChart.histogram(
                    histogram.counts, binDays: histogram.binDays,
                    window: histogram.windowFromDays...histogram.windowToDays,
                    windowLabel: "vindu \(window.map { range($0.from, $0.to) } ?? "")",
                    xLabel: "dager fra diagnosedato (\(histogram.binDays == 7 ? "per uke" : "per 30 dager"))",
                    title: "Dager fra diagnose til \(label)"))
        }
        html += monthSection(section)
        html += "<h3>Per kommune</h3>" + windowTable(section, section.byKommune, first: "Kommune")
        html += "<h3>Per sykehus (som sendte SP1)</h3>" + windowTable(section, section.byHospital, first: "Sykehus")
        return html + "</section>\n"
    }

    /// Per group: share inside each window, median days from diagnosis to each point and between
    /// points, overdue now, irregular and orphan episodes. (Delivery has its own table; the CSV
    /// and JSON carry every figure.)
    private static func windowTable(
        _ section: PathwayReport.Section, _ groups: [PathwayReport.GroupFigures], first: String
    ) -> String {
        // The hospital's own figure first: days from the diagnosis to its SP1 (stated diagnosis dates only).
        let start = eventLabel(section.startEvent ?? "")
        var head = ["\(first)", "Forløp (\(start))", "Median dager diagnose→\(start)"]
        for window in section.windows {
            let label = eventLabel(window.event)
            head += ["\(label) innen vindu (andel av avgjorte)", "Median dager diagnose→\(label)"]
        }
        let consecutive = section.total.intervals.filter { $0.from != "anchor" && $0.from != "diagnosis" }
        head += consecutive.map { "Median dager \(eventLabel($0.from))→\(eventLabel($0.to))" }
        head += [
            "Forfalt nå", "Anslått ankerdato (SP1-dato)", "Datamerknader",
            "Uten \(eventLabel(section.startEvent ?? ""))",
        ]
        let rows = (groups + [section.total]).map { group -> [String] in
            var row = [
                group.key == "all" ? "Totalt" : group.name, "\(group.started)",
                days(group.intervals.first { $0.from == "diagnosis" }?.medianDays),
            ]
            for window in section.windows {
                let f = group.events.first { $0.event == window.event }
                let median = group.intervals.first { $0.from == "anchor" && $0.to == window.event }?.medianDays
                row += [percent(f?.shareOnTime), days(median)]
            }
            row += consecutive.map { c in days(group.intervals.first { $0.from == c.from && $0.to == c.to }?.medianDays)
            }
            row += ["\(group.overdue)", "\(group.estimatedAnchor)", "\(group.flagged)", "\(group.withoutStart)"]
            return row
        }
        return table(head, rows)
    }

    /// A pathway without windows (psykisk helse og rus): referrals and their delivery.
    private static func referralSection(_ section: PathwayReport.Section) -> String {
        var html =
            "<section><h2>\(e(section.name))</h2><p class=\"lead\">Meldinger om oppfølging i kommunen (klinisk beslutning eller avslutning); ingen kommunal frist.</p>\n"
        let head = ["", "Meldinger", "Pasienter", "Rutet", "Kvittert OK", "Avvist", "Venter", "Eldste ventende"]
        func rows(_ groups: [PathwayReport.GroupFigures]) -> [[String]] {
            groups.map { g in
                [
                    g.key == "all" ? "Totalt" : g.name, "\(g.started)", "\(g.patients)", "\(g.delivery.routed)",
                    "\(g.delivery.delivered)",
                    "\(g.delivery.rejected)", "\(g.delivery.pending)", g.delivery.oldestPendingHours.map(hours) ?? "–",
                ]
            }
        }
        html +=
            "<h3>Per kommune</h3>" + table(["Kommune"] + head.dropFirst(), rows(section.byKommune + [section.total]))
        if !section.byType.isEmpty {
            html +=
                "<h3>Per forløpstype</h3>"
                + table(["Forløp"] + head.dropFirst(), rows(section.byType + [section.total]))
        }
        html +=
            "<h3>Per sykehus</h3>" + table(["Sykehus"] + head.dropFirst(), rows(section.byHospital + [section.total]))
        return html + "</section>\n"
    }

    private static func deliverySection(_ report: PathwayReport) -> String {
        let head = [
            "Mottaker", "Rutet", "Kvittert OK", "Avvist", "Venter", "Eldste ventende", "Median tid til kvittering",
        ]
        let row = { (d: PathwayReport.DeliveryFigures) in
            [
                d.key == "all" ? "Totalt" : d.name, "\(d.routed)", "\(d.delivered)", "\(d.rejected)", "\(d.pending)",
                d.oldestPendingHours.map(hours) ?? "–", d.medianHoursToAppRec.map(hours) ?? "–",
            ]
        }
        let receivers = report.deliveryByReceiver.map { d in
            row(d).enumerated().map {
                $0.offset == 0 ? "\(d.name) (HER \(d.key.split(separator: "/").last ?? ""))" : $0.element
            }
        }
        return
            "<section><h2>Levering til mottakerne</h2><p class=\"lead\">Meldinger gatewayen har levert, og mottakernes kvitteringer (AppRec) – per mottaker (kommune eller sykehus), så per kontaktpunkt eller avdeling.</p>"
            + table(head, (report.delivery + [report.deliveryTotal]).map(row))
            + (receivers.isEmpty ? "" : "<h3>Per kontaktpunkt og avdeling</h3>" + table(head, receivers))
            + "</section>\n"
    }

    private static func footer(_ report: PathwayReport) -> String {
        let windows = report.pathways.flatMap { section in
            section.windows.map { "\(eventLabel($0.event)) \(range($0.from, $0.to))" }
        }.joined(separator: ", ")
        let closes = report.pathways.compactMap { s in
            s.closeAfter.map { "\(short(s.name)): \(period($0)) etter diagnose" }
        }
        return """
            <footer><h2>Slik leses rapporten</h2><ul>
            <li><b>Vindu</b>: tiden et samhandlingspunkt skal skje i, regnet fra diagnosedatoen, eller fra SP1-datoen når meldingen ikke oppgir diagnosedato (\(e(windows))). Dagen vinduet åpner og dagen det lukker regnes med; måneder regnes i kalenderen.</li>
            <li><b>Forfalt</b>: vinduet er passert uten at punktet er registrert, og forløpet pågår. <b>Ikke gjennomført</b>: punktet mangler og kommer ikke: neste punkts vindu har åpnet (SP2 når SP3-vinduet åpner), siste punkt er registrert, eller tidsrammen er passert (\(e(closes.joined(separator: "; ")))). <b>Avsluttet</b>: forløpet er avsluttet med årsak (død, ønsker ikke, flyttet, annet); det teller ikke med i andelene.</li>
            <li><b>Andel innen vindu</b> regnes av forløpene der utfallet er avgjort (innen vindu, for tidlig, for sent, forfalt, ikke gjennomført). Søylene viser bare de avgjorte; tallet etter søylen er andelen innen vindu, antall avgjorte og antall som ikke er avgjort ennå.</li>
            <li><b>Anslått ankerdato</b>: meldingen oppga ikke diagnosedato, så SP1-datoen er brukt; vinduene for disse forløpene er anslag.</li>
            <li><b>Datamerknader</b>: forløp med hendelser i uventet rekkefølge (SP2 før SP1, to SP1, dato frem i tid). Slike hendelser er tatt med, ikke forkastet.</li>
            <li><b>Kommune</b> er pasientens siste kjente bostedskommune; gamle kommunenummer er oversatt til dagens.</li>
            </ul></footer></body></html>

            """
    }

    // MARK: Pieces

    /// Textures beside the colours: overdue striped, early dotted (in grey, early's sky blue comes
    /// close to late's orange, and overdue's vermilion to late's orange for some colour-blind readers).
    static func texture(_ state: DueState) -> SVGChart.Texture? {
        state == .overdue ? .stripes : state == .early ? .dots : nil
    }

    /// A chart in a box that scrolls sideways on a phone rather than shrinking its text away.
    static func chart(_ svg: String) -> String { "<div class=\"chart\">\(svg)</div>\n" }

    static func table(_ head: [String], _ rows: [[String]]) -> String {
        var html =
            "<div class=\"scroll\"><table><thead><tr>" + head.map { "<th>\(e($0))</th>" }.joined()
            + "</tr></thead><tbody>"
        for (index, row) in rows.enumerated() {
            let total = row.first == "Totalt" && index == rows.count - 1
            html += "<tr\(total ? " class=\"total\"" : "")>" + row.map { "<td>\(e($0))</td>" }.joined() + "</tr>"
        }
        return html + "</tbody></table></div>\n"
    }

    /// 1.11.2026, as Norwegians write a date.

    /// "23.11.2026 kl. 12.04" (Oslo time) from the RFC 3339 timestamp.
    static func madeAt(_ timestamp: String) -> String {
        guard let date = Timestamp.date(rfc3339: timestamp) else { return timestamp }
        let local = date.addingTimeInterval(Double(CalendarDate.zone.secondsFromGMT(for: date)))
        let seconds = Int(local.timeIntervalSince1970.rounded(.down)) % 86_400
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(CalendarDate(date).norwegian) kl. \(two(seconds / 3600)).\(two(seconds / 60 % 60))"
    }

    static func eventLabel(_ code: String) -> String {
        switch code {
        case "anchor", "diagnosis": "diagnose"
        default: code.hasPrefix("PFH-") ? String(code.dropFirst(4)) : code
        }
    }

    static func percent(_ share: Double?) -> String {
        share.map { "\(Int(($0 * 100).rounded())) %" } ?? "–"
    }

    static func days(_ value: Double?) -> String {
        guard let value else { return "–" }
        return value == value.rounded()
            ? "\(Int(value))" : String(format: "%.1f", value).replacingOccurrences(of: ".", with: ",")
    }

    static func hours(_ value: Double) -> String {
        value < 48 ? "\(days((value * 10).rounded() / 10)) t" : "\(days((value / 24 * 10).rounded() / 10)) døgn"
    }

    /// `P3M`…`P4M` → "3–4 mnd"; mixed units are written out on both sides.
    static func range(_ from: String, _ to: String) -> String {
        guard let a = PathwayPeriod(iso: from), let b = PathwayPeriod(iso: to) else { return "\(from)–\(to)" }
        if a.days == 0, b.days == 0 { return "\(a.months)–\(b.months) mnd" }
        if a.months == 0, b.months == 0 { return "\(a.days)–\(b.days) dager" }
        return "\(period(from))–\(period(to))"
    }

    /// `P3M` → "3 mnd", `P14D` → "14 dager".
    static func period(_ iso: String) -> String {
        guard let p = PathwayPeriod(iso: iso) else { return iso }
        switch (p.months, p.days) {
        case (let m, 0): return "\(m) mnd"
        case (0, let d): return "\(d) dager"
        default: return "\(p.months) mnd \(p.days) d"
        }
    }

    private static func short(_ name: String) -> String { name.count > 40 ? String(name.prefix(38)) + "…" : name }

    static func e(_ text: String) -> String { text.xmlEscapedAttribute }

    static let css = """
        body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#1d1d1f;margin:0 auto;max-width:1040px;padding:24px}
        h1{font-size:26px;margin:0 0 4px}h2{font-size:20px;margin:36px 0 6px;border-bottom:2px solid #e4e4e4;padding-bottom:4px}
        h3{font-size:15px;margin:22px 0 6px;color:#333}.meta,.lead{color:#555;margin:4px 0 12px}
        .cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(145px,1fr));gap:10px;margin:18px 0}
        .card{background:#f5f7f9;border:1px solid #e1e5ea;border-radius:8px;padding:10px 12px}
        .card .v{font-size:26px;font-weight:650}.card .l{font-weight:600}.card .n{color:#666;font-size:12.5px}
        .scroll{overflow-x:auto}table{border-collapse:collapse;font-size:12.5px;width:100%}
        th,td{padding:5px 7px;border-bottom:1px solid #e6e6e6;text-align:right;white-space:nowrap}
        th:first-child,td:first-child{text-align:left}th{background:#f0f2f4;font-weight:600;vertical-align:bottom;white-space:normal}
        tr.total td{font-weight:650;border-top:2px solid #ccc}
        svg text{font-family:inherit}svg .label{font-size:12.5px;fill:#222}svg .note,svg .tick{font-size:11px;fill:#555}
        svg .legend{font-size:11.5px;fill:#222}svg .seg{font-size:11px;fill:#111;paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-opacity:.85}
        svg .seg.dark{fill:#fff;stroke:#000;stroke-opacity:.6}
        svg .track{fill:#f4f4f4}svg .bar{fill:#0072B2}svg .band{fill:#009E73;opacity:.13}svg .bandlabel{font-size:11px;fill:#00694d}
        svg .grid{stroke:#e8e8e8}svg .axis{stroke:#888}svg .key{stroke:#888;stroke-width:.5}
        footer{margin-top:40px;color:#444;font-size:13px}footer li{margin:4px 0}
        .chart{overflow-x:auto}.chart svg{min-width:720px}
        @media (max-width:600px){body{padding:12px}h1{font-size:21px}.card .v{font-size:22px}}
        @media print{body{max-width:none}.chart svg{min-width:0}.card{break-inside:avoid}section{break-inside:avoid-page}}
        """
}
