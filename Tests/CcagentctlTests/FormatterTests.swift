import ControlAPI
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
