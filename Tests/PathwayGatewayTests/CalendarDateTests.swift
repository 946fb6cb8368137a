import Foundation
import Testing
@testable import PathwayGateway

@Suite struct CalendarDateTests {
    private func d(_ text: String) -> CalendarDate { CalendarDate(iso: text)! }

    @Test func parsesAndPrintsIsoAndNorwegianDates() {
        #expect(d("2026-09-14").description == "2026-09-14")
        #expect(CalendarDate(iso: "2026-09-14+01:00") == d("2026-09-14"))
        #expect(CalendarDate(iso: "2026-09-14Z") == d("2026-09-14"))
        #expect(CalendarDate(norwegian: "4.9.2026") == d("2026-09-04"))
        #expect(CalendarDate(norwegian: "14.09.2026") == d("2026-09-14"))
        for bad in ["2026-02-30", "2026-13-01", "2026-9-14", "14.09.26", "", "2026-09-14T10:00", "abcd-ef-gh"] {
            #expect(CalendarDate(iso: bad) == nil && CalendarDate(norwegian: bad) == nil, "\(bad)")
        }
        #expect(CalendarDate(iso: "2028-02-29") != nil)
        #expect(CalendarDate(iso: "2100-02-29") == nil)
    }

    /// Our month arithmetic is Foundation's Gregorian calendar in Europe/Oslo, for every day of
    /// four years and 1…18 months (the windows of Pakkeforløp hjem).
    @Test func monthArithmeticMatchesFoundationInOslo() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = CalendarDate.zone
        var day = d("2025-01-01")
        var checked = 0
        while day < d("2029-01-01") {
            let noon = calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day, hour: 12))!
            for months in [1, 3, 4, 12, 18, -3] {
                let expected = CalendarDate(calendar.date(byAdding: .month, value: months, to: noon)!)
                #expect(day.adding(months: months) == expected, "\(day) + \(months) months")
                checked += 1
            }
            day = day.adding(days: 1)
        }
        #expect(checked == 1461 * 6)
    }

    @Test func endOfMonthClampsAndDayNumbersRoundTrip() {
        #expect(d("2026-10-31").adding(months: 4) == d("2027-02-28"))
        #expect(d("2027-10-31").adding(months: 4) == d("2028-02-29"))
        #expect(d("2026-01-31").adding(months: 1) == d("2026-02-28"))
        #expect(d("2026-12-15").adding(months: 18) == d("2028-06-15"))
        #expect(d("1970-01-01").dayNumber == 0)
        #expect(d("2026-03-01").days(until: d("2026-02-28")) == -1)
        for n in stride(from: -800_000, through: 800_000, by: 997) {
            #expect(CalendarDate(dayNumber: n).dayNumber == n)
        }
    }

    /// A timestamp is a day in Oslo: late evening UTC is already tomorrow there (UTC+1 in winter,
    /// UTC+2 in summer), and the DST change days are whole days.
    @Test func instantsBecomeOsloDays() throws {
        let formatter = ISO8601DateFormatter()
        func day(_ instant: String) throws -> CalendarDate { CalendarDate(try #require(formatter.date(from: instant))) }
        #expect(try day("2026-01-15T22:59:59Z") == d("2026-01-15"))
        #expect(try day("2026-01-15T23:00:00Z") == d("2026-01-16"))
        #expect(try day("2026-06-30T21:59:59Z") == d("2026-06-30"))
        #expect(try day("2026-06-30T22:00:00Z") == d("2026-07-01"))
        #expect(try day("2026-03-29T00:30:00Z") == d("2026-03-29"))
        #expect(try day("2026-10-25T22:30:00Z") == d("2026-10-25"))
        #expect(try day("2026-10-25T23:00:00Z") == d("2026-10-26"))
    }

    @Test func periodsParseAsIsoDurations() {
        #expect(PathwayPeriod(iso: "P3M") == PathwayPeriod(months: 3))
        #expect(PathwayPeriod(iso: "P1Y6M") == PathwayPeriod(months: 18))
        #expect(PathwayPeriod(iso: "P2W3D") == PathwayPeriod(days: 17))
        for bad in ["3M", "P", "PT3H", "P3", "P-3M", "P3X", "P1.5M"] { #expect(PathwayPeriod(iso: bad) == nil, "\(bad)") }
        #expect(PathwayPeriod(iso: "P1M1D")!.after(d("2026-01-31")) == d("2026-03-01"))
    }
}
