import AgentCore
import ControlPort
import HTTPWire
import Testing
import TestSupport

/// `/v1/events`: each caller is shown what it may see, live and replayed after a reconnect.
@Suite(.timeLimit(.minutes(1))) struct RouterEventStreamTests {
    static let everyone = ["dana@example.com", "eli@example.com", "noa@example.com", "omer@example.com"]

    /// Every agent logs in, then Asterisk goes away, a call starts at Noa's, and a reload.
    static func happenings(_ api: RouterFixture) throws {
        for (index, agent) in everyone.enumerated() {
            try api.command("POST", "/v1/agents/\(agent)/login", json: ["extension": .string("10\(index + 1)")])
        }
        api.daemon.link(FakeControlPort.lost)
        let at = api.daemon.now()
        api.daemon.publish(.callStarted(agent: "noa@example.com", uniqueID: "1700.1", channel: "PJSIP/103-0001", direction: .incoming, at: at))
        api.daemon.publish(.callEnded(agent: "noa@example.com", uniqueID: "1700.1", at: at))
        try api.command("POST", "/v1/reload")
    }

    @Test func eachCallerSeesItsGroupsEventsAndSupervisorsSeeAsterisk() throws {
        let api = try RouterFixture()
        let streams = [
            ("dana", try api.events(token: try api.session("dana@example.com"))),
            ("boss", try api.events(token: try api.session("boss@example.com"))),
            ("bea", try api.events(token: try api.session("bea@example.com"))),
            ("omer", try api.events(token: try api.session("omer@example.com"))),
            ("token", try api.events(token: RouterFixture.adminToken)),
            ("local", try api.events(token: nil, overSocket: true)),
        ]
        try Self.happenings(api)
        var seen: [String: [String]] = [:]
        for (who, stream) in streams {
            try stream.read { $0.contains { $0.event == "reload" } }
            seen[who] = stream.named.map { event in
                event.event + (event.data?["agent"]?.stringValue.map { " " + $0 } ?? event.data?["state"]?.stringValue.map { " " + $0 } ?? "")
            }
        }
        let teamA = ["status dana@example.com", "status eli@example.com"]
        let teamB = ["status noa@example.com", "status omer@example.com"]
        let calls = ["call_started noa@example.com", "call_ended noa@example.com"]
        #expect(seen["dana"] == teamA + ["reload"])
        #expect(seen["boss"] == teamA + ["ami lost", "reload"])
        #expect(seen["bea"] == teamB + ["ami lost"] + calls + ["reload"])
        #expect(seen["omer"] == teamB + calls + ["reload"])
        for admin in ["token", "local"] {
            #expect(seen[admin] == teamA + teamB + ["ami lost"] + calls + ["reload"], "\(admin)")
        }
        let status = try #require(streams[0].1.named.first?.data)
        #expect(status["from"] == "unassigned" && status["to"] == "connected" && status["cause"] == "admin" && status["actor"] == "admin:local")
        #expect(status["at"] == "2027-01-15T08:00:00.000Z")
        let metrics = try api.call("GET", "/metrics").text
        #expect(metrics.contains("ccagentd_api_event_streams 6"), "\(metrics)")
    }

    @Test func aReconnectWithLastEventIDReplaysWhatItMayStillSee() throws {
        let api = try RouterFixture()
        let boss = try api.session("boss@example.com")
        let first = try api.events(token: boss)
        try api.command("POST", "/v1/agents/dana@example.com/login", json: ["extension": "101"])
        try first.read { $0.count == 1 }
        let lastID = try #require(first.events.last?.id)
        first.connection.close()

        // Missed while away: Dana's break (Boss's), Noa's login (not his), the link lost (his).
        try api.command("PUT", "/v1/agents/dana@example.com/status", json: ["status": "break"])
        try api.command("POST", "/v1/agents/noa@example.com/login", json: ["extension": "103"])
        api.daemon.link(FakeControlPort.lost)
        let resumed = try api.events(token: boss, lastEventID: lastID)
        try resumed.read { $0.count == 2 }
        #expect(resumed.named.map(\.event) == ["status", "ami"])
        #expect(resumed.named.first?.data?["to"] == "break")
        let ids = resumed.events.compactMap { $0.id.flatMap(UInt64.init) }
        #expect(ids.count == 2 && ids == ids.sorted() && ids.allSatisfy { $0 > UInt64(lastID) ?? .max })
        // Live again after the replay.
        try api.command("POST", "/v1/agents/dana@example.com/logout")
        try resumed.read { $0.count == 3 }
        #expect(resumed.named.last?.data?["to"] == "unassigned")

        // An id the daemon no longer has (or never had) says: start over.
        for stale in ["1", "18446744073709551615", "not-a-number"] {
            let reset = try api.events(token: boss, lastEventID: stale)
            try reset.read(timeout: .milliseconds(300)) { !$0.isEmpty }
            if stale == "not-a-number" {
                #expect(reset.events.isEmpty, "an id that is no number is no id: a fresh start")
            } else {
                #expect(reset.named.map(\.event) == ["reset"], "Last-Event-ID \(stale)")
                #expect(reset.events.first?.id == nil)
                #expect(reset.named.first?.data?["reason"]?.stringValue?.contains("read the agents again") == true)
            }
        }
        #expect(String(decoding: resumed.body, as: UTF8.self).hasPrefix("retry: 2000\n\n: ccagentd events\n\n"))
    }
}
