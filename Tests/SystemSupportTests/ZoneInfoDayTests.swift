import Testing
@testable import SystemSupport

/// Where a local day starts and how long it is, on the days that are not 24 hours.
@Suite struct ZoneInfoDayTests {
    static func zone(_ name: String) throws -> ZoneInfo {
        try ZoneInfo.named(name, environment: [:])
    }

    static func date(_ year: Int, _ month: Int, _ day: Int) throws -> CivilDate {
        try #require(CivilDate(year: year, month: month, day: day))
    }

    @Test(arguments: [
        ("Asia/Jerusalem", 2026, 3, 27, 23 * 3600), ("Asia/Jerusalem", 2026, 10, 25, 25 * 3600), ("Asia/Jerusalem", 2026, 11, 21, 24 * 3600),
        ("America/New_York", 2026, 3, 8, 23 * 3600), ("America/New_York", 2026, 11, 1, 25 * 3600),
        ("Australia/Lord_Howe", 2026, 10, 4, 23 * 3600 + 1800), ("Australia/Lord_Howe", 2026, 4, 5, 24 * 3600 + 1800),
        ("Pacific/Chatham", 2026, 9, 27, 23 * 3600), ("Europe/Moscow", 2011, 3, 27, 23 * 3600), ("Europe/Moscow", 2014, 10, 26, 25 * 3600),
        ("UTC", 2026, 3, 29, 24 * 3600), ("Asia/Kolkata", 2026, 3, 29, 24 * 3600),
    ])
    func dayLengths(name: String, year: Int, month: Int, day: Int, seconds: Int) throws {
        let range = try Self.zone(name).day(try Self.date(year, month, day))
        #expect(range.upperBound - range.lowerBound == Int64(seconds))
    }

    @Test func aDayInJerusalemStartsAtLocalMidnight() throws {
        // 2026-11-21 00:00 IST (+2) is 2026-11-20 22:00 UTC.
        #expect(try Self.zone("Asia/Jerusalem").startOfDay(try Self.date(2026, 11, 21)) == 1_795_212_000)
    }

    @Test func aDayWhoseMidnightIsSkippedStartsAtTheJump() throws {
        // Chile, 2022-09-11: at 00:00 -04 the clocks went to 01:00 -03 (04:00 UTC). The day runs
        // from then to the next midnight, 03:00 UTC: 23 hours.
        let santiago = try Self.zone("America/Santiago")
        #expect(santiago.day(try Self.date(2022, 9, 11)) == 1_662_868_800..<1_662_951_600)
        // Lebanon, 2022-03-27: 00:00 +02 became 01:00 +03 at 22:00 UTC the day before.
        #expect(try Self.zone("Asia/Beirut").startOfDay(try Self.date(2022, 3, 27)) == 1_648_332_000)
    }

    @Test func aDaySkippedWholeIsEmpty() throws {
        // Samoa went from 2011-12-29 24:00 -10 straight to 2011-12-31 00:00 +14 (10:00 UTC).
        let apia = try Self.zone("Pacific/Apia")
        #expect(apia.day(try Self.date(2011, 12, 30)) == 1_325_239_200..<1_325_239_200)
        #expect(apia.day(try Self.date(2011, 12, 29)).upperBound == 1_325_239_200)
        #expect(apia.startOfDay(try Self.date(2011, 12, 31)) == 1_325_239_200)
    }

    /// A zone whose clocks go back from 01:00 to 00:00 (+01 to +00 at 00:00 UTC on 2030-01-01):
    /// midnight comes twice, and the day starts at the first.
    @Test func whenMidnightComesTwiceTheDayStartsAtTheFirst() throws {
        let fallBack: Int64 = 1_893_456_000  // 2030-01-01 00:00 UTC
        let writer = TZifWriter(
            transitions: [fallBack], transitionTypes: [1],
            types: [.init(utcOffset: 3600, abbreviationIndex: 0), .init(utcOffset: 0, abbreviationIndex: 4)], abbreviations: "+01\0+00\0")
        let zone = try ZoneInfo(tzif: writer.bytes(), identifier: "Test/Back")
        #expect(zone.day(try Self.date(2030, 1, 1)) == (fallBack - 3600)..<(fallBack + 86_400))
        #expect(zone.day(try Self.date(2029, 12, 31)).upperBound == fallBack - 3600)
    }

    /// Clocks back from 00:30 to 23:30 the day before: the day has begun, un-begins for half an
    /// hour, and begins again; it starts at its first midnight, and the day before ends there too.
    @Test func aDayThatStartsTwiceAcrossMidnightStartsAtTheFirst() throws {
        let back: Int64 = 1_893_456_000 + 1800 - 3600  // 2030-01-01 00:30 at +01
        let writer = TZifWriter(
            transitions: [back], transitionTypes: [1],
            types: [.init(utcOffset: 3600, abbreviationIndex: 0), .init(utcOffset: 0, abbreviationIndex: 4)], abbreviations: "+01\0+00\0")
        let zone = try ZoneInfo(tzif: writer.bytes(), identifier: "Test/Back")
        #expect(zone.startOfDay(try Self.date(2030, 1, 1)) == 1_893_456_000 - 3600)
        #expect(zone.civilDateTime(at: back).description == "2029-12-31 23:30:00")
    }

    @Test func wallClockOfAnInstant() throws {
        let jerusalem = try Self.zone("Asia/Jerusalem")
        #expect(jerusalem.civilDateTime(at: 1_777_644_131).description == "2026-05-01 17:02:11")
        #expect(jerusalem.civilDate(at: 1_795_211_999).description == "2026-11-20")
        #expect(jerusalem.civilDate(at: 1_795_212_000).description == "2026-11-21")
        #expect(try Self.zone("Etc/GMT+5").civilDateTime(at: 0).description == "1969-12-31 19:00:00")
    }

    @Test func instantsFarOutDoNotTrap() throws {
        let zone = try Self.zone("Asia/Jerusalem")
        for t in [Int64.min, Int64.min + 1, -(1 << 62), 1 << 62, Int64.max] {
            _ = zone.secondsFromGMT(at: t)
            _ = zone.civilDateTime(at: t)
        }
        _ = zone.day(CivilDate(daysSince1970: Int(Int32.max) * 64))
        _ = zone.day(CivilDate(daysSince1970: -Int(Int32.max) * 64))
        #expect([7200, 10800].contains(zone.secondsFromGMT(at: Int64.max)), "the rule, at the far end of the range")
    }
}
