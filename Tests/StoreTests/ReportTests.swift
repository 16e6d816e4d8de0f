import ControlPort
import AgentCore
import Foundation
import Testing
import TestSupport
import Store
import SystemSupport

@Suite struct ReportTests {
    static let hour: Int64 = 3_600_000
    // 2026-03-09 00:00 UTC.
    static let midnight = Timestamp(millisecondsSince1970: 1_773_014_400_000)

    static func at(hours: Double) -> Timestamp {
        Timestamp(millisecondsSince1970: midnight.millisecondsSince1970 + Int64(hours * Double(hour)))
    }

    @Test func clipsIntervalsToTheDayAndRunsTheOpenOneToNow() throws {
        let directory = try TemporaryDirectory()
        let store = try Store(path: directory.file("s.sqlite"))
        let dana = Samples.dana
        // Logged in the evening before, through midnight, lunch, a call, and still connected.
        try store.apply([Samples.change(.unassigned, .connected, at: Self.at(hours: -2))])
        try store.apply([Samples.change(.connected, "lunch", at: Self.at(hours: 1))])
        try store.apply([Samples.change("lunch", .connected, at: Self.at(hours: 1.5))])
        try store.apply([Samples.change(.connected, .incomingCall, at: Self.at(hours: 3), cause: .call, actor: .system)])
        try store.apply([Samples.change(.incomingCall, .connected, at: Self.at(hours: 3.25), cause: .hangup, actor: .system)])
        try store.apply([Samples.change(.unassigned, "lunch", at: Self.at(hours: 2), agent: Samples.eli)])  // someone else's

        let day = Self.midnight..<Self.at(hours: 24)
        #expect(try store.timeInStatus(agent: dana, day: day, now: Self.at(hours: 4)) == [
            .connected: 1 * Self.hour + 3 * Self.hour / 2 + 3 * Self.hour / 4,  // 0-1, 1.5-3, 3.25-4
            "lunch": Self.hour / 2,
            .incomingCall: Self.hour / 4,
        ])
        // A finished day: the open interval runs to midnight, not to now; before the first change
        // the agent was logged out.
        let dayBefore = Self.at(hours: -24)..<Self.midnight
        #expect(try store.timeInStatus(agent: dana, day: dayBefore, now: Self.at(hours: 30)) == [.unassigned: 22 * Self.hour, .connected: 2 * Self.hour])
        // Later in the day, the connected time keeps growing to now.
        #expect(try store.timeInStatus(agent: dana, day: day, now: Self.at(hours: 10))[.connected] == Int64(9.25 * Double(Self.hour)))
        // A day before anything was recorded, and a future day, are empty.
        #expect(try store.timeInStatus(agent: dana, day: Self.at(hours: -48)..<Self.at(hours: -24), now: Self.at(hours: 4)).isEmpty)
        #expect(try store.timeInStatus(agent: dana, day: Self.at(hours: 24)..<Self.at(hours: 48), now: Self.at(hours: 4)).isEmpty)
    }

    @Test func theDayFollowsTheCallCentersTimeZone() throws {
        let zone = try #require(ZoneInfo(identifier: "Asia/Jerusalem"))
        // 2026-03-09 21:30 UTC is 23:30 in Jerusalem (UTC+2 that day).
        let day = zone.timestamps(ofDayContaining: Self.at(hours: 21.5))
        #expect(day.lowerBound == Self.at(hours: -2))
        #expect(day.upperBound == Self.at(hours: 22))
        let utc = ZoneInfo.utc.timestamps(ofDayContaining: Self.at(hours: 21.5))
        #expect(utc == Self.midnight..<Self.at(hours: 24))
    }
}
