import SystemSupport
import ControlPort
import ControlAPI
@testable import Crypt
@testable import HTTPServing
@testable import HTTPWire
import Foundation
import Testing

@testable import CtlKit

/// `ccagentctl report`: its command line, its help, its table, and what it asks the daemon.
@Suite(.serialized, .timeLimit(.minutes(1))) struct ReportTests {
    let daemon: FakeDaemon
    var ctl = TestCtl()

    init() throws {
        daemon = try FakeDaemon()
        ctl.environment = ["CCAGENTD_URL": daemon.url, "CCAGENTD_TOKEN": FakeDaemon.adminToken]
    }

    private func parse(_ arguments: [String]) -> Invocation? { try? CommandLineParser.parse(arguments).get() }

    // MARK: - The command line

    @Test(arguments: [
        (["report"], CtlCommand.report(login: nil, day: nil, timeZone: nil)),
        (["report", "dana@example.com"], .report(login: "dana@example.com", day: nil, timeZone: nil)),
        (["report", "--day", "2026-11-21"], .report(login: nil, day: CalendarDay("2026-11-21"), timeZone: nil)),
        (["report", "--tz=Asia/Jerusalem", "dana@example.com", "--day=2024-02-29"],
         .report(login: "dana@example.com", day: CalendarDay("2024-02-29"), timeZone: "Asia/Jerusalem")),
        (["--day", "2026-11-21", "report"], .report(login: nil, day: CalendarDay("2026-11-21"), timeZone: nil)),
    ])
    func parses(arguments: [String], command: CtlCommand) {
        #expect(parse(arguments) == .run(command, ConnectionOptions(), json: false))
    }

    @Test(arguments: [
        "2026-02-29", "2100-02-29", "2026-04-31", "2026-13-01", "2026-00-10", "2026-01-00", "0000-01-01",
        "26-11-21", "2026-1-21", "2026/11/21", "2026-11-21x", "２０２６-11-21", "today", "",
    ])
    func aDayThatIsNotARealDateIsAUsageError(day: String) {
        guard case .failure(let error) = CommandLineParser.parse(["report", "--day", day]) else {
            Issue.record("'\(day)' was taken")
            return
        }
        #expect(error.message == "The value '\(day)' is invalid for '--day <day>'")
        #expect(error.command == "report")
        #expect(error.help == "--day <day>  a date that exists, as YYYY-MM-DD")
    }

    @Test func realDaysReadBackAsWritten() {
        for text in ["2024-02-29", "2000-02-29", "2026-12-31", "0001-01-01", "9999-12-31"] {
            #expect(CalendarDay(text)?.description == text)
        }
        #expect(CalendarDay("2026-11-21") == CalendarDay("2026-11-21"))
        #expect(CalendarDay("2026-11-21").map { [$0.year, $0.month, $0.day] } == [2026, 11, 21])
    }

    @Test(arguments: [
        (["report", "a@example.com", "b@example.com"], "Unexpected argument 'b@example.com'"),
        (["report", "--day"], "Missing value for '--day <day>'"),
        (["report", "--tz", ""], "The value '' is invalid for '--tz <zone>'"),
        (["agents", "--day", "2026-11-21"], "Unknown option '--day'"),
        (["report", ""], "The value '' is invalid for '<login>'"),
    ])
    func otherMisuse(arguments: [String], message: String) {
        guard case .failure(let error) = CommandLineParser.parse(arguments) else {
            Issue.record("\(arguments) was taken")
            return
        }
        #expect(error.message == message)
    }

    // MARK: - Help

    @Test func theHelpHasArgumentParsersSections() throws {
        // The connection options read as in every other command's help (HelpTests checks them).
        let agentHelp = HelpFormatter.help(command: "agent")
        let connection = try #require(agentHelp.range(of: "  --json "))
        #expect(HelpFormatter.help(command: "report") == """
            OVERVIEW: Time in each status and calls per agent for one day.

            One row per agent you may see that had time in the day (or only the agent
            given): the time in each status as H:MM:SS, most time first, then the calls
            taken and made. The day runs from midnight to midnight in --tz.

            USAGE: ccagentctl report [<login>] [<options>]

            ARGUMENTS:
              <login>                 Only this agent.

            OPTIONS:
              --day <day>             The day, as YYYY-MM-DD. (default: today in the time
                                      zone)
              --tz <zone>             The time zone of the day, as Area/City, e.g.
                                      Asia/Jerusalem. (default: the daemon's)

            """ + agentHelp[connection.lowerBound...])
        #expect(HelpFormatter.help(command: nil).contains("\n  report                  Time in each status and calls per agent for one day.\n"))
    }

    // MARK: - The table

    static func report(_ agents: [JSONValue]) throws -> ReportView {
        try ReportView([
            "day": "2026-11-21", "time_zone": "Asia/Jerusalem", "from": "2026-11-21T00:00:00+02:00", "to": "2026-11-22T00:00:00+02:00",
            "agents": .array(agents),
        ])
    }

    static func agent(_ login: String, _ name: String, _ statuses: [(String, String, JSONValue)], calls: (Int, Int)) -> JSONValue {
        [
            "login": .string(login), "name": .string(name),
            "statuses": .array(statuses.map { ["status": .string($0.0), "label": .string($0.1), "seconds": $0.2] }),
            "calls": ["incoming": .integer(calls.0), "outgoing": .integer(calls.1)],
        ]
    }

    @Test func columnsAreTheStatusesByTotalTimeWithDurationsAsHoursMinutesSeconds() throws {
        let report = try Self.report([
            Self.agent("dana@example.com", "Dana Levi", [("break", "Break", 4000), ("connected", "Connected", 59)], calls: (0, 2)),
            Self.agent("eli@example.com", "", [("connected", "Connected", 39_600), ("incoming", "Incoming call", 3599.6)], calls: (14, 0)),
            Self.agent("noa@example.com", "Noa", [("paperwork", "Paperwork", 3600)], calls: (1, 1)),
        ])
        // Totals: connected 39,659; break 4,000; incoming 3,600 (3,599.6 rounded) and paperwork
        // 3,600 tie, so by id.
        #expect(ReportFormatter().table(report) == """
            day 2026-11-21 (Asia/Jerusalem)
            LOGIN             NAME       Connected  Break    Incoming call  Paperwork  IN CALLS  OUT CALLS
            dana@example.com  Dana Levi  0:00:59    1:06:40  -              -          0         2
            eli@example.com   -          11:00:00   -        1:00:00        -          14        0
            noa@example.com   Noa        -          -        -              1:00:00    1         1

            """)
    }

    @Test func durations() {
        #expect([0, 5, 65, 3600, 3661, 86_399, 90_000].map(ReportFormatter.duration)
            == ["0:00:00", "0:00:05", "0:01:05", "1:00:00", "1:01:01", "23:59:59", "25:00:00"])
    }

    @Test func anAgentWithoutStatusesOrCallsStillHasItsRow() throws {
        let report = try ReportView([
            "day": "2026-11-21", "agents": [["login": "dana@example.com", "name": "Dana Levi", "statuses": []]],
        ])
        #expect(ReportFormatter().table(report) == """
            day 2026-11-21
            LOGIN             NAME       IN CALLS  OUT CALLS
            dana@example.com  Dana Levi  0         0

            """)
    }

    @Test func anEmptyReportSaysSo() throws {
        #expect(ReportFormatter().table(try Self.report([])) == "no agent had time in 2026-11-21\n")
    }

    static let malformed: [(JSONValue, String)] = [
        (.array([]), "the report is not a JSON object"),
        (["agents": []], "report without a \"day\" string"),
        (["day": "2026-11-21"], "no \"agents\" list"),
        (["day": "2026-11-21", "agents": [["name": "Dana"]]], "report agent without a \"login\" string"),
        (["day": "2026-11-21", "agents": [["login": "d", "statuses": [["seconds": 1]]]]], "report status without a \"status\" string"),
        (["day": "2026-11-21", "agents": [["login": "d", "statuses": [["status": "break", "seconds": "1"]]]]],
         "report status without a \"seconds\" count"),
        (["day": "2026-11-21", "agents": [["login": "d", "statuses": [["status": "break", "seconds": -1]]]]],
         "report status without a \"seconds\" count"),
    ]

    @Test(arguments: malformed)
    func aReportThatIsNotTheAPIsShapeIsRefused(json: JSONValue, reason: String) {
        #expect(throws: CtlError.malformedAnswer(reason)) { try ReportView(json) }
    }

    // MARK: - Against the daemon

    @Test func printsTheDayAndTheTable() {
        #expect(ctl.run(["report"]) == 0)
        #expect(ctl.output.lines == [
            "day 2026-05-01 (UTC)",
            "LOGIN             NAME       Connected  Incoming call  Break    Paperwork  IN CALLS  OUT CALLS",
            "dana@example.com  Dana Levi  2:03:04    -              0:15:00  0:01:05    3         1",
            "eli@example.com   Eli Cohen  1:00:00    2:30:00        -        -          12        0",
        ])
        #expect(ctl.error.contents == "")
        #expect(daemon.seen.map(\.target) == ["/v1/reports/time-in-status"])
    }

    @Test func oneAgentOnOneDayInAZone() {
        #expect(ctl.run(["report", "eli@example.com", "--day", "2026-05-01", "--tz", "Asia/Jerusalem"]) == 0)
        #expect(ctl.output.lines == [
            "day 2026-05-01 (Asia/Jerusalem)",
            "LOGIN            NAME       Incoming call  Connected  IN CALLS  OUT CALLS",
            "eli@example.com  Eli Cohen  2:30:00        1:00:00    12        0",
        ])
        #expect(daemon.seen.map(\.target) == ["/v1/reports/time-in-status?day=2026-05-01&agent=eli@example.com&tz=Asia/Jerusalem"])
    }

    @Test func aDayWithNoOne() {
        #expect(ctl.run(["report", "--day", "2026-01-01"]) == 0)
        #expect(ctl.output.lines == ["no agent had time in 2026-01-01"])
    }

    @Test func jsonPrintsTheBodyAsSent() {
        #expect(ctl.run(["report", "--json", "--day=2026-01-01"]) == 0)
        #expect(ctl.output.lines == [
            #"{"day":"2026-01-01","time_zone":"UTC","from":"2026-01-01T00:00:00Z","to":"2026-01-02T00:00:00Z","agents":[]}"#,
        ])
    }

    @Test func queryValuesArePercentEncodedAndReadBackAsGiven() {
        let login = "d+a&n=a #1%/ü@example.com"
        #expect(ctl.run(["report", login, "--tz", "Etc/GMT+2"]) == 1)
        #expect(daemon.seen.first?.target
            == "/v1/reports/time-in-status?agent=d%2Ba%26n%3Da%20%231%25/%C3%BC@example.com&tz=Etc/GMT%2B2")
        #expect(daemon.seen.first?.query == [HTTPQueryItem(name: "agent", value: login), HTTPQueryItem(name: "tz", value: "Etc/GMT+2")])
    }

    @Test(arguments: [
        (["report", "ghost@example.com"], Int32(1), "Error: no agent ghost@example.com"),
        (["report", "--tz", "Mars/Olympus"], 1, "Error: tz must be a time zone name such as Asia/Jerusalem, not Mars/Olympus"),
        (["report", "boom@example.com"], 69, "Error: the store failed"),
    ])
    func refusalsExitWithTheirClass(arguments: [String], status: Int32, message: String) {
        #expect(ctl.run(arguments) == status)
        #expect(ctl.error.lines == [message])
        #expect(ctl.output.contents == "")
    }

    @Test func withoutATokenIs77() {
        let run = TestCtl(environment: ["CCAGENTD_URL": daemon.url])
        #expect(run.run(["report"]) == 77)
        #expect(run.error.lines == ["Error: a valid token is needed (no token was given: use --token, --token-file or CCAGENTD_TOKEN)"])
    }

    @Test func aBadDayIs64AndNothingIsAsked() {
        #expect(ctl.run(["report", "dana@example.com", "--day", "2026-02-30"]) == 64)
        #expect(ctl.error.lines == [
            "Error: The value '2026-02-30' is invalid for '--day <day>'",
            "Help:  --day <day>  a date that exists, as YYYY-MM-DD",
            "Usage: ccagentctl report [<login>] [<options>]",
            "  See 'ccagentctl report --help' for more information.",
        ])
        #expect(ctl.output.contents == "")
        #expect(daemon.seen.isEmpty)
    }

    @Test func aSuccessThatIsNotAReportIs69() throws {
        let proxy = try ScriptedServer { _ in [.send("HTTP/1.1 200 OK\r\nContent-Length: 17\r\n\r\n{\"day\":\"x\",\"a\":1}")] }
        let run = TestCtl()
        #expect(run.run(["report", "--url", proxy.url, "--json"]) == 69)
        #expect(run.error.lines == ["Error: the daemon's answer could not be read: no \"agents\" list"])
    }
}
