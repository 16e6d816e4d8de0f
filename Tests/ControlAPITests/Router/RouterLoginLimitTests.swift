import HTTPWire
import SystemSupport
import Testing
import TestSupport

/// Failed passwords: a login is locked after its allowance (until its window passes or an admin
/// unlocks it); an address is slowed, never locked.
@Suite(.timeLimit(.minutes(1))) struct RouterLoginLimitTests {
    static func guess(_ api: RouterFixture, _ login: String, password: String = "guess", headers: [(String, String)] = []) throws -> RouterAnswer {
        try api.call("POST", "/v1/sessions", json: ["login": .string(login), "password": .string(password)], headers: headers)
    }

    @Test func aLoginIsLockedAfterItsAllowanceAndOnlyThatLogin() throws {
        let api = try RouterFixture()  // login_attempts_per_login = 3
        for _ in 0..<3 { #expect(try Self.guess(api, "eli@example.com").status == 401) }
        let locked = try Self.guess(api, "Eli@Example.com", password: "demo")
        #expect(locked.status == 429 && locked.errorCode == "too_many_attempts", "the right password too, whatever its case: \(locked)")
        let retry = try #require(locked.headers["Retry-After"].flatMap { Int($0) })
        #expect((299...300).contains(retry) && locked.errorMessage == "too many failed logins; try again in \(retry) s")
        #expect(try Self.guess(api, "dana@example.com", password: "demo").status == 201, "another login is not locked")
        #expect(api.logs.records(named: "api.login_rate_limited").first?["login"] == "Eli@Example.com")
    }

    @Test func aLockEndsWhenItsWindowPasses() throws {
        let api = try RouterFixture { $0.loginWindow = .milliseconds(400) }
        for _ in 0..<3 { _ = try Self.guess(api, "eli@example.com") }
        #expect(try Self.guess(api, "eli@example.com", password: "demo").status == 429)
        sleep(for: .milliseconds(500))
        #expect(try Self.guess(api, "eli@example.com", password: "demo").status == 201)
    }

    @Test func anAdminUnlocksALoginAndOnlyAnAdmin() throws {
        let api = try RouterFixture()
        let (boss, dana) = (try api.session("boss@example.com"), try api.session("dana@example.com"))
        for _ in 0..<3 { _ = try Self.guess(api, "eli@example.com") }
        for token in [boss, dana] {
            let refused = try api.call("DELETE", "/v1/logins/eli@example.com/lock", token: token)
            #expect(refused.status == 403 && refused.errorMessage == "only admins may unlock a login", "\(refused)")
        }
        #expect(try Self.guess(api, "eli@example.com", password: "demo").status == 429)

        let unlocked = try api.call("DELETE", "/v1/logins/eli%40example.com/lock", token: RouterFixture.adminToken)
        #expect(unlocked.status == 200 && unlocked.json == ["login": "eli@example.com", "was_locked": true], "\(unlocked)")
        #expect(try Self.guess(api, "eli@example.com", password: "demo").status == 201)
        let again = try api.call("DELETE", "/v1/logins/eli@example.com/lock", overSocket: true)
        #expect(again.status == 200 && again.json?["was_locked"] == false)
        let wrongMethod = try api.call("GET", "/v1/logins/eli@example.com/lock", overSocket: true)
        #expect(wrongMethod.status == 405 && wrongMethod.headers["Allow"] == "DELETE")

        let audit = api.daemon.auditLines.filter { $0.action == "unlock" }
        #expect(audit.map(\.actor) == ["boss@example.com", "dana@example.com", "admin:ops", "admin:local"])
        #expect(audit.map(\.outcome) == ["refused", "refused", "ok", "ok"])
        #expect(audit.allSatisfy { $0.target == "eli@example.com" })
        #expect(audit[2].detail?.hasPrefix("it was locked for ") == true && audit[3].detail == "it was not locked", "\(audit)")
        #expect(audit[0].detail == "only admins may unlock a login" && audit[3].source == "api:local")
        let logged = api.logs.records(named: "api.login_unlocked")
        #expect(logged.map { $0["actor"] } == ["admin:ops", "admin:local"] && logged.first?["was_locked"] == "true")
    }

    /// Everyone behind one address shares it: its failures beyond the allowance are answered
    /// later and later, and nobody's right password is refused for them.
    @Test func anAddressIsSlowedNeverLocked() throws {
        let api = try RouterFixture { $0.loginAttemptsPerAddress = 2 }
        var times: [Duration] = []
        for attempt in 1...3 {
            let started = ContinuousClock.now
            #expect(try Self.guess(api, "guess\(attempt)@example.com").status == 401)
            times.append(ContinuousClock.now - started)
        }
        #expect(times[0] < .milliseconds(900) && times[2] >= .seconds(1), "\(times)")
        let started = ContinuousClock.now
        #expect(try Self.guess(api, "dana@example.com", password: "demo").status == 201)
        #expect(ContinuousClock.now - started < .milliseconds(900), "a right password is not held back")
        let failures = api.logs.records(named: "api.login_failed")
        #expect(failures.map { $0["delay_ms"] } == [nil, nil, "1000"])
    }

    /// Behind a trusted proxy the limits count the client it names, not the proxy.
    @Test func aForwardedClientIsCountedAsItself() throws {
        let api = try RouterFixture { settings in
            settings.loginAttemptsPerAddress = 2
            settings.trustedProxies = [try IPNetwork.parse("127.0.0.1").get()]
        }
        for attempt in 1...3 {
            _ = try Self.guess(api, "guess\(attempt)@example.com", headers: [("X-Forwarded-For", "10.9.9.9, 203.0.113.7")])
        }
        _ = try Self.guess(api, "other@example.com", headers: [("X-Forwarded-For", "198.51.100.1")])
        let failures = api.logs.records(named: "api.login_failed")
        #expect(failures.map { $0["source"] } == Array(repeating: "api:203.0.113.7 via 127.0.0.1", count: 3) + ["api:198.51.100.1 via 127.0.0.1"])
        #expect(failures.map { $0["delay_ms"] } == [nil, nil, "1000", nil], "another client behind the proxy is not slowed")
    }
}
