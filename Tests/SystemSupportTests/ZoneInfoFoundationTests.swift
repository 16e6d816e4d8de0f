import Foundation
import Testing
import TestSupport
@testable import SystemSupport

/// ZoneInfo against Foundation's ICU time zones, which the daemon used before. ICU carries its
/// own copy of the tz database: the test checks first that both are the same release, else it
/// would compare two different sets of rules.
@Suite struct ZoneInfoFoundationTests {
    static let zones = [
        "Asia/Jerusalem", "Europe/Warsaw", "Europe/Moscow", "America/New_York", "America/Santiago", "Australia/Lord_Howe",
        "Pacific/Chatham", "Asia/Kolkata", "Africa/Casablanca", "UTC", "Etc/GMT+5", "America/Sao_Paulo", "Asia/Beirut",
        "America/Havana", "Pacific/Apia", "Europe/Dublin", "America/St_Johns", "Asia/Kathmandu", "Pacific/Kiritimati",
        "America/Nuuk", "Antarctica/Troll", "Asia/Tehran", "Europe/London", "Australia/Sydney", "Pacific/Auckland",
        "America/Asuncion", "Asia/Gaza", "Africa/Cairo", "America/Los_Angeles", "Asia/Amman",
    ]

    /// 1970-01-01 to 2100-01-01, the span compared.
    static let first: Int64 = 0
    static let last: Int64 = 4_102_444_800

    static func foundation(_ name: String) throws -> TimeZone {
        try #require(TimeZone(identifier: name), "ICU has no \(name)")
    }

    static func zone(_ name: String) throws -> ZoneInfo {
        do {
            return try ZoneInfo.named(name, environment: [:])
        } catch {
            Issue.record("\(name): \(error)")
            throw error
        }
    }

    /// The database release tzdata installed, from `tzdata.zi`'s first line (`# version 2025b`).
    static func systemVersion() throws -> String {
        let bytes = try FileDescriptor.readFile(atPath: ZoneInfo.defaultDatabaseDirectory + "/tzdata.zi", maximumSize: 1 << 20)
        let line = String(decoding: bytes.prefix { $0 != 0x0A }, as: UTF8.self)
        return try #require(line.split(separator: " ").last.map(String.init), "\(line)")
    }

    @Test func icuAndTheSystemHaveTheSameRelease() throws {
        #expect(try Self.systemVersion() == TimeZone.timeZoneDataVersion)
    }

    @Test(arguments: zones)
    func offsetsAgreeEveryDayAtSomeTimeOfDay(name: String) throws {
        let ours = try Self.zone(name)
        let theirs = try Self.foundation(name)
        var numbers = SplitMix64(seed: name.utf8.reduce(42) { $0 &* 31 &+ UInt64($1) })
        var mismatches: [String] = []
        var t = Self.first
        while t < Self.last {
            let instant = t + Int64(numbers.next() % 86_400)
            let expected = theirs.secondsFromGMT(for: Date(timeIntervalSince1970: Double(instant)))
            if ours.secondsFromGMT(at: instant) != expected, mismatches.count < 5 {
                mismatches.append("at \(instant): \(ours.secondsFromGMT(at: instant)) != \(expected)")
            }
            t += 86_400
        }
        #expect(mismatches.isEmpty, "\(name)")
    }

    /// Each of ICU's transitions is one of ours, to the second, and each of ours one of ICU's
    /// (where the offset changes): the offsets on either side of every change agree.
    @Test(arguments: zones)
    func offsetsAgreeOnBothSidesOfEveryTransition(name: String) throws {
        let ours = try Self.zone(name)
        let theirs = try Self.foundation(name)
        func offset(_ instant: Int64) -> Int { theirs.secondsFromGMT(for: Date(timeIntervalSince1970: Double(instant))) }
        var mismatches: [String] = []
        var checked = 0
        var date = Date(timeIntervalSince1970: Double(Self.first))
        while let next = theirs.nextDaylightSavingTimeTransition(after: date), next.timeIntervalSince1970 < Double(Self.last) {
            let instant = Int64(next.timeIntervalSince1970)
            for t in [instant - 1, instant] where ours.secondsFromGMT(at: t) != offset(t) && mismatches.count < 5 {
                mismatches.append("ICU's change at \(t): \(ours.secondsFromGMT(at: t)) != \(offset(t))")
            }
            checked += 1
            date = next
        }
        var t = Self.first
        while let next = ours.nextTransition(after: t), next < Self.last {
            for instant in [next - 1, next] where ours.secondsFromGMT(at: instant) != offset(instant) && mismatches.count < 5 {
                mismatches.append("our change at \(instant): \(ours.secondsFromGMT(at: instant)) != \(offset(instant))")
            }
            checked += 1
            t = next
        }
        #expect(mismatches.isEmpty, "\(name)")
        if theirs.nextDaylightSavingTimeTransition(after: Date(timeIntervalSince1970: 0)) != nil {
            #expect(checked > 0)
        }
    }

    @Test(arguments: zones)
    func daylightSavingTimeAgreesExceptWhereICUReadsItTheOtherWay(name: String) throws {
        // The tz database states Ireland's and Morocco's DST as negative (winter is "DST" in
        // Dublin, Ramadan in Casablanca); ICU keeps the old positive form. Offsets agree anyway.
        guard !["Europe/Dublin", "Africa/Casablanca"].contains(name) else { return }
        let ours = try Self.zone(name)
        let theirs = try Self.foundation(name)
        var numbers = SplitMix64(seed: 7)
        var mismatches: [Int64] = []
        for _ in 0..<3000 {
            let instant = Self.first + Int64(numbers.next() % UInt64(Self.last - Self.first))
            if ours.localTimeType(at: instant).isDaylightSavingTime != theirs.isDaylightSavingTime(for: Date(timeIntervalSince1970: Double(instant))),
                mismatches.count < 5
            {
                mismatches.append(instant)
            }
        }
        #expect(mismatches.isEmpty, "\(name)")
    }

    /// The report's day: where it starts and where the next one starts, against the calendar's
    /// `startOfDay` (the first instant of the day, also on days that start in a gap), on every
    /// day around a change and on 400 days picked at random.
    @Test(arguments: zones)
    func daysStartWhereTheCalendarSays(name: String) throws {
        let ours = try Self.zone(name)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try Self.foundation(name)
        var days: Set<Int> = []
        var t = Self.first
        while let next = ours.nextTransition(after: t), next < Self.last {
            let day = Int(floorDivide(next, 86_400).quotient)
            days.formUnion((day - 1)...(day + 1))
            t = next
        }
        var numbers = SplitMix64(seed: 99)
        for _ in 0..<400 { days.insert(Int(numbers.next() % UInt64(Self.last / 86_400))) }
        var mismatches: [String] = []
        for day in days.sorted() {
            let date = CivilDate(daysSince1970: day)
            let noon = try #require(
                calendar.date(from: DateComponents(year: date.year, month: date.month, day: date.day, hour: 12)))
            let expected = Int64(calendar.startOfDay(for: noon).timeIntervalSince1970)
            if ours.startOfDay(date) != expected, mismatches.count < 5 {
                mismatches.append("\(date): \(ours.startOfDay(date)) != \(expected)")
            }
        }
        #expect(mismatches.isEmpty, "\(name)")
    }

    @Test(arguments: zones)
    func wallClocksAgree(name: String) throws {
        let ours = try Self.zone(name)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try Self.foundation(name)
        var numbers = SplitMix64(seed: 3)
        for _ in 0..<500 {
            let instant = Self.first + Int64(numbers.next() % UInt64(Self.last - Self.first))
            let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: Double(instant)))
            let clock = ours.civilDateTime(at: instant)
            let expected = [parts.year, parts.month, parts.day, parts.hour, parts.minute, parts.second]
            #expect([clock.date.year, clock.date.month, clock.date.day, clock.hour, clock.minute, clock.second] == expected, "\(name) at \(instant)")
        }
    }
}
