import Foundation
import Testing
@testable import PathwayGateway

/// The monitoring report over synthetic populations: figures, the three renderings, and the
/// real binary on a 10,000-patient state database (with its timing).
@Suite struct PathwayReportTests {
    let config = DefaultConfig.load(currentDirectory: "/tmp")
    static let today = CalendarDate(iso: "2026-11-01")!

    private func report(_ population: SyntheticPopulation) -> PathwayReport {
        let monitor = PathwayMonitor(config: config, observations: population.observations)
        return PathwayReportBuilder.build(monitor: monitor, routed: population.routedRows(config: config), today: Self.today,
                                          now: SyntheticPopulation.noon(Self.today))
    }

    @Test func figuresAddUpPerKommuneHospitalAndDelivery() throws {
        let population = SyntheticPopulation(count: 400, start: CalendarDate(iso: "2025-01-01")!, days: 640)
        let report = report(population)
        let pfh = try #require(report.pathways.first { $0.id == "pakkeforlop-hjem" })
        #expect(pfh.byKommune.map(\.key) == ["0301", "1103", "1508", "4601", "5001", "5501"], "1507 is reported as 1508")
        #expect(pfh.byKommune.first { $0.key == "1508" }?.name == "Ålesund kommune")
        #expect(pfh.byHospital.map(\.name) == ["Haraldsplass Diakonale Sykehus", "Helse Bergen HF"])
        #expect(pfh.total.started == 400 && pfh.total.patients == 400)
        for event in pfh.total.events {
            let share = try #require(event.shareOnTime)
            #expect(share > 0.3 && share < 0.95, "\(event.event): \(share)")
            #expect(event.counts.values.reduce(0, +) == 400)
        }
        let median = try #require(pfh.total.intervals.first { $0.from == "anchor" && $0.to == "PFH-SP2" }?.medianDays)
        #expect(median > 85 && median < 130, "most SP2 are inside 3–4 months")
        #expect(pfh.histograms.first { $0.event == "PFH-SP2" }.map { $0.counts.reduce(0, +) }
                == pfh.total.events.first { $0.event == "PFH-SP2" }.map { $0.count(.early) + $0.count(.onTime) + $0.count(.late) })
        let rows = population.routedRows(config: config)
        #expect(report.deliveryTotal.routed == rows.count)
        #expect(report.deliveryTotal.delivered + report.deliveryTotal.rejected + report.deliveryTotal.pending == rows.count)
        #expect(report.deliveryTotal.pending == rows.filter { $0.answeredAt == nil }.count)
        let sp1Rows = rows.filter { $0.messageId.hasSuffix("PFH-SP1") }.count
        #expect(sp1Rows > 350 && sp1Rows < rows.count)
        #expect(pfh.total.delivery.routed == sp1Rows, "every routed SP1 is attributed to its pathway")
        #expect(pfh.byKommune.reduce(0) { $0 + $1.delivery.routed } == sp1Rows)
        let npf = try #require(report.pathways.first { $0.id == "psykisk-helse-rus" })
        #expect(npf.total.delivery.routed == rows.count - sp1Rows)
        #expect(npf.byType.map(\.key) == ["D01", "D11", "D12"])
        #expect(npf.byType.reduce(0) { $0 + $1.started } == npf.total.started)
        #expect(npf.total.started == population.patients.filter { $0.referral != nil }.count)
        let oldest = try #require(report.deliveryTotal.oldestPendingHours)
        #expect(oldest > 24 * 30, "a never-answered SP1 from months ago is visible")
    }

    @Test func htmlIsOneSelfContainedPageWithChartsAndNoPersonalData() throws {
        let population = SyntheticPopulation(count: 400, start: CalendarDate(iso: "2025-01-01")!, days: 640)
        let html = try report(population).rendered(as: .html)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.components(separatedBy: "<svg").count - 1 == 6, "SP2 and SP3 bars per kommune and per month, two histograms")
        let months = try #require(report(population).pathways.first { $0.id == "pakkeforlop-hjem" }?.months.filter { $0.groupBy == "total" })
        #expect(html.components(separatedBy: " ikke avgjort</text>").count - 1 == 2 * 6 + 2 * months.count,
                "one bar per kommune and one per month in each bar chart")
        for label in ["Vindu åpent nå", "Ikke forfalt ennå"] { #expect(!html.contains(">\(label)<"), "not a bar segment: \(label)") }
        for label in ["Datamerknader", "Anslått ankerdato", "Fant ikke kontaktpunkt (E21)", "Ubesvart over 14 døgn"] {
            #expect(html.contains(label), "\(label)")
        }
        #expect(!html.contains("Avvik"), "irregular data is not called an incident")
        // `url(#…)` names a pattern in the same page (the charts' textures); nothing is fetched.
        let local = html.replacingOccurrences(of: "url(#", with: "")
        for forbidden in ["<script", "src=", "href=", "@import", "url("] { #expect(!local.contains(forbidden), "\(forbidden)") }
        #expect(html.replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "").range(of: "http") == nil)
        #expect(!population.patients.contains { html.contains($0.pseudonym) }, "no pseudonym in the report")
        #expect(!html.contains("1507"))
        for name in ["Bergen kommune", "Ålesund kommune", "Helse Bergen HF", "Innen vindu", "Dager fra diagnose til SP2"] {
            #expect(html.contains(name), "\(name)")
        }
        let document = try SafeXMLParser.parse(Array(html.replacingOccurrences(of: "<!DOCTYPE html>\n", with: "")
            .replacingOccurrences(of: "<meta charset=\"utf-8\">", with: "<meta charset=\"utf-8\"/>")
            .replacingOccurrences(of: "initial-scale=1\">", with: "initial-scale=1\"/>").utf8))
        #expect(document.root.name == "html", "the page is well-formed markup (every SVG and table closed)")
    }

    @Test func csvIsOneRectangularTableAndJsonRoundTrips() throws {
        let population = SyntheticPopulation(count: 300, start: CalendarDate(iso: "2025-01-01")!, days: 600)
        let report = report(population)
        let csv = try report.rendered(as: .csv)
        let lines = csv.split(separator: "\r\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        let header = try #require(lines.first).map(String.init)
        #expect(lines.allSatisfy { $0.count == header.count })
        for column in ["kommune", "PFH-SP2_on_time", "PFH-SP3_share_on_time", "median_days_anchor_to_PFH-SP2", "pending"] {
            #expect(header.contains { $0 == column || $0 == "group_by" && column == "kommune" }, "\(column)")
        }
        let groups = report.pathways.reduce(0) { $0 + 1 + $1.byKommune.count + $1.byHospital.count + $1.byType.count }
        let months = report.pathways.reduce(0) { $0 + $1.months.count }
        #expect(months > 0)
        #expect(lines.count == 1 + groups + months + report.delivery.count + report.deliveryByReceiver.count + 1)
        let json = try report.rendered(as: .json)
        #expect(try JSONDecoder().decode(PathwayReport.self, from: Data(json.utf8)) == report)
    }

    /// The CSV's month rows are the JSON's months: one per diagnosis month and group
    /// (`month_total`, `month_kommune`, `month_hospital`), with the month, the patients, the
    /// estimated anchors and each window's states; group rows leave `month` empty.
    @Test func csvHasTheMonthsOfTheJson() throws {
        let population = SyntheticPopulation(count: 300, start: CalendarDate(iso: "2025-01-01")!, days: 600)
        let report = report(population)
        let lines = try report.rendered(as: .csv).split(separator: "\r\n").map {
            $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        }
        let header = try #require(lines.first)
        let column = { (name: String) in header.firstIndex(of: name) ?? -1 }
        let cell = { (row: [String], name: String) in row[column(name)] }
        let monthRows = lines.filter { cell($0, "group_by").hasPrefix("month_") }
        let section = try #require(report.pathways.first { $0.id == "pakkeforlop-hjem" })
        #expect(monthRows.count == section.months.count && !monthRows.isEmpty)
        for (row, month) in zip(monthRows, section.months) {
            #expect(cell(row, "group_by") == "month_\(month.groupBy)" && cell(row, "key") == month.key)
            #expect(cell(row, "month") == month.month && cell(row, "started") == "\(month.started)")
            #expect(cell(row, "estimated_anchor") == "\(month.estimatedAnchor)")
            for event in month.events {
                #expect(cell(row, "\(event.event)_on_time") == "\(event.count(.onTime))")
                #expect(cell(row, "\(event.event)_overdue") == "\(event.count(.overdue))")
            }
            #expect(cell(row, "routed").isEmpty && cell(row, "patients").isEmpty)
        }
        #expect(Set(monthRows.map { cell($0, "group_by") }) == ["month_total", "month_kommune", "month_hospital"])
        let totals = lines.filter { cell($0, "group_by") == "total" }
        #expect(!totals.isEmpty && totals.allSatisfy { cell($0, "month").isEmpty })
        #expect(totals.first.map { cell($0, "estimated_anchor") } == "\(section.total.estimatedAnchor)")
    }

    /// 10,000 patients (about 26,000 events, 10,000 routed messages) in a real state database, the
    /// report as of a day inside the period (later events and answers are left out);
    /// `pathways report` and `pathways due` through the real binary, timed. Set
    /// PATHWAY_REPORT_SAMPLE=/some/dir to keep the rendered reports and the spool's database.
    @Test func tenThousandPatientsThroughTheBinary() throws {
        let ws = try DaemonEndToEndTests.Workspace()
        let state = ws.root.appendingPathComponent("spool/state")
        try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
        let clock = TestClock()
        let store = try MessageStore(path: state.appendingPathComponent("gateway.sqlite").path, now: { clock.now })
        let population = SyntheticPopulation(count: 10_000, start: CalendarDate(iso: "2024-11-01")!, days: 730, seed: 7)
        let recordStart = Date()
        try population.record(into: store, clock: clock, config: config)
        let recordSeconds = Date().timeIntervalSince(recordStart)
        let env = ["PATHWAY_GATEWAY_CONFIG": ""]
        var timings: [String] = []
        for format in ["html", "json", "csv"] {
            let start = Date()
            let result = try GatewayProcess.run(["pathways", "report", "--format", format, "--as-of", "2026-11-01", "--out", "report.\(format)"],
                                                environment: env, cwd: ws.root)
            timings.append("\(format) \(String(format: "%.2f", Date().timeIntervalSince(start))) s")
            #expect(result.status == 0, "\(result.stderr)")
        }
        let start = Date()
        let due = try GatewayProcess.run(["pathways", "due", "--format", "json", "--as-of", "2026-11-01"], environment: env, cwd: ws.root)
        timings.append("due \(String(format: "%.2f", Date().timeIntervalSince(start))) s")
        print("10,000 patients: recorded in \(String(format: "%.1f", recordSeconds)) s; binary (debug build): \(timings.joined(separator: ", "))")
        #expect(due.status == 0)
        let json = try Data(contentsOf: ws.root.appendingPathComponent("report.json"))
        let report = try JSONDecoder().decode(PathwayReport.self, from: json)
        let pfh = try #require(report.pathways.first { $0.id == "pakkeforlop-hjem" })
        #expect(pfh.total.started == population.patients.filter { population.anchor($0, on: Self.today) != nil }.count)
        let known = population.patients.filter { $0.sp1.adding(days: $0.sp1Delay) <= Self.today }.count
            + population.patients.filter { $0.referral.map { $0.date <= Self.today } ?? false }.count
        #expect(report.deliveryTotal.routed == known, "routed messages known by the as-of day")
        let dueOutput = try JSONSerialization.jsonObject(with: Data(due.stdout.utf8)) as! [String: Any]
        #expect((dueOutput["overdue"] as? Int) == pfh.total.events.reduce(0) { $0 + $1.count(.overdue) })
        let html = try Data(contentsOf: ws.root.appendingPathComponent("report.html"))
        #expect(try FileManager.default.attributesOfItem(atPath: ws.root.appendingPathComponent("report.html").path)[.posixPermissions]
                as? NSNumber == 0o600)
        if let keep = ProcessInfo.processInfo.environment["PATHWAY_REPORT_SAMPLE"] {
            let files = ["html", "json", "csv"].map { "report.\($0)" } + ["", "-wal", "-shm"].map { "spool/state/gateway.sqlite\($0)" }
            for file in files where FileManager.default.fileExists(atPath: ws.root.appendingPathComponent(file).path) {
                let target = URL(fileURLWithPath: keep).appendingPathComponent(file)
                try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                try? FileManager.default.removeItem(at: target)
                try FileManager.default.copyItem(at: ws.root.appendingPathComponent(file), to: target)
            }
        }
        #expect(html.count < 200_000, "a coordinator's page, not a data dump (\(html.count) bytes)")
    }

    /// Months (spec §9): every anchored episode in exactly one diagnosis month, for the total, per
    /// kommune and per hospital; each month's states add up to its patients.
    @Test func monthsAddUpToTheTotals() throws {
        let population = SyntheticPopulation(count: 400, start: CalendarDate(iso: "2025-01-01")!, days: 640)
        let section = try #require(report(population).pathways.first { $0.id == "pakkeforlop-hjem" })
        for groupBy in ["total", "kommune", "hospital"] {
            let rows = section.months.filter { $0.groupBy == groupBy }
            #expect(rows.reduce(0) { $0 + $1.started } == section.total.started, "\(groupBy)")
            #expect(rows.reduce(0) { $0 + $1.estimatedAnchor } == section.total.estimatedAnchor, "\(groupBy)")
        }
        for row in section.months {
            #expect(row.month.count == 7 && row.events.map(\.event) == ["PFH-SP2", "PFH-SP3"])
            for event in row.events { #expect(event.counts.values.reduce(0, +) == row.started) }
        }
        let total = section.months.filter { $0.groupBy == "total" }.map(\.month)
        #expect(total == total.sorted() && Set(total).count == total.count)
        #expect(section.total.estimatedAnchor > 0 && section.total.estimatedAnchor < section.total.started,
                "some SP1s state no diagnosis date, most do")
        #expect(PathwayReportHTML.monthName("2026-03") == "mars 2026")
    }
}
