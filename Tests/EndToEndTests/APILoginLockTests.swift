import ControlPort
import ControlAPI
@testable import Crypt
@testable import HTTPServing
@testable import HTTPWire
import Foundation
import Testing

extension EndToEnd {
    /// `[api] trusted_proxies` and an admin's unlock of a login.
    @Suite struct APILoginLockTests {
        static let forwarded = [(name: "X-Forwarded-For", value: "10.9.9.9, 203.0.113.7")]

        /// A daemon trusting `proxies`; Dana logged in by an admin with `forwarded`. The source the
        /// audit gives that login.
        static func forwardedLogin(trusting proxies: String) throws -> (harness: Harness, source: String?) {
            let harness = try APITests.start(api: "trusted_proxies = \(proxies)\n")
            let login = try harness.api(
                "POST", "/v1/agents/dana@example.com/login", body: ["extension": "101"], token: APITests.adminToken, headers: forwarded)
            #expect(login.status == 200)
            return (harness, try harness.auditRows().first { $0.action == "login" }?.source)
        }

        @Test func aForwardedClientIsBelievedFromATrustedProxyAndCountedAsItself() throws {
            let (harness, source) = try Self.forwardedLogin(trusting: "127.0.0.1")
            defer { harness.shutdown() }
            #expect(source == "api:203.0.113.7 via 127.0.0.1")
            // The login limits count the client the proxy names, not the proxy.
            for attempt in 1...21 {
                let wrong = try harness.api(
                    "POST", "/v1/sessions", body: ["login": .string("guess\(attempt)@example.com"), "password": "nope"], headers: Self.forwarded)
                #expect(wrong.status == 401)
            }
            try harness.waitForLog("api.login_failed", ["login": "guess21@example.com", "source": "api:203.0.113.7 via 127.0.0.1", "delay_ms": "1000"])
            let other = [(name: "X-Forwarded-For", value: "198.51.100.1")]
            _ = try harness.api("POST", "/v1/sessions", body: ["login": "guess22@example.com", "password": "nope"], headers: other)
            let line = try harness.waitForLog("api.login_failed", ["login": "guess22@example.com", "source": "api:198.51.100.1 via 127.0.0.1"])
            #expect(line.entry["delay_ms"] == nil)
        }

        @Test func theHeaderOfAPeerThatIsNotATrustedProxyIsIgnored() throws {
            let (harness, source) = try Self.forwardedLogin(trusting: "10.0.0.0/8")
            defer { harness.shutdown() }
            #expect(source == "api:127.0.0.1")
            _ = try harness.api("POST", "/v1/sessions", body: ["login": "eli@example.com", "password": "nope"], headers: Self.forwarded)
            try harness.waitForLog("api.login_failed", ["login": "eli@example.com", "source": "api:127.0.0.1"])
        }

        @Test func anAdminUnlocksALockedLoginAndOnlyAnAdmin() throws {
            let harness = try APITests.start()  // login_attempts_per_login = 3
            defer { harness.shutdown() }
            let (boss, dana) = (try harness.session("boss@example.com"), try harness.session("dana@example.com"))
            for _ in 0..<3 { _ = try harness.api("POST", "/v1/sessions", body: ["login": "eli@example.com", "password": "guess"]) }
            #expect(try harness.api("POST", "/v1/sessions", body: ["login": "eli@example.com", "password": "demo"]).status == 429)

            for token in [boss, dana] {
                let refused = try harness.api("DELETE", "/v1/logins/eli@example.com/lock", token: token)
                #expect(refused.status == 403 && refused.errorCode == "forbidden")
            }
            #expect(try harness.api("POST", "/v1/sessions", body: ["login": "eli@example.com", "password": "demo"]).status == 429)

            let unlocked = try harness.api("DELETE", "/v1/logins/eli%40example.com/lock", token: APITests.adminToken)
            #expect(unlocked.status == 200)
            #expect(unlocked.json?["login"] == "eli@example.com" && unlocked.json?["was_locked"] == true)
            #expect(try harness.api("POST", "/v1/sessions", body: ["login": "eli@example.com", "password": "demo"]).status == 201)
            let again = try harness.api("DELETE", "/v1/logins/eli@example.com/lock", overSocket: true)
            #expect(again.status == 200 && again.json?["was_locked"] == false)
            #expect(try harness.api("GET", "/v1/logins/eli@example.com/lock", overSocket: true).status == 405)

            let audit = try harness.auditRows().filter { $0.action == "unlock" }
            #expect(audit.map(\.actor) == ["boss@example.com", "dana@example.com", "admin:ops", "admin:local"])
            #expect(audit.map(\.outcome) == ["refused", "refused", "ok", "ok"])
            #expect(audit.allSatisfy { $0.target == "eli@example.com" })
            #expect(audit[2].detail?.hasPrefix("it was locked for ") == true && audit[3].detail == "it was not locked", "\(audit)")
            try harness.waitForLog("api.login_unlocked", ["login": "eli@example.com", "actor": "admin:ops"])
        }

        @Test func ccagentctlUnlocksALogin() throws {
            let harness = try APITests.start()
            defer { harness.shutdown() }
            for _ in 0..<3 { _ = try harness.api("POST", "/v1/sessions", body: ["login": "eli@example.com", "password": "guess"]) }
            #expect(try harness.api("POST", "/v1/sessions", body: ["login": "eli@example.com", "password": "demo"]).status == 429)
            let unlocked = try CtlTests.ctl(["--socket", harness.socketPath, "unlock", "eli@example.com"])
            #expect(unlocked.status == 0 && unlocked.out == "eli@example.com: unlocked", "\(unlocked)")
            #expect(try harness.api("POST", "/v1/sessions", body: ["login": "eli@example.com", "password": "demo"]).status == 201)
            let port = try harness.apiPort()
            let dana = try harness.session("dana@example.com")
            let refused = try CtlTests.ctl(["--url", "http://127.0.0.1:\(port)", "--token", dana, "unlock", "eli@example.com"])
            #expect(refused.status == 77 && refused.err == "Error: only admins may unlock a login", "\(refused)")
        }
    }
}
