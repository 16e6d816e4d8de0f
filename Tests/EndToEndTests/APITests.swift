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

        /// The wiring: an agent's commands over HTTP reach Asterisk and the store's audit. What the
        /// router answers whom is ControlAPITests' (in-process, against a fake of the daemon).
        @Test func anAgentsCommandsReachAsteriskAndTheAudit() throws {
            let harness = try Self.start()
            defer { harness.shutdown() }
            let dana = try harness.session("dana@example.com")
            let login = try harness.api("POST", "/v1/agents/dana@example.com/login", body: ["extension": "101"], token: dana)
            #expect(login.status == 200 && login.json?["status"] == "connected" && login.json?["extension"] == "101")
            let queues = login.json?["queues"]?.arrayValue?.compactMap { $0["queue"]?.stringValue }
            #expect(Set(queues ?? []) == TestConfigs.allQueues)
            try harness.waitForQueues(["PJSIP/101": TestConfigs.allQueues])

            let pause = try harness.api("PUT", "/v1/agents/dana@example.com/status", body: ["status": "break"], token: dana)
            #expect(pause.status == 200 && pause.json?["status"] == "break" && pause.json?["queues"]?.arrayValue == [])
            try harness.waitForQueues(["PJSIP/101": []])
            let eli = try harness.api("POST", "/v1/agents/eli@example.com/login", body: ["extension": "102"], token: dana)
            #expect(eli.status == 403 && eli.errorCode == "forbidden")
            let logout = try harness.api("POST", "/v1/agents/dana@example.com/logout", token: dana)
            #expect(logout.status == 200 && logout.json?["status"] == "unassigned" && logout.json?["extension"] == .null)
            try harness.waitForQueues(["PJSIP/101": []])

            // Each command is audited with who and from where, refusals too.
            let audit = try harness.auditRows()
            #expect(audit.contains { $0.actor == "dana@example.com" && $0.source == "api:127.0.0.1" && $0.action == "login" })
            #expect(audit.contains { $0.action == "login" && $0.target == "eli@example.com" && $0.outcome == "refused" })
            let log = harness.log().map(\.entry.line).joined(separator: "\n")
            #expect(!log.contains("demo") && !log.contains(dana) && !log.contains(Self.adminToken), "no secret reaches the log")
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
