import AgentCore
import Config
import ControlAPI
import ControlPort
import HTTPWire
import SystemSupport
import TestSupport

/// The API service in-process over a `FakeControlPort`: on loopback TCP (port 0) and on a Unix
/// socket in a fresh directory, with the teams' configuration and one admin token.
final class RouterFixture {
    static let adminToken = "router-admin-token-0123456789abcdef0123456789"
    /// The password of every user of `teams`.
    static let password = "demo"
    static let demoHash = "$6$danaDemoSalt$mkZYiI9qxneTc6UJl3bXEWnE.zpMAfMY32UFY4TAz1IgBbH/Xr1u2If32bDfCMkfwt.RBUgm8fBLKlJ0AjCWY1"

    let daemon: FakeControlPort
    let service: APIService
    let port: Int
    let directory: TemporaryDirectory
    let logs = MemoryLogSink()
    var socketPath: String { directory.file("api.sock") }

    /// `configure` changes the API's settings (limits, TTL, trusted proxies) before it starts.
    init(_ configuration: INIFixture = RouterFixture.teams, configure: (inout APISettings) throws -> Void = { _ in }) throws {
        daemon = try FakeControlPort(configuration: configuration.text, adminTokens: [AdminTokenEntry(name: "ops", token: Self.adminToken)])
        var settings = APISettings(listen: ListenAddress(host: "127.0.0.1", port: 0), loginAttemptsPerLogin: 3)
        try configure(&settings)
        directory = try TemporaryDirectory(prefix: "router")
        service = try APIService(daemon: daemon, settings: settings, logger: Logger(level: .debug, sink: logs))
        port = try service.listen(on: settings.listen)
        try service.listen(socket: directory.file("api.sock"))
    }

    deinit { service.shutdown() }

    /// One request over TCP, or over the Unix socket, answered whole.
    func call(_ request: RouterRequest, overSocket: Bool = false) throws -> RouterAnswer {
        let connection = overSocket ? try LoopbackConnection(socketPath: socketPath) : try LoopbackConnection(port: port)
        return try RouterAnswer.exchange(request.bytes, on: connection)
    }

    func call(
        _ method: String, _ path: String, token: String? = nil, json: JSONValue? = nil, overSocket: Bool = false,
        headers: [(String, String)] = []
    ) throws -> RouterAnswer {
        try call(RouterRequest(method, path, token: token, json: json, headers: headers), overSocket: overSocket)
    }

    /// Logs `login` in with a password; the session token.
    func session(_ login: String, password: String = RouterFixture.password) throws -> String {
        let answer = try call("POST", "/v1/sessions", json: ["login": .string(login), "password": .string(password)])
        guard answer.status == 201, let token = answer.json?["token"]?.stringValue else {
            throw TestSupportError("the login of \(login) failed: \(answer)")
        }
        return token
    }

    /// Opens `/v1/events` (with `Last-Event-ID` when given) and waits for its greeting.
    func events(token: String?, lastEventID: String? = nil, overSocket: Bool = false) throws -> EventStreamClient {
        let connection = overSocket ? try LoopbackConnection(socketPath: socketPath) : try LoopbackConnection(port: port)
        var request = "GET /v1/events HTTP/1.1\r\nHost: localhost\r\n"
        if let token { request += "Authorization: Bearer \(token)\r\n" }
        if let lastEventID { request += "Last-Event-ID: \(lastEventID)\r\n" }
        connection.send(request + "\r\n")
        let stream = EventStreamClient(connection: connection)
        try stream.waitForGreeting()
        return stream
    }

    /// A local admin's command over the Unix socket, which must succeed.
    func command(_ method: String, _ path: String, json: JSONValue? = nil) throws {
        let answer = try call(method, path, json: json, overSocket: true)
        guard answer.status == 200 else { throw TestSupportError("\(method) \(path) failed: \(answer)") }
    }
}

extension RouterFixture {
    /// Two groups with a supervisor each and an admin, as `EndToEndTests`' `TestConfigs.teams()`:
    /// Boss supervises Dana (team-a, with Eli); Bea supervises Noa (team-b, with Omer); Root is an
    /// admin in no group. Every password is `demo`.
    static let teams = INIFixture(comment: "ControlAPITests: the teams")
        .section("general", ["type": "general", "database": "/nonexistent/ccagentd.db"])
        .section("pbx", ["type": "ami", "host": "127.0.0.1", "port": "5038", "username": "ccagentd", "secret": "change-me"])
        .section(
            "break",
            ["type": "status", "label": "Break", "activate_skills": "no", "timeout": "600", "timeout_goto": "connected", "max_agents": "3",
             "over_limit": "deny"])
        .section("lunch", ["type": "status", "label": "Lunch", "activate_skills": "no"])
        .section("paperwork", ["type": "status", "label": "Paperwork", "activate_skills": "no", "max_agents": "1", "over_limit": "warn"])
        .section("sales", ["type": "skill", "queues": "sales"])
        .section("support", ["type": "skill", "queues": "support-private, support-business"])
        .section("phone", template: true, ["type": "extension"])
        .section("101", inherits: ["phone"], ["interface": "PJSIP/101"])
        .section("102", inherits: ["phone"], ["interface": "PJSIP/102"])
        .section("103", inherits: ["phone"], ["interface": "PJSIP/103"])
        .section("104", inherits: ["phone"], ["interface": "PJSIP/104"])
        .section("105", inherits: ["phone"], ["interface": "PJSIP/105"])
        .section(
            "agent-defaults", template: true,
            ["type": "user", "role": "agent", "ccuser": "yes", "active": "yes", "extensions": "101-105", "password": demoHash])
        .section(
            "dana@example.com", inherits: ["agent-defaults"],
            ["name": "Dana Levi", "skills": "sales, support:2", "extension": "101", "group": "team-a", "supervisors": "boss@example.com"])
        .section(
            "eli@example.com", inherits: ["agent-defaults"], ["name": "Eli Cohen", "skills": "support", "extension": "102", "group": "team-a"])
        .section(
            "noa@example.com", inherits: ["agent-defaults"],
            ["name": "Noa Mizrahi", "skills": "sales:1, support:5", "extension": "103", "group": "team-b", "supervisors": "bea@example.com"])
        .section(
            "omer@example.com", inherits: ["agent-defaults"], ["name": "Omer Peretz", "skills": "sales", "extension": "104", "group": "team-b"])
        .section(
            "boss@example.com",
            ["type": "user", "name": "Boss", "role": "supervisor", "ccuser": "no", "group": "team-a", "password": demoHash])
        .section(
            "bea@example.com", ["type": "user", "name": "Bea", "role": "supervisor", "ccuser": "no", "group": "team-b", "password": demoHash])
        .section("root@example.com", ["type": "user", "name": "Root", "role": "admin", "ccuser": "no", "password": demoHash])
}
