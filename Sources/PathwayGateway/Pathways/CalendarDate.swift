import Foundation

/// A day on the Norwegian calendar, without a time of day: what a pathway's dates are (diagnosis,
/// needs assessment, window edges). Kept apart from `Date` because a `Date` is an instant and the
/// same instant is two different days in Oslo and in UTC around midnight; a window "3 months after
/// 2026-10-31" is a calendar question, not a number of seconds.
///
/// Arithmetic is proleptic Gregorian, done on (year, month, day) directly: the same answers as
/// `Calendar(identifier: .gregorian)` in Europe/Oslo (a test holds the two equal), without its
/// cost per call and without DST surprises (adding months to a date, not to a midnight instant).
public struct CalendarDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    let year: Int
    let month: Int
    let day: Int

    /// The time zone pathway dates live in: a timestamp becomes a calendar date in Oslo.
    public static let zone = TimeZone(identifier: "Europe/Oslo")!

    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
            (1...Self.daysIn(month: month, year: year)).contains(day)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// `yyyy-MM-dd`, optionally followed by an xs:date time-zone suffix (`Z`, `+01:00`), which is
    /// ignored: an xs:date names a day where it was written.
    public init?(iso text: some StringProtocol) {
        // Plain `yyyy-MM-dd` (what the database holds) is read in place; anything else copied.
        if let date = text.utf8.withContiguousStorageIfAvailable({ Self.plainISO($0) }), let date {
            self = date
            return
        }
        let chars = Array(text.utf8)
        guard chars.count >= 10, chars[4] == UInt8(ascii: "-"), chars[7] == UInt8(ascii: "-"),
            let y = Self.number(chars[0..<4]), let m = Self.number(chars[5..<7]), let d = Self.number(chars[8..<10])
        else {
            return nil
        }
        if chars.count > 10 {
            let rest = String(decoding: chars[10...], as: UTF8.self)
            guard rest == "Z" || (rest.count == 6 && (rest.hasPrefix("+") || rest.hasPrefix("-"))) else { return nil }
        }
        self.init(year: y, month: m, day: d)
    }

    /// A date from exactly ten bytes `yyyy-MM-dd`; nil for anything else.
    private static func plainISO(_ bytes: UnsafeBufferPointer<UInt8>) -> CalendarDate? {
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return nil }
        func number(_ from: Int, _ to: Int) -> Int? {
            var value = 0
            for index in from..<to {
                guard (48...57).contains(bytes[index]) else { return nil }
                value = value * 10 + Int(bytes[index] - 48)
            }
            return value
        }
        guard let year = number(0, 4), let month = number(5, 7), let day = number(8, 10) else { return nil }
        return CalendarDate(year: year, month: month, day: day)
    }

    /// `d.M.yyyy` as Norwegians write dates (`2.11.2026`, `02.11.2026`).
    public init?(norwegian text: some StringProtocol) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[2].count == 4, (1...2).contains(parts[0].count), (1...2).contains(parts[1].count),
            let d = Self.number(Array(parts[0].utf8)[...]), let m = Self.number(Array(parts[1].utf8)[...]),
            let y = Self.number(Array(parts[2].utf8)[...])
        else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// The day `instant` falls on in `zone` (Oslo unless told otherwise).
    /// (The zone's offset at that instant, then whole days: cheap enough for every event of a
    /// 10,000-patient report, unlike a Calendar lookup each time.)
    public init(_ instant: Date, in zone: TimeZone = CalendarDate.zone) {
        let local = instant.timeIntervalSince1970 + Double(zone.secondsFromGMT(for: instant))
        self.init(dayNumber: Int((local / 86_400).rounded(.down)))
    }

    private init(unchecked year: Int, _ month: Int, _ day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// `yyyy-MM-dd` (four-digit years: 1…9999). Written digit by digit: the episode upkeep
    /// formats several dates per recorded event.
    /// `yyyy-MM-dd`, written digit by digit (the episode upkeep formats several per event).
    public var description: String {
        String(unsafeUninitializedCapacity: 10) { out in
            let (m, d) = (UInt8(month), UInt8(day))
            out[0] = UInt8(48 + year / 1000 % 10)
            out[1] = UInt8(48 + year / 100 % 10)
            out[2] = UInt8(48 + year / 10 % 10)
            out[3] = UInt8(48 + year % 10)
            (out[4], out[5], out[6], out[7]) = (45, 48 + m / 10, 48 + m % 10, 45)
            (out[8], out[9]) = (48 + d / 10, 48 + d % 10)
            return 10
        }
    }

    public static func < (lhs: CalendarDate, rhs: CalendarDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    // MARK: Arithmetic

    /// Whole calendar months later (or earlier), the day clamped to the target month's length:
    /// 2026-10-31 + 4 months = 2027-02-28, as Foundation's Calendar does.
    func adding(months: Int) -> CalendarDate {
        let index = year * 12 + (month - 1) + months
        let (y, m) = (index / 12, index % 12 + 1)
        return CalendarDate(unchecked: y, m, min(day, Self.daysIn(month: m, year: y)))
    }

    public func adding(days: Int) -> CalendarDate { CalendarDate(dayNumber: dayNumber + days) }

    /// Days from `self` to `other` (negative when `other` is earlier).
    func days(until other: CalendarDate) -> Int { other.dayNumber - dayNumber }

    /// Days since 1970-01-01 (H. Hinnant's days-from-civil), for day arithmetic and intervals.
    public var dayNumber: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    init(dayNumber: Int) {
        let z = dayNumber + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.init(unchecked: yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    private static func number(_ digits: ArraySlice<UInt8>) -> Int? {
        guard !digits.isEmpty, digits.allSatisfy({ (48...57).contains($0) }) else { return nil }
        return digits.reduce(0) { $0 * 10 + Int($1 - 48) }
    }
}

extension CalendarDate: Codable {
    /// Encoded as its ISO text, the form JSON reports and the database use.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let date = CalendarDate(iso: text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "not a yyyy-MM-dd date: \(text)"))
        }
        self = date
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// "1.11.2026": how Norwegian text (the report, a reminder) writes a day.
    var norwegian: String { "\(day).\(month).\(year)" }
}
