import Foundation
import Testing
@testable import SystemSupport

/// The TZif reader on files written here: what each version means, and damage of every kind
/// turned into an error (never a crash, never an allocation the file's size does not justify).
@Suite struct ZoneInfoTZifTests {
    /// Israel in 2026 as a table: IST (+2) until 2026-03-27 00:00 UTC, IDT (+3) until
    /// 2026-10-24 23:00 UTC, IST after.
    static func israel2026(version: UInt8, footer: String = "") -> TZifWriter {
        TZifWriter(
            version: version, transitions: [1_774_569_600, 1_792_882_800], transitionTypes: [1, 0],
            types: [.init(utcOffset: 7200, isDST: 0, abbreviationIndex: 0), .init(utcOffset: 10800, isDST: 1, abbreviationIndex: 4)],
            abbreviations: "IST\0IDT\0", footer: footer)
    }

    static func parse(_ writer: TZifWriter) throws(TZifError) -> ZoneInfo {
        try ZoneInfo(tzif: writer.bytes(), identifier: "Test/Zone")
    }

    @Test func versionOneHasNoFooterAndItsLastTypeLastsForever() throws {
        let zone = try Self.parse(Self.israel2026(version: 0))
        #expect(zone.rule == nil)
        #expect(zone.secondsFromGMT(at: 1_774_569_599) == 7200)
        #expect(zone.localTimeType(at: 1_774_569_600) == .init(utcOffset: 10800, isDaylightSavingTime: true, abbreviation: "IDT"))
        #expect(zone.secondsFromGMT(at: 1_792_882_799) == 10800)
        #expect(zone.secondsFromGMT(at: 1_792_882_800) == 7200)
        #expect(zone.secondsFromGMT(at: 4_000_000_000) == 7200, "no rule: standard time from the last transition on")
        #expect(zone.secondsFromGMT(at: -4_000_000_000) == 7200, "before the first transition: the first type")
    }

    @Test(arguments: [2, 3, 4] as [UInt8])
    func laterVersionsReadTheSecondBlockAndTheFooter(version: UInt8) throws {
        // The 64-bit block has a transition the 32-bit one cannot hold; the footer rules after 2026.
        var writer = Self.israel2026(version: version, footer: "IST-2IDT,M3.4.4/26,M10.5.0")
        writer.transitions.insert(-5_000_000_000, at: 0)
        writer.transitionTypes.insert(0, at: 0)
        let zone = try Self.parse(writer)
        #expect(zone.transitions == [-5_000_000_000, 1_774_569_600, 1_792_882_800])
        #expect(zone.rule == POSIXTimeZoneRule("IST-2IDT,M3.4.4/26,M10.5.0"))
        // 2027 from the rule: DST from Friday 2027-03-26 02:00 IST (00:00 UTC) to Sunday
        // 2027-10-31 02:00 IDT (23:00 UTC the day before).
        #expect(zone.secondsFromGMT(at: 1_806_019_199) == 7200)
        #expect(zone.secondsFromGMT(at: 1_806_019_200) == 10800)
        #expect(zone.secondsFromGMT(at: 1_824_937_199) == 10800)
        #expect(zone.secondsFromGMT(at: 1_824_937_200) == 7200)
    }

    @Test func aFileWithNoTransitionsFollowsItsFooterOrElseItsOnlyType() throws {
        let rule = try Self.parse(TZifWriter(types: [.init(utcOffset: -10800)], abbreviations: "-03\0", footer: "<-03>3"))
        #expect(rule.secondsFromGMT(at: 0) == -10800 && rule.localTimeType(at: 0).abbreviation == "-03")
        let fixed = try Self.parse(TZifWriter(version: 0, types: [.init(utcOffset: 19800)], abbreviations: "IST\0"))
        #expect(fixed.secondsFromGMT(at: 1_000_000_000) == 19800)
    }

    @Test func theRealFilesParse() throws {
        for name in ["Asia/Jerusalem", "America/New_York", "UTC", "Etc/GMT+5", "Australia/Lord_Howe", "Africa/Casablanca"] {
            let zone = try ZoneInfo.named(name, environment: [:])
            #expect(zone.identifier == name)
            #expect(!zone.types.isEmpty)
        }
        #expect(try ZoneInfo.named("Asia/Jerusalem", environment: [:]).rule == POSIXTimeZoneRule("IST-2IDT,M3.4.4/26,M10.5.0"))
        #expect(try ZoneInfo.named("Etc/GMT+5", environment: [:]).secondsFromGMT(at: 0) == -18000)
    }

    // MARK: Damage

    static func error(_ bytes: [UInt8]) -> String? {
        do {
            _ = try ZoneInfo(tzif: bytes, identifier: "Test/Zone")
            return nil
        } catch {
            return error.reason
        }
    }

    @Test func damagedFilesSayWhatIsWrong() {
        var cases: [(TZifWriter, String)] = []
        var writer = Self.israel2026(version: 2, footer: "IST-2IDT,M3.4.4/26,M10.5.0")
        writer.countOverrides[4] = 0
        cases.append((writer, "0 local time types"))
        writer = Self.israel2026(version: 2)
        writer.countOverrides[5] = 0
        cases.append((writer, "no abbreviation characters"))
        writer = Self.israel2026(version: 2)
        writer.countOverrides[1] = 1
        cases.append((writer, "indicator counts differ from the type count"))
        writer = Self.israel2026(version: 2)
        writer.transitionTypes = [1, 2]
        cases.append((writer, "a transition to a type that is not there"))
        writer = Self.israel2026(version: 2)
        writer.transitions = [1_792_882_800, 1_774_569_600]
        cases.append((writer, "transition times out of order"))
        writer = Self.israel2026(version: 2)
        writer.transitions = [1_774_569_600, 1_774_569_600]
        cases.append((writer, "transition times out of order"))
        writer = Self.israel2026(version: 2)
        writer.types[1].abbreviationIndex = 8
        cases.append((writer, "an abbreviation index past the characters"))
        writer = Self.israel2026(version: 2)
        writer.abbreviations = "IST\0IDT"
        writer.types[1].abbreviationIndex = 4
        cases.append((writer, "an abbreviation without its NUL"))
        writer = Self.israel2026(version: 2)
        writer.types[1].isDST = 2
        cases.append((writer, "a DST flag of 2"))
        writer = Self.israel2026(version: 2)
        writer.types[1].utcOffset = Int32.min
        cases.append((writer, "a UTC offset of -2147483648 seconds"))
        writer = Self.israel2026(version: 2)
        writer.types[1].utcOffset = 93_600
        cases.append((writer, "a UTC offset of 93600 seconds"))
        writer = Self.israel2026(version: 2)
        writer.leapSeconds = [(78_796_800, 1)]
        cases.append((writer, "leap seconds are not supported (a right/ zone)"))
        writer = Self.israel2026(version: 2, footer: "Israel time")
        cases.append((writer, "the footer \"Israel time\" is not a POSIX TZ rule"))
        writer = Self.israel2026(version: 2, footer: "IST-2\u{7}")
        cases.append((writer, "a footer that is not printable ASCII"))
        for (writer, expected) in cases {
            #expect(Self.error(writer.bytes()) == expected)
        }
    }

    @Test func notTZifAtAll() {
        #expect(Self.error([]) == "truncated header")
        #expect(Self.error(Array("# tzdb timezone descriptions\n".utf8) + [UInt8](repeating: 0x20, count: 64)) == "no TZif magic")
        var bytes = Self.israel2026(version: 2).bytes()
        bytes[4] = UInt8(ascii: "1")
        #expect(Self.error(bytes) == "unknown version byte 49")
        bytes[4] = UInt8(ascii: "2")
        let secondHeader = Self.israel2026(version: 0).bytes().count
        bytes[secondHeader + 4] = 0
        #expect(Self.error(bytes) == "the second header says version 1")
        bytes = Self.israel2026(version: 2).bytes()
        bytes.removeLast(2)  // "\n\n" of an empty footer: none left
        #expect(Self.error(bytes) == "no footer")
        bytes.append(0x0A)
        #expect(Self.error(bytes) == "an unterminated footer")
        let long = Self.israel2026(version: 2, footer: String(repeating: "A", count: 300)).bytes()
        #expect(Self.error(long) == "an unterminated footer", "a footer is looked for within 256 bytes")
    }

    /// Counts as large as a header can say, in a file of a few dozen bytes: refused from the
    /// header alone, before any array is made for them.
    @Test(arguments: [0, 1, 2, 3, 4, 5])
    func hugeCountsAreRefusedBeforeAnythingIsAllocated(field: Int) {
        var writer = Self.israel2026(version: 2)
        writer.countOverrides[field] = UInt32.max
        #expect(Self.error(writer.bytes()) != nil)
        var v1 = Self.israel2026(version: 0)
        v1.countOverrides[field] = 0x8000_0000
        #expect(Self.error(v1.bytes()) != nil)
    }

    /// Every prefix of a real file (Asia/Jerusalem, both blocks and the footer) is an error,
    /// except the whole file.
    @Test func everyTruncationOfARealFileIsAnError() throws {
        let bytes = try FileDescriptor.readFile(atPath: "/usr/share/zoneinfo/Asia/Jerusalem", maximumSize: 1 << 20)
        #expect(Self.error(bytes) == nil)
        var accepted: [Int] = []
        for length in 0..<bytes.count where Self.error(Array(bytes[..<length])) == nil { accepted.append(length) }
        #expect(accepted == [])
    }

    /// Random damage to a real file: each result is a zone or an error, and a zone that comes
    /// out answers questions without trapping.
    @Test func randomlyDamagedFilesNeverCrash() throws {
        let original = try FileDescriptor.readFile(atPath: "/usr/share/zoneinfo/America/Santiago", maximumSize: 1 << 20)
        var state: UInt64 = 12345
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: state >> 33)
        }
        var parsed = 0
        for _ in 0..<3000 {
            var bytes = original
            for _ in 0..<(1 + next() % 4) { bytes[next() % bytes.count] = UInt8(truncatingIfNeeded: next()) }
            guard let zone = try? ZoneInfo(tzif: bytes, identifier: "Damaged") else { continue }
            parsed += 1
            for t in stride(from: Int64(-2_000_000_000), to: 5_000_000_000, by: 500_000_000) {
                _ = zone.secondsFromGMT(at: t)
                _ = zone.startOfDay(CivilDate(daysSince1970: Int(t / 86_400)))
            }
        }
        #expect(parsed > 0, "some damage is only to times and offsets, and still parses")
    }
}
