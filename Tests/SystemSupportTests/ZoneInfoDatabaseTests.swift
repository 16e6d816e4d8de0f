import Foundation
import Testing
import TestSupport
@testable import SystemSupport

/// Finding zones: names from outside checked before any file is opened, `TZDIR`, and the local
/// zone from `TZ` or `/etc/localtime` (here: files in a temp directory standing in for them).
@Suite struct ZoneInfoDatabaseTests {
    @Test(arguments: [
        "Asia/Jerusalem", "UTC", "Etc/GMT+5", "Etc/GMT-14", "America/Port-au-Prince", "America/Argentina/Buenos_Aires", "EST5EDT",
        "GMT0", "a",
    ])
    func tzNames(name: String) {
        #expect(ZoneInfo.isValidName(name))
    }

    @Test(arguments: [
        "", "/", "/etc/passwd", "../etc/passwd", "Asia/../../etc/passwd", "Asia/./Jerusalem", ".hidden", "Asia/.hidden", "..",
        "Asia//Jerusalem", "Asia/Jerusalem/", "Asia/Jerusalem ", " Asia/Jerusalem", "Asia\\Jerusalem", "Asia/Jerusalem\0", "-rf",
        "Asia/-x", "Asia/Jérusalem", "Asia%2FJerusalem", "~root", "Asia/Jerusalem;rm", "Asia/Jeru*", String(repeating: "A", count: 65),
    ])
    func notTZNames(name: String) {
        #expect(!ZoneInfo.isValidName(name))
        #expect(throws: ZoneInfoError.invalidName(name)) { try ZoneInfo.named(name, environment: [:]) }
        #expect(ZoneInfo(identifier: name, environment: [:]) == nil)
    }

    @Test func namesWithoutAZone() {
        for name in ["Mars/Olympus", "America", "Asia/Jerusalem/Old_City", "Etc/GMT+15"] {
            #expect(throws: ZoneInfoError.unknownZone(name)) { try ZoneInfo.named(name, environment: [:]) }
            #expect(ZoneInfo(identifier: name, environment: [:]) == nil)
        }
        // Files of the database that are not zones, and zones counted with leap seconds.
        for (name, reason) in [("zone.tab", "no TZif magic"), ("right/Asia/Jerusalem", "leap seconds are not supported (a right/ zone)")] {
            #expect(throws: ZoneInfoError.malformed(path: "/usr/share/zoneinfo/\(name)", reason: reason)) {
                try ZoneInfo.named(name, environment: [:])
            }
        }
    }

    @Test func aZoneHasTheNameItWasAskedFor() throws {
        #expect(try ZoneInfo.named("UTC", environment: [:]).identifier == "UTC")
        #expect(try ZoneInfo.named("Asia/Tel_Aviv", environment: [:]).identifier == "Asia/Tel_Aviv")
        #expect(ZoneInfo(identifier: "Asia/Jerusalem")?.secondsFromGMT(at: 1_795_262_400) == 7200)
    }

    // MARK: TZDIR and the local zone

    /// A temp directory with a database of one zone, `Test/Zone` (UTC+5), and an unrelated file.
    final class Scratch {
        private let directory: TemporaryDirectory
        var path: String { directory.path }

        init() throws {
            directory = try TemporaryDirectory(prefix: "zoneinfo")
            try FileManager.default.createDirectory(atPath: path + "/zoneinfo/Test", withIntermediateDirectories: true)
            let zone = TZifWriter(types: [.init(utcOffset: 18000)], abbreviations: "+05\0", footer: "<+05>-5")
            try Data(zone.bytes()).write(to: URL(fileURLWithPath: path + "/zoneinfo/Test/Zone"))
        }

        func write(_ text: String, to name: String) throws {
            try directory.write(text, to: name)
        }

        func link(_ name: String, to target: String) throws {
            try FileManager.default.createSymbolicLink(atPath: path + "/" + name, withDestinationPath: target)
        }

        func local(_ environment: [String: String]) -> ZoneInfo {
            ZoneInfo.local(environment: environment, localtime: path + "/localtime", timezoneFile: path + "/timezone")
        }
    }

    @Test func tzdirIsWhereZonesAreLookedFor() throws {
        let scratch = try Scratch()
        let zone = try ZoneInfo.named("Test/Zone", environment: ["TZDIR": scratch.path + "/zoneinfo"])
        #expect(zone.identifier == "Test/Zone" && zone.secondsFromGMT(at: 0) == 18000)
        #expect(throws: ZoneInfoError.unknownZone("Asia/Jerusalem")) {
            try ZoneInfo.named("Asia/Jerusalem", environment: ["TZDIR": scratch.path + "/zoneinfo"])
        }
        // A relative TZDIR is not honoured (nor by glibc).
        #expect(try ZoneInfo.named("Asia/Jerusalem", environment: ["TZDIR": "zoneinfo"]).identifier == "Asia/Jerusalem")
        #expect(ZoneInfo.databaseDirectory(environment: [:]) == "/usr/share/zoneinfo")
    }

    @Test func withoutTZTheLocalZoneIsEtcLocaltimeNamedByItsLink() throws {
        let scratch = try Scratch()
        #expect(scratch.local([:]) == .utc, "no /etc/localtime: UTC")
        try scratch.link("localtime", to: "/usr/share/zoneinfo/Europe/Warsaw")
        let warsaw = scratch.local([:])
        #expect(warsaw.identifier == "Europe/Warsaw" && warsaw.secondsFromGMT(at: 1_795_262_400) == 3600)
    }

    @Test func aLinkIntoAnotherTreeIsNamedFromZoneinfoOn() throws {
        let scratch = try Scratch()
        try scratch.link("localtime", to: scratch.path + "/zoneinfo/Test/Zone")
        #expect(scratch.local([:]).identifier == "Test/Zone")
        try FileManager.default.removeItem(atPath: scratch.path + "/localtime")
        try scratch.link("localtime", to: "/usr/share/zoneinfo/posix/Asia/Kolkata")
        #expect(scratch.local([:]).identifier == "Asia/Kolkata")
    }

    @Test func aCopiedLocaltimeIsNamedByEtcTimezoneOrNotAtAll() throws {
        let scratch = try Scratch()
        try FileManager.default.copyItem(atPath: "/usr/share/zoneinfo/Asia/Kolkata", toPath: scratch.path + "/localtime")
        let unnamed = scratch.local([:])
        #expect(unnamed.identifier == "localtime" && unnamed.secondsFromGMT(at: 0) == 19800)
        try scratch.write("Asia/Kolkata\n", to: "timezone")
        #expect(scratch.local([:]).identifier == "Asia/Kolkata")
        try scratch.write("../../etc/passwd\n", to: "timezone")
        #expect(scratch.local([:]).identifier == "localtime")
    }

    @Test func anUnusableLocaltimeIsUTC() throws {
        let scratch = try Scratch()
        try scratch.write("not a zone", to: "localtime")
        #expect(scratch.local([:]) == .utc)
    }

    @Test func theTZVariable() throws {
        let scratch = try Scratch()
        try scratch.link("localtime", to: "/usr/share/zoneinfo/Europe/Warsaw")
        let july2026: Int64 = 1_783_000_000
        let cases: [(String, String, Int)] = [
            ("", "UTC", 0),
            (":Asia/Jerusalem", "Asia/Jerusalem", 10800),
            ("Asia/Jerusalem", "Asia/Jerusalem", 10800),
            (":/usr/share/zoneinfo/America/New_York", "America/New_York", -14400),
            ("/usr/share/zoneinfo/America/New_York", "America/New_York", -14400),
            (":\(scratch.path)/zoneinfo/Test/Zone", "Test/Zone", 18000),
            ("IST-2IDT,M3.4.4/26,M10.5.0", "IST-2IDT,M3.4.4/26,M10.5.0", 10800),
            ("<+0330>-3:30", "<+0330>-3:30", 12600),
            ("EST5EDT", "EST5EDT", -14400),  // a file of the database before a rule
            (":IST-2", "UTC", 0),  // a colon means a file, and there is none
            ("Mars/Olympus", "UTC", 0),
            (":/nonexistent/zone", "UTC", 0),
            ("garbage!", "UTC", 0),
        ]
        for (tz, identifier, offset) in cases {
            let zone = scratch.local(["TZ": tz])
            #expect(zone.identifier == identifier && zone.secondsFromGMT(at: july2026) == offset, "TZ=\(tz)")
        }
        #expect(scratch.local(["TZ": "Test/Zone", "TZDIR": scratch.path + "/zoneinfo"]).secondsFromGMT(at: 0) == 18000)
    }

    @Test func theProcessZoneIsTheOneFoundationFinds() {
        for t in stride(from: Int64(0), to: 2_100_000_000, by: 86_400 * 61 + 3_600) {
            #expect(ZoneInfo.current.secondsFromGMT(at: t) == TimeZone.current.secondsFromGMT(for: Date(timeIntervalSince1970: Double(t))))
        }
    }
}
