import Foundation
import Testing
@testable import SystemSupport

@Suite struct POSIXTimeZoneRuleTests {
    typealias Rule = POSIXTimeZoneRule
    typealias Change = POSIXTimeZoneRule.Change

    static func type(_ offset: Int, _ abbreviation: String, dst: Bool = false) -> ZoneInfo.LocalTimeType {
        ZoneInfo.LocalTimeType(utcOffset: offset, isDaylightSavingTime: dst, abbreviation: abbreviation)
    }

    static func seconds(_ year: Int, _ month: Int, _ day: Int, _ hour: Int = 0, _ minute: Int = 0) throws -> Int64 {
        let date = try #require(CivilDate(year: year, month: month, day: day))
        return Int64(date.daysSince1970) * 86_400 + Int64(hour * 3600 + minute * 60)
    }

    @Test func rulesParse() {
        let cases: [(String, Rule)] = [
            ("<-03>3", Rule(standard: Self.type(-10800, "-03"))),
            ("IST-5:30", Rule(standard: Self.type(19800, "IST"))),
            ("<+0545>-5:45", Rule(standard: Self.type(20700, "+0545"))),
            ("UTC0", Rule(standard: Self.type(0, "UTC"))),
            ("<+01>-1", Rule(standard: Self.type(3600, "+01"))),
            (
                "IST-2IDT,M3.4.4/26,M10.5.0",
                Rule(
                    standard: Self.type(7200, "IST"),
                    daylight: .init(
                        type: Self.type(10800, "IDT", dst: true), start: Change(day: .monthWeekDay(month: 3, week: 4, weekday: 4), time: 26 * 3600),
                        end: Change(day: .monthWeekDay(month: 10, week: 5, weekday: 0), time: 7200)))
            ),
            (
                "EST5EDT,M3.2.0,M11.1.0",
                Rule(
                    standard: Self.type(-18000, "EST"),
                    daylight: .init(
                        type: Self.type(-14400, "EDT", dst: true), start: Change(day: .monthWeekDay(month: 3, week: 2, weekday: 0), time: 7200),
                        end: Change(day: .monthWeekDay(month: 11, week: 1, weekday: 0), time: 7200)))
            ),
            (
                "<+1245>-12:45<+1345>,M9.5.0/2:45,M4.1.0/3:45",
                Rule(
                    standard: Self.type(45900, "+1245"),
                    daylight: .init(
                        type: Self.type(49500, "+1345", dst: true), start: Change(day: .monthWeekDay(month: 9, week: 5, weekday: 0), time: 9900),
                        end: Change(day: .monthWeekDay(month: 4, week: 1, weekday: 0), time: 13500)))
            ),
            (
                "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0",
                Rule(
                    standard: Self.type(37800, "+1030"),
                    daylight: .init(
                        type: Self.type(39600, "+11", dst: true), start: Change(day: .monthWeekDay(month: 10, week: 1, weekday: 0), time: 7200),
                        end: Change(day: .monthWeekDay(month: 4, week: 1, weekday: 0), time: 7200)))
            ),
            (
                "<-02>2<-01>,M3.5.0/-1,M10.5.0/0",
                Rule(
                    standard: Self.type(-7200, "-02"),
                    daylight: .init(
                        type: Self.type(-3600, "-01", dst: true), start: Change(day: .monthWeekDay(month: 3, week: 5, weekday: 0), time: -3600),
                        end: Change(day: .monthWeekDay(month: 10, week: 5, weekday: 0), time: 0)))
            ),
            (
                "EST5EDT,J60/2:30:15,300/+1",
                Rule(
                    standard: Self.type(-18000, "EST"),
                    daylight: .init(
                        type: Self.type(-14400, "EDT", dst: true), start: Change(day: .julian(60), time: 9015),
                        end: Change(day: .zeroBasedDay(300), time: 3600)))
            ),
            (
                "CET-1CEST",  // DST named with no dates: tzcode's default, the US rule
                Rule(
                    standard: Self.type(3600, "CET"),
                    daylight: .init(type: Self.type(7200, "CEST", dst: true), start: Rule.defaultStart, end: Rule.defaultEnd))
            ),
        ]
        for (text, expected) in cases {
            #expect(Rule(text) == expected, "\(text)")
        }
    }

    @Test(arguments: [
        "", "EST", "ES5", "EST+", "5", "EST25", "EST5:60", "EST5:00:60", "<-03", "<-3>3", "<-03>", "EST5EDT,", "EST5EDT,M3.2.0",
        "EST5EDT,M3.2.0,", "EST5EDT,M13.2.0,M11.1.0", "EST5EDT,M3.6.0,M11.1.0", "EST5EDT,M3.2.7,M11.1.0", "EST5EDT,J0,J365",
        "EST5EDT,J366,J1", "EST5EDT,366,1", "EST5EDT,M3.2.0/168,M11.1.0", "EST5EDT,M3.2.0,M11.1.0x", "EST5EDT,M3.2.0,M11.1.0/",
        "EST 5", "Asia/Jerusalem", ":Asia/Jerusalem", "EST5EDT4,M3.2.0,M11.1.0,", "ÉST5",
    ])
    func otherTextIsNoRule(text: String) {
        #expect(Rule(text) == nil)
    }

    @Test func israelsFridayBeforeTheLastSundayOfMarch() throws {
        // M3.4.4/26: the fourth Thursday of March at 26:00, i.e. Friday 02:00. 2026-03-26 is the
        // fourth Thursday; 2027-03-25 too; 2032-03-25 is the fourth Thursday with 5 in the month.
        let rule = try #require(Rule("IST-2IDT,M3.4.4/26,M10.5.0"))
        for (year, month, day) in [(2026, 3, 27), (2027, 3, 26), (2032, 3, 26), (2038, 3, 26)] {
            let start = try Self.seconds(year, month, day, 2) - 7200
            #expect(rule.localTimeType(at: start - 1).utcOffset == 7200, "\(year)")
            #expect(rule.localTimeType(at: start).utcOffset == 10800, "\(year)")
            #expect(rule.nextChange(after: start - 1) == start)
        }
        // M10.5.0: the last Sunday of October, 02:00 IDT.
        for (year, day) in [(2026, 25), (2027, 31), (2037, 25)] {
            let end = try Self.seconds(year, 10, day, 2) - 10800
            #expect(rule.localTimeType(at: end - 1).isDaylightSavingTime, "\(year)")
            #expect(!rule.localTimeType(at: end).isDaylightSavingTime, "\(year)")
        }
    }

    @Test func theSouthernHemisphereHasDSTAcrossNewYear() throws {
        // Chile: DST from the first Saturday of September at 24:00 to the first Saturday of April
        // at 24:00, i.e. from Sunday 00:00 -04 to Sunday 00:00 -03.
        let rule = try #require(Rule("<-04>4<-03>,M9.1.6/24,M4.1.6/24"))
        #expect(rule.localTimeType(at: try Self.seconds(2040, 1, 1)).utcOffset == -10800)
        #expect(rule.localTimeType(at: try Self.seconds(2040, 6, 1)).utcOffset == -14400)
        #expect(rule.localTimeType(at: try Self.seconds(2040, 12, 31, 23)).utcOffset == -10800)
        // 2040-09-01 is a Saturday: 24:00 -04 is 2040-09-02 04:00 UTC.
        let start = try Self.seconds(2040, 9, 2, 4)
        #expect(rule.localTimeType(at: start - 1).utcOffset == -14400 && rule.localTimeType(at: start).utcOffset == -10800)
    }

    @Test func negativeDSTAndTimesBeforeMidnight() throws {
        // Ireland: "DST" is winter (GMT, from IST); Greenland: DST starts at -1:00, 23:00 on Saturday.
        let dublin = try #require(Rule("IST-1GMT0,M10.5.0,M3.5.0/1"))
        #expect(dublin.localTimeType(at: try Self.seconds(2040, 1, 15)).utcOffset == 0)
        #expect(dublin.localTimeType(at: try Self.seconds(2040, 7, 15)).utcOffset == 3600)
        let nuuk = try #require(Rule("<-02>2<-01>,M3.5.0/-1,M10.5.0/0"))
        // The last Sunday of March 2040 is the 25th: -1:00 on it is Saturday 23:00 -02, 01:00 UTC.
        let start = try Self.seconds(2040, 3, 25, 1)
        #expect(nuuk.localTimeType(at: start - 1).utcOffset == -7200 && nuuk.localTimeType(at: start).utcOffset == -3600)
    }

    @Test func julianDaysSkipFebruary29AndZeroBasedDaysCountIt() throws {
        let julian = try #require(Rule("EST5EDT,J60/0,J300/0"))
        let zeroBased = try #require(Rule("EST5EDT,59/0,299/0"))
        // 2028 is a leap year: J60 is March 1, day 59 (zero-based) is February 29.
        #expect(julian.nextChange(after: try Self.seconds(2028, 1, 1)) == (try Self.seconds(2028, 3, 1, 5)))
        #expect(zeroBased.nextChange(after: try Self.seconds(2028, 1, 1)) == (try Self.seconds(2028, 2, 29, 5)))
        // 2027 is not: both are March 1.
        #expect(julian.nextChange(after: try Self.seconds(2027, 1, 1)) == (try Self.seconds(2027, 3, 1, 5)))
        #expect(zeroBased.nextChange(after: try Self.seconds(2027, 1, 1)) == (try Self.seconds(2027, 3, 1, 5)))
    }

    @Test func daylightSavingTimeAllYear() throws {
        // RFC 8536's form: starts January 1 00:00, ends December 31 at 24:00 + 1 hour.
        let rule = try #require(Rule("EST5EDT4,0/0,J365/25"))
        for month in 1...12 {
            #expect(rule.localTimeType(at: try Self.seconds(2041, month, 15)).utcOffset == -14400, "\(month)")
        }
        #expect(rule.localTimeType(at: try Self.seconds(2042, 1, 1, 4, 59)).isDaylightSavingTime)
        #expect(rule.localTimeType(at: try Self.seconds(2042, 1, 1, 5)).isDaylightSavingTime)
    }

    /// The footers of real zones against ICU, far past the last transition of any file: from
    /// 2040 to 2100, every day at some time of day.
    @Test(arguments: [
        ("Asia/Jerusalem", "IST-2IDT,M3.4.4/26,M10.5.0"), ("America/New_York", "EST5EDT,M3.2.0,M11.1.0"),
        ("America/Santiago", "<-04>4<-03>,M9.1.6/24,M4.1.6/24"), ("Australia/Lord_Howe", "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0"),
        ("Pacific/Chatham", "<+1245>-12:45<+1345>,M9.5.0/2:45,M4.1.0/3:45"), ("Europe/Dublin", "IST-1GMT0,M10.5.0,M3.5.0/1"),
        ("America/Nuuk", "<-02>2<-01>,M3.5.0/-1,M10.5.0/0"), ("Antarctica/Troll", "<+00>0<+02>-2,M3.5.0/1,M10.5.0/3"),
    ])
    func footersAgreeWithICU(name: String, footer: String) throws {
        let rule = try #require(Rule(footer))
        let zone = ZoneInfo(identifier: footer, rule: rule)
        let theirs = try #require(TimeZone(identifier: name))
        var mismatches: [Int64] = []
        var t = try Self.seconds(2040, 1, 1)
        var step: Int64 = 0
        while t < (try Self.seconds(2100, 1, 1)) {
            let instant = t + (step * 7919) % 86_400
            if zone.secondsFromGMT(at: instant) != theirs.secondsFromGMT(for: Date(timeIntervalSince1970: Double(instant))), mismatches.count < 5 {
                mismatches.append(instant)
            }
            t += 86_400
            step += 1
        }
        #expect(mismatches.isEmpty, "\(name)")
        #expect(try ZoneInfo.named(name, environment: [:]).rule == rule, "the file's footer is still \(footer)")
    }
}
