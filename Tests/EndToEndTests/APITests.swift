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
import TestSupport

extension EndToEnd {
    /// The control API against the real daemon and amisim: every route, every permission.
    @Suite struct APITests {
        static let adminToken = "e2e-admin-token-0123456789abcdef0123456789"

        /// A daemon with the teams, an admin token file and the Unix socket.
        static func start(breakTimeout: Int = 600, api: String = "") throws -> Harness {
            let harness = try Harness()
            let tokens = harness.directory + "/api-tokens"
            try "# test tokens\nops \(adminToken)\n".write(toFile: tokens, atomically: true, encoding: .utf8)
            chmod(tokens, 0o600)
            let config = TestConfigs.daemon(
                port: harness.port, database: harness.databasePath, breakTimeout: breakTimeout, users: TestConfigs.teams(),
                api: "socket = \(harness.socketPath)\nadmin_tokens = \(tokens)\nlogin_attempts_per_login = 3\n\(api)")
            try harness.startDaemon(config: config)
            return harness
        }

        @Test func sessionsLogInAndOut() throws {
            let harness = try Self.start()
            defer { harness.shutdown() }
            let wrong = try harness.api("POST", "/v1/sessions", body: ["login": "dana@example.com", "password": "nope"])
            #expect(wrong.status == 401 && wrong.errorCode == "unauthorized")
            let unknown = try harness.api("POST", "/v1/sessions", body: ["login": "nobody@example.com", "password": "demo"])
            #expect(unknown.status == 401 && unknown.json == wrong.json, "an unknown login reads exactly like a wrong password")
            let missing = try harness.api("POST", "/v1/sessions", body: ["login": "dana@example.com"])
            #expect(missing.status == 400 && missing.errorCode == "missing_field")

            let created = try harness.api("POST", "/v1/sessions", body: ["login": "dana@example.com", "password": "demo"])
            #expect(created.status == 201)
            let token = try #require(created.json?["token"]?.stringValue)
            #expect(token.count == 64 && token.allSatisfy(\.isHexDigit))
            #expect(created.json?["user"]?["role"] == "agent" && created.json?["agent"]?["status"] == "unassigned")
            #expect(created.json?["expires_at"]?.stringValue?.hasSuffix("Z") == true)

            #expect(try harness.api("GET", "/v1/agents/dana@example.com", token: token).status == 200)
            #expect(try harness.api("GET", "/v1/agents").status == 401)
            #expect(try harness.api("GET", "/v1/agents", token: String(repeating: "0", count: 64)).status == 401)
            #expect(try harness.api("DELETE", "/v1/sessions/current", token: token).status == 204)
            #expect(try harness.api("GET", "/v1/agents", token: token).status == 401, "a session ended is gone")
            #expect(try harness.api("DELETE", "/v1/sessions/current", token: Self.adminToken).status == 400)
            let log = harness.log().map(\.entry.line).joined(separator: "\n")
            #expect(!log.contains("demo") && !log.contains(token) && !log.contains(Self.adminToken), "no secret reaches the log")
        }

        @Test func anAgentChangesItselfAndSeesOnlyItsGroup() throws {
            let harness = try Self.start()
            defer { harness.shutdown() }
            let dana = try harness.session("dana@example.com")
            let agents = try harness.api("GET", "/v1/agents", token: dana)
            let logins = agents.json?["agents"]?.arrayValue?.compactMap { $0["login"]?.stringValue }
            #expect(logins == ["dana@example.com", "eli@example.com"])

            let offer = try harness.api("GET", "/v1/agents/dana@example.com/extensions", token: dana)
            #expect(offer.json?["extensions"]?.arrayValue?.first?["kind"] == "personal")
            let login = try harness.api("POST", "/v1/agents/dana@example.com/login", body: ["extension": "101"], token: dana)
            #expect(login.status == 200 && login.json?["status"] == "connected" && login.json?["extension"] == "101")
            let queues = login.json?["queues"]?.arrayValue?.compactMap { $0["queue"]?.stringValue }
            #expect(Set(queues ?? []) == TestConfigs.allQueues)
            try harness.waitForQueues(["PJSIP/101": TestConfigs.allQueues])

            let pause = try harness.api("PUT", "/v1/agents/dana@example.com/status", body: ["status": "break"], token: dana)
            #expect(pause.status == 200 && pause.json?["status"] == "break" && pause.json?["queues"]?.arrayValue == [])
            try harness.waitForQueues(["PJSIP/101": []])

            // Eli is in Dana's group: visible, not hers to change. Noa is in another: invisible.
            #expect(try harness.api("GET", "/v1/agents/eli@example.com", token: dana).status == 200)
            let eli = try harness.api("POST", "/v1/agents/eli@example.com/login", body: ["extension": "102"], token: dana)
            #expect(eli.status == 403 && eli.errorCode == "forbidden")
            let noa = try harness.api("PUT", "/v1/agents/noa@example.com/status", body: ["status": "break"], token: dana)
            #expect(noa.status == 404 && noa.errorCode == "unknown_agent")
            let hidden = try harness.api("GET", "/v1/agents/noa@example.com", token: dana)
            let nobody = try harness.api("GET", "/v1/agents/nobody@example.com", token: dana)
            #expect(hidden.status == 404 && nobody.status == 404 && hidden.errorCode == nobody.errorCode, "another group reads as unknown")
            #expect(try harness.api("GET", "/v1/extensions", token: dana).status == 403)
            #expect(try harness.api("POST", "/v1/reload", token: dana).status == 403)

            let unknownStatus = try harness.api("PUT", "/v1/agents/dana@example.com/status", body: ["status": "nap"], token: dana)
            #expect(unknownStatus.status == 404 && unknownStatus.errorCode == "unknown_status")
            let badBody = try harness.api("PUT", "/v1/agents/dana@example.com/status", body: ["state": "break"], token: dana)
            #expect(badBody.status == 400 && badBody.errorCode == "missing_field")
            let logout = try harness.api("POST", "/v1/agents/dana@example.com/logout", token: dana)
            #expect(logout.status == 200 && logout.json?["status"] == "unassigned" && logout.json?["extension"] == .null)
            try harness.waitForQueues(["PJSIP/101": []])

            // Each command is audited with who and from where.
            let audit = try harness.auditRows()
            #expect(audit.contains { $0.actor == "dana@example.com" && $0.source == "api:127.0.0.1" && $0.action == "login" })
            #expect(audit.contains { $0.action == "login" && $0.target == "eli@example.com" && $0.outcome == "refused" })
        }

        @Test func supervisorsAndAdmins() throws {
            let harness = try Self.start()
            defer { harness.shutdown() }
            let boss = try harness.session("boss@example.com")
            let seen = try harness.api("GET", "/v1/agents", token: boss).json?["agents"]?.arrayValue?.compactMap { $0["login"]?.stringValue }
            #expect(seen == ["dana@example.com", "eli@example.com"])
            let dana = try harness.api("POST", "/v1/agents/dana@example.com/login", body: ["extension": "101"], token: boss)
            #expect(dana.status == 200)
            #expect(try harness.api("POST", "/v1/agents/eli@example.com/login", body: ["extension": "102"], token: boss).status == 403)
            #expect(try harness.api("POST", "/v1/agents/noa@example.com/login", body: ["extension": "103"], token: boss).status == 404)
            let taken = try harness.api("POST", "/v1/agents/dana@example.com/login", body: ["extension": "102"], token: boss)
            #expect(taken.status == 409 && taken.errorCode == "already_logged_in")

            // Admins: by token file, by password, and on the Unix socket without a token.
            let root = try harness.session("root@example.com")
            for token in [Self.adminToken, root] {
                let all = try harness.api("GET", "/v1/agents", token: token).json?["agents"]?.arrayValue?.count
                #expect(all == 4)
            }
            let noa = try harness.api("POST", "/v1/agents/noa@example.com/login", body: ["extension": "101"], token: Self.adminToken)
            #expect(noa.status == 409 && noa.errorCode == "extension_taken")
            let local = try harness.api("POST", "/v1/agents/noa@example.com/login", body: ["extension": "103"], overSocket: true)
            #expect(local.status == 200)
            let extensions = try harness.api("GET", "/v1/extensions", overSocket: true)
            let at103 = extensions.json?["extensions"]?.arrayValue?.first { $0["id"] == "103" }
            #expect(at103?["agent"] == "noa@example.com" && at103?["interface"] == "PJSIP/103")
            let statuses = try harness.api("GET", "/v1/statuses", token: root).json?["statuses"]?.arrayValue ?? []
            #expect(statuses.first { $0["id"] == "connected" }?["agents"] == 2)
            #expect(statuses.first { $0["id"] == "break" }?["max_agents"] == 3)
            let skills = try harness.api("GET", "/v1/skills", token: root).json?["skills"]?.arrayValue ?? []
            #expect(skills.first { $0["id"] == "support" }?["queues"] == ["support-private", "support-business"])
            let audit = try harness.auditRows()
            #expect(audit.contains { $0.actor == "admin:local" && $0.source == "api:local" && $0.target == "noa@example.com" })
            #expect(audit.contains { $0.actor == "admin:ops" && $0.outcome == "refused" })
            try harness.waitForQueues(["PJSIP/101": TestConfigs.allQueues, "PJSIP/103": TestConfigs.allQueues])
        }

        @Test func failedLoginsAreRateLimited() throws {
            let harness = try Self.start()
            defer { harness.shutdown() }
            for _ in 0..<3 {
                let wrong = try harness.api("POST", "/v1/sessions", body: ["login": "eli@example.com", "password": "guess"])
                #expect(wrong.status == 401)
            }
            let limited = try harness.api("POST", "/v1/sessions", body: ["login": "eli@example.com", "password": "demo"])
            #expect(limited.status == 429 && limited.errorCode == "too_many_attempts")
            let retry = try #require(limited.headers["Retry-After"].flatMap { Int($0) })
            #expect(retry > 0 && retry <= 300)
            // Another login from the same address still works: the per-login limit is per login.
            _ = try harness.session("dana@example.com")
            try harness.waitForLog("api.login_rate_limited", ["login": "eli@example.com"])
        }

        @Test func reloadThroughTheAPI() throws {
            let harness = try Self.start()
            defer { harness.shutdown() }
            let text = try String(contentsOfFile: harness.configPath, encoding: .utf8)
            try text.replacingOccurrences(of: "label = Lunch", with: "label = Long lunch").write(
                toFile: harness.configPath, atomically: true, encoding: .utf8)
            let applied = try harness.api("POST", "/v1/reload", token: Self.adminToken)
            #expect(applied.status == 200 && applied.json?["reloaded"] == true)
            let lunch = try harness.api("GET", "/v1/statuses", token: Self.adminToken).json?["statuses"]?.arrayValue?
                .first { $0["id"] == "lunch" }
            #expect(lunch?["label"] == "Long lunch")

            try (text + "\n[broken]\ntype = nonsense\n").write(toFile: harness.configPath, atomically: true, encoding: .utf8)
            let refused = try harness.api("POST", "/v1/reload", overSocket: true)
            #expect(refused.status == 422 && refused.errorCode == "config_invalid")
            let details = refused.json?["error"]?["details"]?.arrayValue?.compactMap(\.stringValue) ?? []
            #expect(details.contains { $0.contains("nonsense") }, "\(refused.text)")
            #expect(refused.json?["error"]?["message"] == "the configuration has 1 error; the old one stays", "\(refused.text)")

            try (text + "\n[broken]\ntype = nonsense\n[broken2]\ntype = nonsense\n").write(toFile: harness.configPath, atomically: true, encoding: .utf8)
            let twice = try harness.api("POST", "/v1/reload", overSocket: true)
            #expect(twice.json?["error"]?["message"] == "the configuration has 2 errors; the old one stays", "\(twice.text)")
        }

        @Test func healthAndMetrics() throws {
            let harness = try Self.start()
            defer { harness.shutdown() }
            let health = try harness.api("GET", "/healthz")
            #expect(health.status == 200 && health.json?["ami"] == "logged_in" && health.json?["store"] == "writable")
            _ = try harness.api("POST", "/v1/agents/dana@example.com/login", body: ["extension": "101"], overSocket: true)
            let metrics = try harness.api("GET", "/metrics")
            #expect(metrics.headers["Content-Type"]?.hasPrefix("text/plain; version=0.0.4") == true)
            for line in [
                "ccagentd_agents{status=\"connected\"} 1", "ccagentd_ami_connected 1", "ccagentd_commands_total 1",
                "ccagentd_effect_latency_seconds_bucket{le=\"+Inf\"}",
            ] {
                #expect(metrics.text.contains(line), "\(line) in\n\(metrics.text)")
            }
            #expect(metrics.text.contains("ccagentd_ami_actions_sent_total{action=\"QueueAdd\"}"))

            try harness.sim("restart 3")
            let degraded = eventually(timeout: .seconds(10)) { (try? harness.api("GET", "/healthz").status) == 503 }
            #expect(degraded, "healthz says 503 while Asterisk is away")
            #expect(eventually(timeout: .seconds(20)) { (try? harness.api("GET", "/healthz").status) == 200 })
        }
    }
}
