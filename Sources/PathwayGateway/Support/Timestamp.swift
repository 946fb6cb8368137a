import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The one home of the gateway's written times: RFC 3339 in UTC (the audit log's `ts`, the
/// operator log, status and reports), the UTC stamp in rotated audit file names, and the Oslo local
/// time KITH messages carry; and the one parser of RFC 3339 text.
///
/// Why hand-written: an audit record carries a timestamp and is written for every message, and
/// Foundation's formatters are costly to create and not safe to share between threads. The
/// output is the same text as `ISO8601DateFormatter` with `.withInternetDateTime` (and
/// `.withFractionalSeconds`): the time rounded to milliseconds first.
enum Timestamp {
    /// `2026-11-23T12:00:00.123Z`: UTC with milliseconds.
    static func rfc3339(_ date: Date) -> String {
        let millis = milliseconds(date)
        let parts = utc(millis >= 0 ? millis / 1000 : (millis - 999) / 1000)
        let fraction = Int32(((millis % 1000) + 1000) % 1000)
        return digits(parts.tm_year + 1900, 4) + "-" + digits(parts.tm_mon + 1, 2) + "-" + digits(parts.tm_mday, 2)
            + "T"
            + digits(parts.tm_hour, 2) + ":" + digits(parts.tm_min, 2) + ":" + digits(parts.tm_sec, 2) + "."
            + digits(fraction, 3) + "Z"
    }

    /// `2026-11-23T12:00:00Z`: UTC to the whole second (of the time rounded to milliseconds, as
    /// Foundation's formatter does: 40.9996 s is written 41).
    static func rfc3339Seconds(_ date: Date) -> String {
        let millis = milliseconds(date)
        let parts = utc(millis >= 0 ? millis / 1000 : (millis - 999) / 1000)
        return digits(parts.tm_year + 1900, 4) + "-" + digits(parts.tm_mon + 1, 2) + "-" + digits(parts.tm_mday, 2)
            + "T"
            + digits(parts.tm_hour, 2) + ":" + digits(parts.tm_min, 2) + ":" + digits(parts.tm_sec, 2) + "Z"
    }

    /// `20261123-120000`: UTC to the second, digits only (file names sort by it).
    static func compactUTC(_ date: Date) -> String {
        let parts = utc(Int64(date.timeIntervalSince1970.rounded(.down)))
        return digits(parts.tm_year + 1900, 4) + digits(parts.tm_mon + 1, 2) + digits(parts.tm_mday, 2) + "-"
            + digits(parts.tm_hour, 2) + digits(parts.tm_min, 2) + digits(parts.tm_sec, 2)
    }

    /// `2026-11-23T13:00:00`: Oslo local time without a zone, as KITH messages usually carry it.
    /// A batch's messages share their time, so the last second formatted is kept: the calendar
    /// conversion is the costly part.
    static func osloLocal(_ date: Date) -> String {
        let second = Int64(date.timeIntervalSince1970.rounded(.down))
        if let text = lastOsloSecond.withLock({ $0?.second == second ? $0?.text : nil }) { return text }
        let c = osloCalendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let text = String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
        lastOsloSecond.withLock { $0 = (second, text) }
        return text
    }

    /// The time of RFC 3339 text with fractional seconds and any UTC offset (what `rfc3339`
    /// writes, read back without a formatter; other shapes go to Foundation's parser).
    static func date(rfc3339 text: String) -> Date? {
        if let millis = canonicalMillis(text) {
            return Date(
                timeIntervalSinceReferenceDate: Double(millis) / 1000 - Date.timeIntervalBetween1970AndReferenceDate)
        }
        return parsed(text, options: [.withInternetDateTime, .withFractionalSeconds])
    }

    /// The time of RFC 3339 text without fractional seconds (`2026-11-23T12:00:00+01:00`).
    static func date(rfc3339Seconds text: String) -> Date? {
        parsed(text, options: [.withInternetDateTime])
    }

    // MARK: Helpers

    private static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }

    private static func parsed(_ text: String, options: ISO8601DateFormatter.Options) -> Date? {
        let formatter = ISO8601DateFormatter()  // one per call: not safe to share between threads
        formatter.formatOptions = options
        return formatter.date(from: text)
    }

    /// Milliseconds since 1970 of exactly `yyyy-MM-ddTHH:mm:ss.SSSZ` with every field in range; nil
    /// for anything else.
    private static func canonicalMillis(_ text: String) -> Int64? {
        var text = text
        return text.withUTF8 { b -> Int64? in
            guard b.count == 24, b[4] == 0x2D, b[7] == 0x2D, b[10] == 0x54, b[13] == 0x3A, b[16] == 0x3A, b[19] == 0x2E,
                b[23] == 0x5A
            else { return nil }
            func number(_ at: Int, _ width: Int) -> Int64? {
                var value: Int64 = 0
                for i in at..<(at + width) {
                    guard (0x30...0x39).contains(b[i]) else { return nil }
                    value = value * 10 + Int64(b[i] - 0x30)
                }
                return value
            }
            guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2), let hour = number(11, 2),
                let minute = number(14, 2), let second = number(17, 2), let millis = number(20, 3),
                (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year), hour < 24, minute < 60,
                second < 60
            else { return nil }
            let seconds =
                daysSince1970(year: year, month: month, day: day) * 86_400 + hour * 3_600 + minute * 60 + second
            return seconds * 1000 + millis
        }
    }

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
    private static func daysSince1970(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private static func utc(_ seconds: Int64) -> tm {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        return parts
    }

    private static func digits(_ value: Int32, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }

    private static let osloCalendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/Oslo") ?? .current
        return calendar
    }()

    private static let lastOsloSecond = Mutex<(second: Int64, text: String)?>(nil)
}
