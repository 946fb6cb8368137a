import Foundation

/// The monitoring figures the implementation plans ask for ("whether needs assessments happen, per
/// municipality and hospital"), as one value: rendered to HTML, CSV or JSON. Aggregates only: no
/// pseudonyms, no identities, so a report can be mailed to a coordinator.
public struct PathwayReport: Sendable, Hashable, Codable {
    /// When the report was made (UTC, RFC 3339).
    public var generatedAt: String
    /// The day windows are judged on (Oslo).
    public var asOf: CalendarDate
    public var pathways: [Section]
    /// Routed messages and the municipalities' AppRecs, per receiving partner.
    public var delivery: [DeliveryFigures]
    public var deliveryTotal: DeliveryFigures

    /// One pathway: totals, then the same figures per kommune, per hospital and per type.
    public struct Section: Sendable, Hashable, Codable {
        public var id: String
        public var name: String
        /// The event that starts an episode (SP1), if the pathway has one.
        public var startEvent: String?
        /// How long after the anchor an episode closes (ISO period), if it does.
        public var closeAfter: String?
        public var windows: [Window]
        public var total: GroupFigures
        public var byKommune: [GroupFigures]
        public var byHospital: [GroupFigures]
        /// Per pathway type (D01, D11, D12), for pathways that have types.
        public var byType: [GroupFigures]
        /// Days from anchor to each due event, binned, for the histograms.
        public var histograms: [Histogram]
    }

    public struct Window: Sendable, Hashable, Codable {
        public var event: String
        public var from: String
        public var to: String
    }

    public struct GroupFigures: Sendable, Hashable, Codable {
        /// Kommunenummer, partner id or type code; "all" for the total; "unknown" for no kommune.
        public var key: String
        public var name: String
        /// Episodes with a start event (patients with SP1; a relapse counts again).
        public var started: Int
        /// Distinct patients among them.
        public var patients: Int
        /// Episodes whose events have no start event (e.g. SP2 without SP1).
        public var withoutStart: Int
        /// Episodes with an irregularity (out-of-order, repeated, future-dated events).
        public var flagged: Int
        /// Episodes with an overdue event today.
        public var overdue: Int
        public var events: [EventFigures]
        public var intervals: [IntervalFigures]
        /// Routed messages of this group's pathway events.
        public var delivery: DeliveryFigures
    }

    /// How the episodes stand on one due event.
    public struct EventFigures: Sendable, Hashable, Codable {
        public var event: String
        public var counts: [DueState: Int]
        /// Done inside the window, of those whose outcome is settled; nil when none is settled yet.
        public var shareOnTime: Double?

        public func count(_ state: DueState) -> Int { counts[state] ?? 0 }
        public var settled: Int { counts.filter { $0.key.isSettled }.values.reduce(0, +) }
    }

    public struct IntervalFigures: Sendable, Hashable, Codable {
        /// An event code, or "diagnosis" for the anchor.
        public var from: String
        public var to: String
        public var count: Int
        public var medianDays: Double?
    }

    public struct DeliveryFigures: Sendable, Hashable, Codable {
        public var key: String
        public var name: String
        public var routed = 0
        public var delivered = 0
        public var rejected = 0
        public var pending = 0
        /// Age of the oldest message still waiting for its AppRec.
        public var oldestPendingHours: Double?
        /// Median time from routing to the receiver's AppRec.
        public var medianHoursToAppRec: Double?
    }

    public struct Histogram: Sendable, Hashable, Codable {
        public var event: String
        public var binDays: Int
        /// `counts[i]` events on days `[i * binDays, (i+1) * binDays)`; the last bin takes the rest.
        public var counts: [Int]
        /// The window in days, approximately (a month as 30.44 days), for shading.
        public var windowFromDays: Double
        public var windowToDays: Double
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
