import AgentCore
import ControlPort
import HTTPWire
import Testing
import TestSupport

/// The routes that read: statuses, skills, extensions, reports, health and metrics, each scoped
/// to what the caller may see; and reload's three answers.
@Suite(.timeLimit(.minutes(1))) struct RouterReadRouteTests {
    @Test func statusCountsCoverOnlyWhomTheCallerMaySee() throws {
        let api = try RouterFixture()
        for (agent, ext) in [("dana@example.com", "101"), ("noa@example.com", "103"), ("omer@example.com", "104")] {
            try api.command("POST", "/v1/agents/\(agent)/login", json: ["extension": .string(ext)])
        }
        try api.command("PUT", "/v1/agents/noa@example.com/status", json: ["status": "break"])
        func counts(_ token: String?) throws -> [String: Int] {
            let statuses = try api.call("GET", "/v1/statuses", token: token, overSocket: token == nil).json?["statuses"]?.arrayValue ?? []
            return Dictionary(uniqueKeysWithValues: statuses.compactMap { status in
                status["id"]?.stringValue.flatMap { id in status["agents"]?.intValue.map { (id, $0) } }
            })
        }
        let dana = try counts(try api.session("dana@example.com"))
        #expect(dana["connected"] == 1 && dana["break"] == 0, "Noa's break is team-b's business: \(dana)")
        let bea = try counts(try api.session("bea@example.com"))
        #expect(bea["connected"] == 1 && bea["break"] == 1, "\(bea)")
        let admin = try counts(nil)
        #expect(admin["connected"] == 2 && admin["break"] == 1, "\(admin)")
        let breakStatus = try api.call("GET", "/v1/statuses", overSocket: true).json?["statuses"]?.arrayValue?.first { $0["id"] == "break" }
        #expect(breakStatus?["max_agents"] == 3 && breakStatus?["timeout"] == 600 && breakStatus?["timeout_goto"] == "connected")
        #expect(breakStatus?["over_limit"] == "deny" && breakStatus?["built_in"] == false && breakStatus?["label"] == "Break")
    }

    @Test func skillsAndTheAdminsExtensionList() throws {
        let api = try RouterFixture()
        try api.command("POST", "/v1/agents/noa@example.com/login", json: ["extension": "103"])
        let skills = try api.call("GET", "/v1/skills", token: try api.session("eli@example.com")).json?["skills"]?.arrayValue ?? []
        #expect(skills.first { $0["id"] == "support" }?["queues"] == ["support-private", "support-business"])
        let extensions = try api.call("GET", "/v1/extensions", token: RouterFixture.adminToken).json?["extensions"]?.arrayValue ?? []
        #expect(extensions.compactMap { $0["id"]?.stringValue } == ["101", "102", "103", "104", "105"])
        let at103 = extensions.first { $0["id"] == "103" }
        #expect(at103?["agent"] == "noa@example.com" && at103?["interface"] == "PJSIP/103" && at103?["virtual"] == false)
        let refused = try api.call("GET", "/v1/extensions", token: try api.session("boss@example.com"))
        #expect(refused.status == 403 && refused.errorMessage == "only admins may list every extension")
    }

    @Test func theDayReportAsksTheDaemonForWhomTheCallerMaySee() throws {
        let api = try RouterFixture()
        api.daemon.answerReports(with: [
            AgentDay(agent: "dana@example.com", milliseconds: ["connected": 61_400, "break": 125_600], incoming: 2, outgoing: 1),
            AgentDay(agent: "noa@example.com", milliseconds: ["connected": 1000], incoming: 0, outgoing: 0),
        ])
        let dana = try api.session("dana@example.com")
        let report = try api.call("GET", "/v1/reports/time-in-status?tz=Asia/Jerusalem&day=2027-01-15", token: dana)
        #expect(report.status == 200, "\(report)")
        #expect(report.json?["day"] == "2027-01-15" && report.json?["time_zone"] == "Asia/Jerusalem")
        #expect(report.json?["from"] == "2027-01-14T22:00:00.000Z" && report.json?["to"] == "2027-01-15T22:00:00.000Z", "\(report)")
        let agents = report.json?["agents"]?.arrayValue ?? []
        #expect(agents.compactMap { $0["login"]?.stringValue } == ["dana@example.com"], "Noa is another group's")
        let statuses = agents.first?["statuses"]?.arrayValue?.map { "\($0["status"]?.stringValue ?? "") \($0["label"]?.stringValue ?? "") \($0["seconds"]?.intValue ?? -1)" }
        #expect(statuses == ["break Break 126", "connected Connected 61"], "most time first, rounded: \(report)")
        #expect(agents.first?["calls"] == ["incoming": 2, "outgoing": 1])
        let asked = try #require(api.daemon.reportRequests.last)
        #expect(asked.agents == ["dana@example.com", "eli@example.com"])
        #expect(asked.day.lowerBound == Timestamp(seconds: 1_800_000_000 - 10 * 3600))

        #expect(try api.call("GET", "/v1/reports/time-in-status", overSocket: true).json?["agents"]?.arrayValue?.count == 2)
        #expect(api.daemon.reportRequests.last?.agents.count == 4, "an admin's report covers every agent")
        let hidden = try api.call("GET", "/v1/reports/time-in-status?agent=noa@example.com", token: dana)
        #expect(hidden.status == 404 && hidden.errorCode == "unknown_agent")
        for query in ["day=2026-02-30", "day=yesterday", "tz=Mars/Olympus", "tz=" + String(repeating: "A", count: 80)] {
            let bad = try api.call("GET", "/v1/reports/time-in-status?" + query, token: dana)
            #expect(bad.status == 400 && bad.errorCode == "invalid_field", "\(query): \(bad)")
            #expect(bad.errorMessage?.hasPrefix(query.hasPrefix("day") ? "day must be a date written YYYY-MM-DD" : "tz must be a time zone name") == true)
        }
        api.daemon.failReports("database is locked")
        let failed = try api.call("GET", "/v1/reports/time-in-status", token: dana)
        #expect(failed.status == 503 && failed.errorCode == "store_unavailable" && failed.errorMessage?.contains("database is locked") == true)
    }

    @Test func healthSaysWhatIsWrongWithoutAToken() throws {
        let api = try RouterFixture()
        let healthy = try api.call("GET", "/healthz")
        #expect(healthy.status == 200 && healthy.json == ["status": "ok", "ami": "logged_in", "store": "writable"], "\(healthy)")
        api.daemon.link(FakeControlPort.lost)
        let away = try api.call("GET", "/healthz")
        #expect(away.status == 503 && away.json == ["status": "degraded", "ami": "lost", "store": "writable"], "\(away)")
        api.daemon.failStore("disk full")
        #expect(try api.call("GET", "/healthz").json?["store"] == "failing")
        api.daemon.link(FakeControlPort.loggedIn)
        api.daemon.failStore(nil)
        #expect(try api.call("GET", "/healthz").status == 200)
    }

    @Test func metricsCountWhatTheDaemonDid() throws {
        let api = try RouterFixture()
        try api.command("POST", "/v1/agents/dana@example.com/login", json: ["extension": "101"])
        _ = try api.call("POST", "/v1/agents/dana@example.com/login", json: ["extension": "101"], overSocket: true)
        api.daemon.link(FakeControlPort.lost)
        let metrics = try api.call("GET", "/metrics")
        #expect(metrics.status == 200 && metrics.headers["Content-Type"]?.hasPrefix("text/plain; version=0.0.4") == true)
        for line in [
            "ccagentd_agents{status=\"connected\"} 1", "ccagentd_agents{status=\"unassigned\"} 3", "ccagentd_ami_connected 0",
            "ccagentd_ami_state{state=\"lost\"} 1", "ccagentd_ami_state{state=\"logged_in\"} 0", "ccagentd_commands_total 2",
            "ccagentd_commands_refused_total 1", "ccagentd_store_writable 1", "ccagentd_effect_latency_seconds_bucket{le=\"+Inf\"} 0",
        ] {
            #expect(metrics.text.contains(line + "\n"), "\(line) in\n\(metrics.text)")
        }
    }

    @Test func aReloadIsAppliedOrRefusedWithEveryError() throws {
        let api = try RouterFixture()
        api.daemon.rewrite(RouterFixture.teams.setting("label", to: "Long lunch", in: "lunch").text)
        let applied = try api.call("POST", "/v1/reload", token: RouterFixture.adminToken)
        #expect(applied.status == 200 && applied.json == ["reloaded": true, "notes": []], "\(applied)")
        let lunch = try api.call("GET", "/v1/statuses", overSocket: true).json?["statuses"]?.arrayValue?.first { $0["id"] == "lunch" }
        #expect(lunch?["label"] == "Long lunch")
        #expect(api.logs.records(named: "api.reload_requested").first?["actor"] == "admin:ops")

        for (broken, message) in [
            (RouterFixture.teams.section("broken", ["type": "nonsense"]), "the configuration has 1 error; the old one stays"),
            (RouterFixture.teams.section("broken", ["type": "nonsense"]).section("broken2", ["type": "nonsense"]),
             "the configuration has 2 errors; the old one stays"),
        ] {
            api.daemon.rewrite(broken.text)
            let refused = try api.call("POST", "/v1/reload", overSocket: true)
            #expect(refused.status == 422 && refused.errorCode == "config_invalid" && refused.errorMessage == message, "\(refused)")
            let details = refused.json?["error"]?["details"]?.arrayValue?.compactMap(\.stringValue) ?? []
            #expect(!details.isEmpty && details.allSatisfy { $0.contains("nonsense") }, "\(refused)")
        }
        #expect(api.daemon.reloads == 3)
        let still = try api.call("GET", "/v1/statuses", overSocket: true).json?["statuses"]?.arrayValue?.first { $0["id"] == "lunch" }
        #expect(still?["label"] == "Long lunch", "the old configuration stays")
    }
}
