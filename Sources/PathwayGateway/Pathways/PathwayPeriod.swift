/// A calendar distance from a pathway's anchor date, written as an ISO 8601 duration (`P3M`,
/// `P1Y6M`, `P14D`, `P2W`): months for Pakkeforløp hjem ("3–4 months after the diagnosis"),
/// days for pathways whose time limits are counted in calendar days. Months are added first, then
/// days, so `P1M1D` from 2026-01-31 is 2026-03-01.
struct PathwayPeriod: Sendable, Hashable, Comparable, CustomStringConvertible {
    var months: Int
    var days: Int

    init(months: Int = 0, days: Int = 0) {
        self.months = months
        self.days = days
    }

    /// Parses `P[nY][nM][nW][nD]` (no time part, no fractions, at least one component).
    init?(iso text: String) {
        guard text.hasPrefix("P"), text.count > 1 else { return nil }
        var months = 0
        var days = 0
        var digits = ""
        for char in text.dropFirst() {
            if char.isASCII, char.isNumber {
                digits.append(char)
                continue
            }
            guard let n = Int(digits), n <= 10_000 else { return nil }
            switch char {
            case "Y": months += 12 * n
            case "M": months += n
            case "W": days += 7 * n
            case "D": days += n
            default: return nil
            }
            digits = ""
        }
        guard digits.isEmpty else { return nil }
        self.init(months: months, days: days)
    }

    func after(_ date: CalendarDate) -> CalendarDate { date.adding(months: months).adding(days: days) }

    /// Shortest ISO form (`P3M`, `P1M14D`, `P0D`).
    var description: String {
        if months == 0 && days == 0 { return "P0D" }
        return "P" + (months > 0 ? "\(months)M" : "") + (days > 0 ? "\(days)D" : "")
    }

    /// Orders by an approximate length (a month as 30.44 days), enough to check `from <= to`.
    static func < (lhs: PathwayPeriod, rhs: PathwayPeriod) -> Bool {
        Double(lhs.months) * 30.44 + Double(lhs.days) < Double(rhs.months) * 30.44 + Double(rhs.days)
    }
}

/// When an event is due, relative to the pathway's anchor date: open from `anchor + from` up to
/// and including `anchor + to`. "3–4 months after the diagnosis" is `P3M`…`P4M`: on exactly 3
/// months the window is open, on 4 months + 1 day it has closed.
struct DueWindow: Sendable, Hashable {
    var from: PathwayPeriod
    var to: PathwayPeriod
    /// The event whose window, once open, makes this one *not done* (ikke gjennomført) if it is
    /// still missing: an SP2 not done when SP3's window opens is no longer overdue (spec §5).
    var lapsesWhenOpens: String?

    init(from: PathwayPeriod, to: PathwayPeriod, lapsesWhenOpens: String? = nil) {
        self.from = from
        self.to = to
        self.lapsesWhenOpens = lapsesWhenOpens
    }

    func opens(after anchor: CalendarDate) -> CalendarDate { from.after(anchor) }
    func closes(after anchor: CalendarDate) -> CalendarDate { to.after(anchor) }
}
