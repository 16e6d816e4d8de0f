import Foundation
import Testing
@testable import SystemSupport

@Suite struct CivilDateTests {
    @Test(arguments: [
        (1970, 1, 1, 0, 4), (1969, 12, 31, -1, 3), (2000, 2, 29, 11_016, 2), (2000, 3, 1, 11_017, 3), (1900, 3, 1, -25_508, 4),
        (2026, 11, 21, 20_778, 6), (1, 1, 1, -719_162, 1), (9999, 12, 31, 2_932_896, 5), (0, 3, 1, -719_468, 3),
    ])
    func knownDays(year: Int, month: Int, day: Int, days: Int, weekday: Int) throws {
        let date = try #require(CivilDate(year: year, month: month, day: day))
        #expect(date.daysSince1970 == days)
        #expect(CivilDate(daysSince1970: days) == date)
        #expect(date.weekday == weekday)
    }

    @Test func everyDayOfEightThousandYearsRoundTripsAndFollowsTheDayBefore() {
        var previous = CivilDate(daysSince1970: -1_500_001)
        for days in -1_500_000...1_500_000 {
            let date = CivilDate(daysSince1970: days)
            let next = previous.day < CivilDate.days(inMonth: previous.month, of: previous.year)
                ? (previous.year, previous.month, previous.day + 1)
                : previous.month < 12 ? (previous.year, previous.month + 1, 1) : (previous.year + 1, 1, 1)
            guard (date.year, date.month, date.day) == next, date.daysSince1970 == days, date.weekday == ((days + 4) % 7 + 7) % 7 else {
                Issue.record("day \(days): \(date) after \(previous)")
                return
            }
            previous = date
        }
    }

    /// From 1583: before the Gregorian reform Foundation's calendar is the Julian one.
    @Test func agreesWithFoundationsCalendar() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: "UTC"))
        for days in stride(from: -140_000, through: 2_900_000, by: 997) {
            let parts = calendar.dateComponents([.year, .month, .day, .weekday], from: Date(timeIntervalSince1970: Double(days) * 86_400))
            let date = CivilDate(daysSince1970: days)
            #expect([date.year, date.month, date.day, date.weekday + 1] == [parts.year, parts.month, parts.day, parts.weekday], "\(days)")
        }
    }

    @Test func impossibleDatesAreNil() {
        #expect(CivilDate(year: 2026, month: 2, day: 29) == nil)
        #expect(CivilDate(year: 2028, month: 2, day: 29) != nil)
        #expect(CivilDate(year: 1900, month: 2, day: 29) == nil)
        #expect(CivilDate(year: 2000, month: 2, day: 29) != nil)
        #expect(CivilDate(year: 2026, month: 4, day: 31) == nil)
        #expect(CivilDate(year: 2026, month: 13, day: 1) == nil)
        #expect(CivilDate(year: 2026, month: 0, day: 1) == nil)
        #expect(CivilDate(year: 2026, month: 1, day: 0) == nil)
        #expect(CivilDate(year: 1_000_001, month: 1, day: 1) == nil)
    }

    @Test func wallClockReadings() {
        #expect(CivilDateTime(secondsSince1970: 0).description == "1970-01-01 00:00:00")
        #expect(CivilDateTime(secondsSince1970: -1).description == "1969-12-31 23:59:59")
        #expect(CivilDateTime(secondsSince1970: 1_795_262_400 + 3723).description == "2026-11-21 13:02:03")
        #expect(CivilDate(daysSince1970: 0).adding(days: -1).description == "1969-12-31")
    }
}
