import ControlPort
import ControlAPI
@testable import Crypt
@testable import HTTPServing
@testable import HTTPWire
import Foundation
import SystemSupport
import Testing

@testable import CtlKit

@Suite struct FormatterTests {
    static let utc = ZoneInfo.utc
    let time = LocalTime(timeZone: FormatterTests.utc, now: TestCtl.now)

    static func agent(_ json: JSONValue) throws -> AgentView { try AgentView(json) }

    static let eli = FakeDaemon.agent(
        "eli@example.com", name: "Eli Cohen", status: "connected", since: "2026-05-01T13:00:05.250Z", extension: "102",
        queues: [("sales", 0), ("support-private", 2)])
    static let dana = FakeDaemon.agent("dana@example.com", name: "Dana Levi", status: "unassigned", since: nil, extension: nil)

    @Test func theAgentsTableIsAligned() throws {
        let old = FakeDaemon.agent("noa@example.com", name: "", status: "break", since: "2026-04-30T23:59:00+02:00", extension: "901")
        let text = AgentFormatter(time: time).table([try Self.agent(Self.dana), try Self.agent(Self.eli), try Self.agent(old)])
        #expect(text == """
            LOGIN             NAME       STATUS      SINCE             EXTENSION  QUEUES
            dana@example.com  Dana Levi  unassigned  -                 -          -
            eli@example.com   Eli Cohen  connected   13:00:05          102        sales, support-private
            noa@example.com   -          break       2026-04-30 21:59  901        -

            """)
        #expect(AgentFormatter(time: time).table([]) == "no agents\n")
    }

    @Test func oneAgentIsAKeyValueBlock() throws {
        var json = Self.eli
        if case .object(var members) = json {
            members = members.map { $0.key == "calls" ? (key: "calls", value: [["unique_id": "1714572000.12", "direction": "incoming"]]) : $0 }
            json = .object(members)
        }
        #expect(AgentFormatter(time: time).block(try Self.agent(json)) == """
            login:      eli@example.com
            name:       Eli Cohen
            group:      team-a
            status:     connected (Connected) since 2026-05-01 13:00:05
            extension:  102 on PJSIP/102
            queues:     sales            penalty 0
                        support-private  penalty 2
            calls:      1714572000.12  incoming

            """)
        #expect(AgentFormatter(time: time).block(try Self.agent(Self.dana)) == """
            login:      dana@example.com
            name:       Dana Levi
            group:      team-a
            status:     unassigned (Unassigned)
            extension:  none
            queues:     none
            calls:      none

            """)
    }

    @Test func aCommandResultIsOneLine() throws {
        let onBreak = FakeDaemon.agent("dana@example.com", name: "Dana", status: "break", since: "2026-05-01T14:02:11Z", extension: "101")
        #expect(AgentFormatter(time: time).line(try Self.agent(onBreak)) == "dana@example.com: break since 14:02:11 at 101 (queues: none)\n")
        #expect(AgentFormatter(time: time).line(try Self.agent(Self.eli)) == "eli@example.com: connected since 13:00:05 at 102 (queues: sales, support-private)\n")
        #expect(AgentFormatter(time: time).line(try Self.agent(Self.dana)) == "dana@example.com: unassigned (queues: none)\n")
    }

    @Test func offersAndExtensionsAreTables() throws {
        let offers = try [
            ["id": "101", "kind": "personal", "label": "101", "taken_by": .null],
            ["id": 901, "kind": "virtual", "label": "mobile +972501234567", "taken_by": "eli@example.com"],
        ].map { try OfferView($0) }
        #expect(AgentFormatter(time: time).offers(offers) == """
            EXTENSION  KIND      LABEL                 TAKEN BY
            101        personal  101                   -
            901        virtual   mobile +972501234567  eli@example.com

            """)
        let all = try [["id": "101", "interface": "PJSIP/101", "state_interface": "PJSIP/101", "virtual": false, "agent": .null]].map { try ExtensionView($0) }
        #expect(AgentFormatter(time: time).extensions(all) == """
            EXTENSION  INTERFACE  STATE INTERFACE  VIRTUAL  AGENT
            101        PJSIP/101  PJSIP/101        no       -

            """)
    }

    @Test func anAgentWithoutLoginOrStatusIsMalformed() {
        #expect(throws: CtlError.malformedAnswer("agent without a \"login\" string")) { try AgentView(["status": "connected"]) }
        #expect(throws: CtlError.malformedAnswer("agent's \"queues\" is not a list")) {
            try AgentView(["login": "a", "status": "b", "queues": "sales"])
        }
        #expect(throws: CtlError.malformedAnswer("an agent is not a JSON object")) { try AgentView([1, 2]) }
    }

    @Test(arguments: [
        ("2026-05-01T14:02:11Z", 1_777_644_131.0),
        ("2026-05-01T14:02:11.500Z", 1_777_644_131.5),
        ("2026-05-01T16:02:11+02:00", 1_777_644_131.0),
        ("2026-05-01t12:02:11-02:00", 1_777_644_131.0),
        ("1970-01-01T00:00:00Z", 0.0),
        ("2000-02-29T00:00:00Z", 951_782_400.0),
    ])
    func rfc3339TimesParse(text: String, seconds: Double) {
        #expect(LocalTime.parse(text)?.timeIntervalSince1970 == seconds)
    }

    @Test(arguments: ["", "yesterday", "2026-05-01 14:02:11", "2026-13-01T00:00:00Z", "2026-05-01T14:02:11", "2026-05-01T14:02:11.Z", "2026-05-01T14:02:11+0200"])
    func otherTextDoesNot(text: String) {
        #expect(LocalTime.parse(text) == nil)
    }

    @Test func timesAreShownInTheReadersZone() throws {
        let jerusalem = LocalTime(timeZone: try #require(ZoneInfo(identifier: "Asia/Jerusalem")), now: TestCtl.now)
        #expect(jerusalem.short("2026-05-01T14:02:11Z") == "17:02:11")
        #expect(jerusalem.full("2026-05-01T22:02:11Z") == "2026-05-02 01:02:11")
        #expect(time.short("not a time") == "not a time")
    }

    @Test func eventsAreOneLineEach() {
        let formatter = EventFormatter(time: time, clock: { TestCtl.now })
        let status = ServerSentEvent(id: "5", event: "status", data: """
            {"agent":"dana@example.com","from":"connected","to":"break","at":"2026-05-01T14:02:11Z","cause":"agent","actor":"admin:local","note":null}
            """)
        #expect(formatter.human(status) == "14:02:11 dana@example.com: connected -> break (agent, by admin:local)\n")
        #expect(formatter.json(status) == """
            {"id":"5","event":"status","data":{"agent":"dana@example.com","from":"connected","to":"break","at":"2026-05-01T14:02:11Z","cause":"agent","actor":"admin:local","note":null}}

            """)
        let call = ServerSentEvent(id: "6", event: "call_started", data: #"{"agent":"dana@example.com","unique_id":"1714.2","channel":"PJSIP/101-0000002a","direction":"incoming","at":"2026-05-01T14:03:00Z"}"#)
        #expect(formatter.human(call) == "14:03:00 dana@example.com: incoming call 1714.2 started on PJSIP/101-0000002a\n")
        let ended = ServerSentEvent(id: "7", event: "call_ended", data: #"{"agent":"dana@example.com","unique_id":"1714.2","at":"2026-05-01T14:04:00Z"}"#)
        #expect(formatter.human(ended) == "14:04:00 dana@example.com: call 1714.2 ended\n")
        #expect(formatter.human(ServerSentEvent(id: "8", event: "ami", data: #"{"state":"connected"}"#)) == "14:30:00 asterisk: connected\n")
        #expect(formatter.human(ServerSentEvent(id: "9", event: "reload", data: "{}")) == "14:30:00 configuration reloaded\n")
        #expect(formatter.human(ServerSentEvent(event: "reset", data: "")).hasPrefix("14:30:00 events were missed"))
        #expect(formatter.human(ServerSentEvent(id: "10", event: "future", data: "?")) == "14:30:00 future ?\n")
        #expect(formatter.json(ServerSentEvent(event: "reset", data: "")) == #"{"event":"reset","data":""}"# + "\n")
    }

    /// Names, labels and notes come from the daemon's configuration and its users: on a terminal
    /// their control characters show as escapes and cannot clear the screen or forge a line.
    @Test func textFromTheDaemonCannotDriveTheTerminal() throws {
        let eve = try AgentView(FakeDaemon.agent(
            "eve\u{1B}[2J@example.com", name: "Eve\r\nforged: line", status: "break\u{9B}1m", since: nil, extension: "1\u{7}01",
            queues: [("sa\u{1B}]0;x\u{7}les", 0)], warnings: ["over\u{0}limit"]))
        let formatter = AgentFormatter(time: time)
        #expect(formatter.line(eve) == #"eve\x1b[2J@example.com: break\u{9b}1m at 1\x0701 (queues: sa\x1b]0;x\x07les)"# + "\n")
        #expect(formatter.block(eve).contains(#"name:       Eve\r\nforged: line"# + "\n"))
        #expect(formatter.block(eve).contains(#"extension:  1\x0701 on PJSIP/1\x0701"# + "\n"))
        #expect(eve.warnings == [#"over\x00limit"#])
        let offers = try [["id": "1\u{1B}01", "kind": "personal", "label": "desk\u{1B}[8m", "taken_by": "x\u{85}y"]].map { try OfferView($0) }
        let report = try ReportView([
            "day": "2026-05-01", "time_zone": "UTC\u{1B}", "agents": [
                ["login": "eve\u{7F}", "name": "E\u{1B}ve", "statuses": [["status": "b\u{1B}", "label": "B\u{1B}reak", "seconds": 60]]],
            ],
        ])
        let shown = [formatter.table([eve]), formatter.block(eve), formatter.offers(offers), ReportFormatter().table(report)]
        for text in shown { #expect(!hasControlCharacters(text.replacingOccurrences(of: "\n", with: "")), "\(text.debugDescription)") }
        #expect(formatter.offers(offers).contains(#"1\x1b01    personal  desk\x1b[8m  x\u{85}y"#))
        #expect(ReportFormatter().table(report).hasPrefix(#"day 2026-05-01 (UTC\x1b)"#))

        let events = EventFormatter(time: time, clock: { TestCtl.now })
        let status = events.human(ServerSentEvent(id: "1", event: "status", data: #"{"agent":"eve\u001b[2J","from":"connected","to":"break","at":"2026-05-01T14:02:11Z","note":"back\r\nsoon\u001b[0m"}"#))
        #expect(status == #"14:02:11 eve\x1b[2J: connected -> break: back\r\nsoon\x1b[0m"# + "\n")
        let unknown = events.human(ServerSentEvent(id: "2", event: "fu\u{1B}ture", data: "\u{1B}[2J"))
        #expect(unknown == #"14:30:00 fu\x1bture \x1b[2J"# + "\n")
    }

    @Test func endpointsParse() throws {
        #expect(try Endpoint.parse(url: "http://127.0.0.1:8088").get() == .http(host: "127.0.0.1", port: 8088, basePath: ""))
        #expect(try Endpoint.parse(url: "HTTP://[::1]:9000/ccagentd/").get() == .http(host: "::1", port: 9000, basePath: "/ccagentd"))
        #expect(try Endpoint.parse(url: "http://localhost").get() == .http(host: "localhost", port: 80, basePath: ""))
        for bad in ["https://127.0.0.1:8088", "127.0.0.1:8088", "ftp://x", "http://:80", "http://h:0", "http://h:99999", "http://u@h:1", "http://h:1/?x", "http://[::1"] {
            #expect((try? Endpoint.parse(url: bad).get()) == nil, "\(bad)")
        }
        #expect(Endpoint.http(host: "::1", port: 9000, basePath: "").description == "http://[::1]:9000")
    }

    @Test func loginsArePercentEncodedAsOneSegment() {
        #expect(DaemonRequests.segment("dana@example.com") == "dana@example.com")
        #expect(DaemonRequests.segment("a/b c?é") == "a%2Fb%20c%3F%C3%A9")
    }
}

/// Whether `text` holds a C0 control, DEL or a C1 control: what a terminal may act on.
func hasControlCharacters(_ text: String) -> Bool {
    text.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }
}
