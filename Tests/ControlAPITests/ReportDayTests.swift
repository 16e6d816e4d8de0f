import AgentCore
import Foundation
import SystemSupport
import Testing
import ControlPort
@testable import ControlAPI
@testable import Crypt
@testable import HTTPServing
@testable import HTTPWire

@Suite struct ReportDayTests {
    static let noon = Timestamp(millisecondsSince1970: 1_795_262_400_000)  // 2026-11-21T12:00:00Z

    @Test func aNamedDayInAZoneIsItsLocalMidnights() throws {
        let day = try ReportDay.parse(day: "2026-11-21", zone: "Asia/Jerusalem", now: Self.noon).get()
        #expect(day.name == "2026-11-21" && day.timeZone.identifier == "Asia/Jerusalem")
        // Jerusalem is UTC+2 in November: the day starts at 22:00 UTC the evening before.
        #expect(day.range.lowerBound.millisecondsSince1970 == 1_795_212_000_000)
        #expect(day.range.upperBound.millisecondsSince1970 - day.range.lowerBound.millisecondsSince1970 == 86_400_000)
    }

    @Test func theDefaultIsTodayAndADSTDayIsShorter() throws {
        let today = try ReportDay.parse(day: nil, zone: "UTC", now: Self.noon).get()
        #expect(today.name == "2026-11-21" && today.range.lowerBound.millisecondsSince1970 == 1_795_219_200_000)
        let spring = try ReportDay.parse(day: "2026-03-29", zone: "Europe/Berlin", now: Self.noon).get()
        #expect(spring.range.upperBound.millisecondsSince1970 - spring.range.lowerBound.millisecondsSince1970 == 23 * 3_600_000)
    }

    @Test func badDaysAndZonesAre400() {
        for (day, zone) in [
            ("2026-02-30", nil), ("2026-13-01", nil), ("26-11-21", nil), ("2026-11-2x", nil), ("2026/11/21", nil), ("", nil),
            ("2026-11-21", "Mars/Olympus"), ("２０２６-11-21", nil), ("0000-01-01", nil),
        ] as [(String, String?)] {
            guard case .failure(let failure) = ReportDay.parse(day: day, zone: zone, now: Self.noon) else {
                Issue.record("\(day) \(zone ?? "") was accepted")
                continue
            }
            #expect(failure.status == .badRequest && failure.code == "invalid_field", "\(day)")
        }
    }

    @Test func theReportListsStatusesMostTimeFirstWithLabels() {
        let configuration = CoreConfiguration(
            statuses: CoreConfiguration.builtInStatuses, skills: [:], extensions: [:],
            users: ["dana": UserDefinition(login: "dana", name: "Dana")], remote: RemoteSettings())
        let day = ReportDay(name: "2026-11-21", timeZone: ZoneInfo(identifier: "Asia/Jerusalem") ?? .utc, range: Self.noon..<Self.noon)
        let days = [AgentDay(agent: "dana", milliseconds: ["connected": 60_400, "incoming_call": 120_000], incoming: 2, outgoing: 0)]
        let json = APIRouter.report(days, day: day, configuration: configuration)
        let statuses = json["agents"]?.arrayValue?.first?["statuses"]?.arrayValue ?? []
        #expect(statuses.map { $0["status"] } == ["incoming_call", "connected"])
        #expect(statuses.map { $0["seconds"] } == [120, 60] && statuses.first?["label"] == "Incoming call")
        #expect(json["agents"]?.arrayValue?.first?["calls"] == ["incoming": 2, "outgoing": 0])
        #expect(json["day"] == "2026-11-21" && json["time_zone"] == "Asia/Jerusalem")
    }
}
