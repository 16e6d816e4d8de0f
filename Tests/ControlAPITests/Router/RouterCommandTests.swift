import AgentCore
import ControlPort
import HTTPWire
import SystemSupport
import Testing
import TestSupport

/// Login, logout and status through the router to the daemon's rules: the answers, the
/// refusals' codes, what the audit records, and the daemon's 503s.
@Suite(.timeLimit(.minutes(1))) struct RouterCommandTests {
    @Test func aLoginAnswersWithTheQueuesAndIsAuditedWithWhoAndWhence() throws {
        let api = try RouterFixture()
        let dana = try api.session("dana@example.com")
        let login = try api.call("POST", "/v1/agents/dana%40example.com/login", token: dana, json: ["extension": "101"])
        #expect(login.status == 200, "\(login)")
        let queues = login.json?["queues"]?.arrayValue?.compactMap { queue in
            queue["queue"]?.stringValue.flatMap { name in queue["penalty"]?.intValue.map { "\(name):\($0)" } }
        }
        #expect(queues == ["sales:0", "support-business:2", "support-private:2"], "\(login)")
        #expect(login.json?["interface"] == "PJSIP/101" && login.json?["since"] == "2027-01-15T08:00:00.000Z")
        #expect(login.json?["warnings"] == [])
        #expect(api.daemon.submissions == [.init(command: .login("dana@example.com", extension: "101"), actor: .user("dana@example.com"), source: "api:127.0.0.1")])

        #expect(try api.call("PUT", "/v1/agents/dana@example.com/status", json: ["status": "lunch"], overSocket: true).status == 200)
        let shown = try api.call("GET", "/v1/agents/dana@example.com", token: dana)
        #expect(shown.json?["status"] == "lunch" && shown.json?["status_label"] == "Lunch" && shown.json?["queues"] == [], "\(shown)")
        #expect(shown.json?["warnings"] == nil, "warnings only on a command's answer")
        #expect(api.daemon.auditLines.map(\.actor) == ["dana@example.com", "admin:local"])
        #expect(api.daemon.auditLines.map(\.source) == ["api:127.0.0.1", "api:local"])
        #expect(api.daemon.auditLines.map(\.detail) == ["extension 101", "status lunch"])
    }

    @Test func aStatusOverAWarnLimitSucceedsWithAWarning() throws {
        let api = try RouterFixture()
        for (agent, ext) in [("dana@example.com", "101"), ("eli@example.com", "102")] {
            try api.command("POST", "/v1/agents/\(agent)/login", json: ["extension": .string(ext)])
        }
        try api.command("PUT", "/v1/agents/dana@example.com/status", json: ["status": "paperwork"])
        let eli = try api.call("PUT", "/v1/agents/eli@example.com/status", json: ["status": "paperwork"], overSocket: true)
        #expect(eli.status == 200 && eli.json?["status"] == "paperwork", "\(eli)")
        #expect(eli.json?["warnings"] == ["status paperwork is over its limit: 2 agents, limit 1"], "\(eli)")
        let line = try #require(api.daemon.auditLines.last)
        #expect(line.outcome == "ok" && line.detail == "status paperwork; status paperwork is over its limit: 2 agents, limit 1", "\(line)")
    }

    /// Each refusal of the rules with its status and code; the message says what was wrong.
    @Test func theRulesRefusalsKeepTheirCodes() throws {
        let api = try RouterFixture()
        try api.command("POST", "/v1/agents/dana@example.com/login", json: ["extension": "101"])
        let cases: [(String, String, JSONValue, Int, String, String)] = [
            ("PUT", "eli@example.com/status", ["status": "break"], 409, "not_logged_in", "eli@example.com"),
            ("POST", "eli@example.com/logout", [:], 409, "not_logged_in", "eli@example.com"),
            ("PUT", "dana@example.com/status", ["status": "nap"], 404, "unknown_status", "nap"),
            ("POST", "eli@example.com/login", ["extension": "999"], 404, "unknown_extension", "999"),
            ("POST", "dana@example.com/login", ["extension": "102"], 409, "already_logged_in", "101"),
            ("POST", "eli@example.com/login", ["extension": "101"], 409, "extension_taken", "dana@example.com"),
            ("PUT", "dana@example.com/status", ["status": "unassigned"], 409, "status_not_settable", "unassigned"),
            ("POST", "nobody@example.com/login", ["extension": "102"], 404, "unknown_agent", "nobody@example.com"),
            ("GET", "boss@example.com", .null, 404, "unknown_agent", "boss@example.com"),
        ]
        for (method, path, body, status, code, named) in cases {
            let answer = try api.call(method, "/v1/agents/" + path, json: body == .null ? nil : body, overSocket: true)
            #expect(answer.status == status && answer.errorCode == code, "\(method) \(path): \(answer)")
            #expect(answer.errorMessage?.contains(named) == true, "\(method) \(path): \(answer)")
        }
        // Three on a break (max_agents = 3, over_limit = deny): the fourth is refused.
        for (agent, ext) in [("eli@example.com", "102"), ("noa@example.com", "103"), ("omer@example.com", "104")] {
            try api.command("POST", "/v1/agents/\(agent)/login", json: ["extension": .string(ext)])
        }
        for agent in ["dana", "eli", "noa"] {
            try api.command("PUT", "/v1/agents/\(agent)@example.com/status", json: ["status": "break"])
        }
        let fourth = try api.call("PUT", "/v1/agents/omer@example.com/status", json: ["status": "break"], overSocket: true)
        #expect(fourth.status == 409 && fourth.errorCode == "limit_reached", "\(fourth)")
    }

    /// An extension held by someone the caller may not see is "taken", never by whom.
    @Test func anotherGroupsHolderIsNeverNamed() throws {
        let api = try RouterFixture()
        try api.command("POST", "/v1/agents/noa@example.com/login", json: ["extension": "103"])
        let dana = try api.session("dana@example.com")
        let taken = try api.call("POST", "/v1/agents/dana@example.com/login", token: dana, json: ["extension": "103"])
        #expect(taken.status == 409 && taken.errorCode == "extension_taken" && taken.errorMessage == "extension 103 is taken", "\(taken)")
        #expect(!taken.text.contains("noa"))
        let offer = try api.call("GET", "/v1/agents/dana@example.com/extensions", token: dana).json?["extensions"]?.arrayValue
        let at103 = offer?.first { $0["id"] == "103" }
        #expect(at103?["taken"] == true && at103?["taken_by"] == .null, "\(String(describing: at103))")
        // An admin is told who.
        let admin = try api.call("GET", "/v1/agents/dana@example.com/extensions", overSocket: true).json?["extensions"]?.arrayValue
        #expect(admin?.first { $0["id"] == "103" }?["taken_by"] == "noa@example.com")
        let adminTaken = try api.call("POST", "/v1/agents/dana@example.com/login", token: RouterFixture.adminToken, json: ["extension": "103"])
        #expect(adminTaken.errorMessage?.contains("noa@example.com") == true, "\(adminTaken)")
        let line = try #require(api.daemon.auditLines.last)
        #expect(line.actor == "admin:ops" && line.outcome == "refused" && line.detail?.hasPrefix("extension 103; ") == true, "\(line)")
    }

    @Test func aStoreThatCannotCommitIsA503AndNothingChanges() throws {
        let api = try RouterFixture()
        try api.command("POST", "/v1/agents/dana@example.com/login", json: ["extension": "101"])
        api.daemon.failStore("disk I/O error")
        let refused = try api.call("PUT", "/v1/agents/dana@example.com/status", json: ["status": "break"], overSocket: true)
        #expect(refused.status == 503 && refused.errorCode == "store_unavailable" && refused.headers["Retry-After"] == "5", "\(refused)")
        #expect(refused.errorMessage?.contains("disk I/O error") == true)
        #expect(try api.call("GET", "/v1/agents/dana@example.com", overSocket: true).json?["status"] == "connected")
        let health = try api.call("GET", "/healthz")
        #expect(health.status == 503 && health.json?["store"] == "failing" && health.json?["status"] == "degraded")
        // An unlock's audit line cannot be committed either: nothing is cleared.
        let unlock = try api.call("DELETE", "/v1/logins/eli@example.com/lock", overSocket: true)
        #expect(unlock.status == 503 && unlock.errorCode == "store_unavailable", "\(unlock)")
        let reload = try api.call("POST", "/v1/reload", overSocket: true)
        #expect(reload.status == 503 && reload.errorCode == "store_unavailable", "\(reload)")

        api.daemon.failStore(nil)
        #expect(try api.call("PUT", "/v1/agents/dana@example.com/status", json: ["status": "break"], overSocket: true).status == 200)
        #expect(try api.call("GET", "/healthz").status == 200)
    }

    @Test func aStoppingDaemonRefusesCommandsWith503() throws {
        let api = try RouterFixture()
        api.daemon.stop()
        let answer = try api.call("POST", "/v1/agents/dana@example.com/login", json: ["extension": "101"], overSocket: true)
        #expect(answer.status == 503 && answer.errorCode == "stopping" && answer.errorMessage == "the daemon is stopping", "\(answer)")
        #expect(try api.call("GET", "/v1/agents/dana@example.com", overSocket: true).json?["status"] == "unassigned")
    }

    @Test func aTrustedProxysClientIsTheSourceAndAnyoneElsesHeaderIsIgnored() throws {
        let forwarded = [("X-Forwarded-For", "10.9.9.9, 203.0.113.7")]
        let trusting = try RouterFixture { $0.trustedProxies = [try IPNetwork.parse("127.0.0.1").get()] }
        #expect(try trusting.call("POST", "/v1/agents/dana@example.com/login", token: RouterFixture.adminToken, json: ["extension": "101"], headers: forwarded).status == 200)
        #expect(trusting.daemon.auditLines.last?.source == "api:203.0.113.7 via 127.0.0.1")

        let other = try RouterFixture { $0.trustedProxies = [try IPNetwork.parse("10.0.0.0/8").get()] }
        #expect(try other.call("POST", "/v1/agents/dana@example.com/login", token: RouterFixture.adminToken, json: ["extension": "101"], headers: forwarded).status == 200)
        #expect(other.daemon.auditLines.last?.source == "api:127.0.0.1")
        _ = try other.call("POST", "/v1/sessions", json: ["login": "eli@example.com", "password": "nope"], headers: forwarded)
        #expect(other.logs.records(named: "api.login_failed").first?["source"] == "api:127.0.0.1", "the limits count the peer")
    }
}
