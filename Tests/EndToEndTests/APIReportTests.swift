#if canImport(Glibc)
import Glibc
#endif
import ControlPort
import ControlAPI
@testable import Crypt
@testable import HTTPServing
@testable import HTTPWire
import Foundation
import Testing

extension EndToEnd {
    /// `GET /v1/reports/time-in-status` from the store while the daemon runs.
    @Suite struct APIReportTests {
        @Test func theDayReportShowsTimeInEachStatusForWhomTheCallerMaySee() throws {
            let harness = try APITests.start()
            defer { harness.shutdown() }
            for (agent, ext) in [("dana@example.com", "101"), ("noa@example.com", "103")] {
                #expect(try harness.api("POST", "/v1/agents/\(agent)/login", body: ["extension": .string(ext)], overSocket: true).status == 200)
            }
            Thread.sleep(forTimeInterval: 1.2)
            #expect(try harness.api("PUT", "/v1/agents/dana@example.com/status", body: ["status": "break"], overSocket: true).status == 200)
            Thread.sleep(forTimeInterval: 1.2)

            let dana = try harness.session("dana@example.com")
            let report = try harness.api("GET", "/v1/reports/time-in-status?tz=Asia/Jerusalem", token: dana)
            #expect(report.status == 200, "\(report.text)")
            let agents = report.json?["agents"]?.arrayValue ?? []
            #expect(agents.compactMap { $0["login"]?.stringValue } == ["dana@example.com"], "Noa is another group's")
            let seconds = Dictionary(
                uniqueKeysWithValues: (agents.first?["statuses"]?.arrayValue ?? []).compactMap { status in
                    status["status"]?.stringValue.flatMap { name in status["seconds"]?.intValue.map { (name, $0) } }
                })
            #expect((1...3).contains(seconds["connected"] ?? 0) && (1...3).contains(seconds["break"] ?? 0), "\(seconds)")
            #expect(report.json?["time_zone"] == "Asia/Jerusalem")

            let all = try harness.api("GET", "/v1/reports/time-in-status", overSocket: true).json?["agents"]?.arrayValue?.count
            #expect(all == 2)
            #expect(try harness.api("GET", "/v1/reports/time-in-status?agent=noa@example.com", token: dana).status == 404)
            #expect(try harness.api("GET", "/v1/reports/time-in-status?day=2026-02-30", token: dana).errorCode == "invalid_field")
            let yesterday = try harness.api("GET", "/v1/reports/time-in-status?day=2000-01-01", overSocket: true)
            #expect(yesterday.status == 200 && yesterday.json?["agents"]?.arrayValue == [])
        }
    }
}
