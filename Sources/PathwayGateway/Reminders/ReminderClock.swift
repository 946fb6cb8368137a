import Foundation

/// The day reminders are judged on: today in Oslo by the gateway's own clock. Tests set
/// `PATHWAY_GATEWAY_TODAY=yyyy-MM-dd` (a test hook like `PATHWAY_GATEWAY_CRASH_AT`) to run the
/// real binary on a chosen day.
enum ReminderClock {
    static let override = ProcessInfo.processInfo.environment["PATHWAY_GATEWAY_TODAY"].flatMap {
        CalendarDate(iso: $0)
    }

    static func today(now: Date = Date()) -> CalendarDate { override ?? CalendarDate(now) }
}
