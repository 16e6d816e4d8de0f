import AgentCore
import Config
import HTTPWire
import Testing
import TestSupport

/// `POST /v1/sessions` and `DELETE /v1/sessions/current`: what a session is, how long it lasts,
/// and when a reload or the periodic check ends it.
@Suite(.timeLimit(.minutes(1))) struct RouterSessionTests {
    @Test func aPasswordMakesASessionThatLastsUntilItsLogout() throws {
        let api = try RouterFixture()
        let created = try api.call("POST", "/v1/sessions", json: ["login": "dana@example.com", "password": "demo"])
        #expect(created.status == 201, "\(created)")
        let token = try #require(created.json?["token"]?.stringValue)
        #expect(token.count == 64 && token.allSatisfy { $0.isHexDigit && !$0.isUppercase })
        // The daemon's clock, not the machine's: 1_800_000_000 s + the default 8 h.
        #expect(created.json?["expires_at"] == "2027-01-15T16:00:00.000Z", "\(created)")
        #expect(created.json?["user"]?["role"] == "agent" && created.json?["user"]?["group"] == "team-a")
        #expect(created.json?["agent"]?["login"] == "dana@example.com" && created.json?["agent"]?["status"] == "unassigned")
        let root = try api.call("POST", "/v1/sessions", json: ["login": "root@example.com", "password": "demo"])
        #expect(root.status == 201 && root.json?["agent"] == .null && root.json?["user"]?["group"] == .null, "\(root)")

        #expect(try api.call("GET", "/v1/agents/dana@example.com", token: token).status == 200)
        #expect(try api.call("DELETE", "/v1/sessions/current", token: token).status == 204)
        let gone = try api.call("GET", "/v1/agents", token: token)
        #expect(gone.status == 401 && gone.errorCode == "unauthorized" && gone.headers["WWW-Authenticate"] == "Bearer realm=\"ccagentd\"")
        #expect(try api.call("DELETE", "/v1/sessions/current", token: token).status == 401, "a session ends once")
        let log = api.logs.records.map { "\($0.event) \($0.fields.map { "\($0.0)=\($0.1)" })" }.joined(separator: "\n")
        #expect(!log.contains(token) && !log.contains("demo"), "no secret reaches the log")
        #expect(api.logs.records(named: "api.session_created").compactMap { $0["user"] } == ["dana@example.com", "root@example.com"])
        #expect(api.logs.records(named: "api.session_ended").first?["source"] == "api:127.0.0.1")
    }

    @Test func aWrongPasswordAndAnUnknownLoginReadTheSame() throws {
        let api = try RouterFixture()
        let wrong = try api.call("POST", "/v1/sessions", json: ["login": "dana@example.com", "password": "nope"])
        let unknown = try api.call("POST", "/v1/sessions", json: ["login": "nobody@example.com", "password": "demo"])
        #expect(wrong.status == 401 && wrong.errorCode == "unauthorized" && wrong.errorMessage == "wrong login or password")
        #expect(unknown.status == wrong.status && unknown.text == wrong.text)
        #expect(api.logs.records(named: "api.login_failed").compactMap { $0["login"] } == ["dana@example.com", "nobody@example.com"])
    }

    @Test(arguments: [
        (#"{"login": "dana@example.com"}"#, 400, "missing_field", #"the body needs "password""#),
        (#"{"password": "demo"}"#, 400, "missing_field", #"the body needs "login""#),
        (#"{"login": 7, "password": "demo"}"#, 400, "invalid_field", #""login" must be a string"#),
        (#"{"login": "", "password": "demo"}"#, 400, "invalid_field", #""login" must be 1 to 1024 bytes long"#),
        (#"["dana@example.com", "demo"]"#, 400, "invalid_json", "the body must be a JSON object"),
        (#"{"login": "dana@example.com", "password": "demo""#, 400, "invalid_json", "the body is not valid JSON: "),
        ("", 400, "missing_field", #"the body needs "login""#),
    ])
    func aBadSessionBodyIsNamed(body: String, status: Int, code: String, message: String) throws {
        let api = try RouterFixture()
        let answer = try api.call(RouterRequest("POST", "/v1/sessions", raw: body))
        #expect(answer.status == status && answer.errorCode == code, "\(answer)")
        #expect(answer.errorMessage?.hasPrefix(message) == true, "\(answer)")
    }

    @Test func aSessionEndsAfterItsTTLUnusedAndLivesOnWhileUsed() throws {
        let api = try RouterFixture { $0.sessionTTL = .milliseconds(400) }
        let used = try api.session("dana@example.com")
        let idle = try api.session("eli@example.com")
        // Used every 100 ms for longer than the TTL: it slides.
        for _ in 0..<6 {
            sleep(for: .milliseconds(100))
            #expect(try api.call("GET", "/v1/agents", token: used).status == 200)
        }
        #expect(try api.call("GET", "/v1/agents", token: idle).status == 401, "idle past its TTL")
        sleep(for: .milliseconds(500))
        #expect(try api.call("GET", "/v1/agents", token: used).status == 401)
        // The minute's purge forgets them without trouble.
        api.daemon.fire(every: .seconds(60))
        #expect(try api.call("GET", "/healthz").status == 200)
    }

    /// A reload that changes a user's password, makes it inactive or removes it ends its
    /// sessions at once; one that moves it to another group changes what it sees at once.
    @Test func aReloadEndsTheSessionsOfUsersThatNoLongerHold() throws {
        let api = try RouterFixture()
        let (dana, eli, omer, noa) = (
            try api.session("dana@example.com"), try api.session("eli@example.com"), try api.session("omer@example.com"),
            try api.session("noa@example.com")
        )
        let boss = try api.session("boss@example.com")
        let newHash = "$6$otherSalt$ITK1nFQ1MEPVgRx3RNDwvzgU967FcfgnmHBROuDGixM1MiHsKrpGvON9TNy9gcZO.i04TUKdXc7ZYo.WqSu8S1"
        let changed = RouterFixture.teams
            .setting("password", to: newHash, in: "dana@example.com")
            .setting("active", to: "no", in: "eli@example.com")
            .removing("omer@example.com")
            .setting("group", to: "team-a", in: "noa@example.com")
        api.daemon.rewrite(changed.text)
        let reload = try api.call("POST", "/v1/reload", overSocket: true)
        try #require(reload.status == 200, "\(reload)")
        for (who, token) in [("dana, new password", dana), ("eli, inactive", eli), ("omer, removed", omer)] {
            #expect(try api.call("GET", "/v1/agents", token: token).status == 401, "\(who)")
        }
        // Noa keeps her session and now sees team-a; Boss sees her too.
        let noaSees = try api.call("GET", "/v1/agents", token: noa)
        #expect(noaSees.logins == ["dana@example.com", "eli@example.com", "noa@example.com"], "\(noaSees)")
        #expect(try api.call("GET", "/v1/agents", token: boss).logins == ["dana@example.com", "eli@example.com", "noa@example.com"])
        #expect(api.logs.records(named: "api.sessions_ended").first?["sessions"] == "3")

        // Dana put back: her old token stays dead; the old password does not work, the new one would.
        api.daemon.rewrite(RouterFixture.teams.text)
        #expect(try api.call("POST", "/v1/reload", overSocket: true).status == 200)
        #expect(try api.call("GET", "/v1/agents", token: dana).status == 401)
        _ = try api.session("dana@example.com")
    }

    @Test func aWithdrawnAdminTokenStopsAtTheReload() throws {
        let api = try RouterFixture()
        let stream = try api.events(token: RouterFixture.adminToken)
        #expect(try api.call("GET", "/v1/agents", token: RouterFixture.adminToken).status == 200)
        let rotated = "router-rotated-token-0123456789abcdef0123456789"
        api.daemon.rewrite(RouterFixture.teams.text, adminTokens: [AdminTokenEntry(name: "ops", token: rotated)])
        #expect(try api.call("POST", "/v1/reload", overSocket: true).status == 200)
        #expect(try api.call("GET", "/v1/agents", token: RouterFixture.adminToken).status == 401)
        #expect(try api.call("GET", "/v1/agents", token: rotated).status == 200)
        try stream.read { _ in false }
        #expect(stream.isClosed, "a stream opened with a withdrawn token ends with it")
    }

    /// The 15-second check closes the streams of sessions that expired, and keeps the others
    /// alive with a comment.
    @Test func thePeriodicCheckEndsStreamsWhoseSessionNoLongerHolds() throws {
        let api = try RouterFixture { $0.sessionTTL = .milliseconds(300) }
        let eli = try api.session("eli@example.com")
        let dana = try api.session("dana@example.com")
        let eliStream = try api.events(token: eli)
        let danaStream = try api.events(token: dana)
        // Dana keeps using hers; Eli's expires, and the check closes his stream.
        sleep(for: .milliseconds(200))
        #expect(try api.call("GET", "/v1/agents", token: dana).status == 200)
        sleep(for: .milliseconds(200))
        api.daemon.fire(every: .seconds(15))
        try eliStream.read { _ in false }
        #expect(eliStream.isClosed)
        #expect(!danaStream.isClosed)
        try danaStream.read(timeout: .milliseconds(100))
        #expect(!danaStream.isClosed)
        #expect(String(decoding: danaStream.body, as: UTF8.self).contains(": keep-alive\n\n"), "the same tick keeps the others alive")
    }

    @Test func loggingOutEndsTheSessionsStreamsAndNoOtherSession() throws {
        let api = try RouterFixture()
        let first = try api.session("dana@example.com")
        let second = try api.session("dana@example.com")
        let stream = try api.events(token: first)
        let other = try api.events(token: second)
        #expect(try api.call("DELETE", "/v1/sessions/current", token: first).status == 204)
        try stream.read { _ in false }
        #expect(stream.isClosed)
        #expect(try api.call("GET", "/v1/agents", token: second).status == 200)
        try other.read(timeout: .milliseconds(100))
        #expect(!other.isClosed)
    }
}
