import Foundation

/// The monitoring figures the implementation plans ask for ("whether needs assessments happen, per
/// municipality and hospital"), as one value: rendered to HTML, CSV or JSON. Aggregates only: no
/// pseudonyms, no identities, so a report can be mailed to a coordinator.
public struct PathwayReport: Sendable, Hashable, Codable {
    /// When the report was made (UTC, RFC 3339).
    var generatedAt: String
    /// The day windows are judged on (Oslo).
    var asOf: CalendarDate
    var pathways: [Section]
    /// Routed messages and the municipalities' AppRecs, per receiving partner.
    var delivery: [DeliveryFigures]
    /// The same per receiver (spec §7 "Waiting"): key `partner/HER-id`, name the contact point's
    /// (or the partner's, for a hospital department answered by a reply).
    var deliveryByReceiver: [DeliveryFigures] = []
    var deliveryTotal: DeliveryFigures
    /// Messages rejected E21 (no contact point found for the patient's kommune): SP1s that
    /// reached no municipality, which no timeline shows.
    var noContactPoint = 0

    /// One pathway: totals, then the same figures per kommune, per hospital and per type.
    struct Section: Sendable, Hashable, Codable {
        var id: String
        var name: String
        /// The event that starts an episode (SP1), if the pathway has one.
        var startEvent: String?
        /// How long after the anchor an episode closes (ISO period), if it does.
        var closeAfter: String?
        var windows: [Window]
        var total: GroupFigures
        var byKommune: [GroupFigures]
        var byHospital: [GroupFigures]
        /// Per pathway type (D01, D11, D12), for pathways that have types.
        var byType: [GroupFigures]
        /// Days from anchor to each due event, binned, for the histograms.
        var histograms: [Histogram]
        /// By diagnosis month: the total, each kommune, each hospital (pathways with windows only).
        var months: [MonthFigures] = []
    }

    /// Patients by diagnosis (anchor) month and how their windows went, for one group: the monthly
    /// indicators the plans ask for, as a trend per kommune and per hospital.
    struct MonthFigures: Sendable, Hashable, Codable {
        /// `yyyy-MM` of the anchor date.
        var month: String
        /// `total`, `kommune` or `hospital`, and the group's key and name.
        var groupBy: String
        var key: String
        var name: String
        var started: Int
        var estimatedAnchor: Int
        var events: [EventFigures]
    }

    struct Window: Sendable, Hashable, Codable {
        var event: String
        var from: String
        var to: String
    }

    struct GroupFigures: Sendable, Hashable, Codable {
        /// Kommunenummer, partner id or type code; "all" for the total; "unknown" for no kommune.
        var key: String
        var name: String
        /// Episodes with a start event (patients with SP1; a relapse counts again).
        var started: Int
        /// Distinct patients among them.
        var patients: Int
        /// Episodes whose events have no start event (e.g. SP2 without SP1).
        var withoutStart: Int
        /// Episodes with an irregularity (out-of-order, repeated, future-dated events).
        var flagged: Int
        /// Episodes with an overdue event today.
        var overdue: Int
        /// Episodes whose anchor is the SP1 date because no diagnosis date was stated: their
        /// windows are estimated.
        var estimatedAnchor = 0
        var events: [EventFigures]
        var intervals: [IntervalFigures]
        /// Routed messages of this group's pathway events.
        var delivery: DeliveryFigures
    }

    /// How the episodes stand on one due event.
    struct EventFigures: Sendable, Hashable, Codable {
        var event: String
        var counts: [DueState: Int]
        /// Done inside the window, of those whose outcome is settled; nil when none is settled yet.
        var shareOnTime: Double?

        func count(_ state: DueState) -> Int { counts[state] ?? 0 }
        var settled: Int { counts.filter { $0.key.isSettled }.values.reduce(0, +) }
    }

    struct IntervalFigures: Sendable, Hashable, Codable {
        /// An event code, or "diagnosis" for the anchor.
        var from: String
        var to: String
        var count: Int
        var medianDays: Double?
    }

    struct DeliveryFigures: Sendable, Hashable, Codable {
        var key: String
        var name: String
        var routed = 0
        var delivered = 0
        var rejected = 0
        var pending = 0
        /// Age of the oldest message still waiting for its AppRec.
        var oldestPendingHours: Double?
        /// Of `pending`, those older than `PathwayReportBuilder.appRecAgeLimitHours`: no answer
        /// will come any more; the kommune must be asked.
        var unanswered = 0
        /// Median time from routing to the receiver's AppRec.
        var medianHoursToAppRec: Double?
    }

    struct Histogram: Sendable, Hashable, Codable {
        var event: String
        var binDays: Int
        /// `counts[i]` events on days `[i * binDays, (i+1) * binDays)`; the last bin takes the rest.
        var counts: [Int]
        /// The window in days, approximately (a month as 30.44 days), for shading.
        var windowFromDays: Double
        var windowToDays: Double
    }
}

extension PathwayReport {
    public enum Format: String, Sendable, CaseIterable {
        case html, csv, json
    }

    /// The report in `format`; JSON is pretty-printed with sorted keys (stable for diffs).
    public func rendered(as format: Format) throws -> String {
        switch format {
        case .html: return PathwayReportHTML.render(self)
        case .csv: return PathwayReportCSV.render(self)
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
        }
    }
}
