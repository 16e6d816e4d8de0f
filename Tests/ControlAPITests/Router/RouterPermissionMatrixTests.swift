import AgentCore
import HTTPWire
import Testing
import TestSupport

/// Every caller against every route: the status and error code each gets, and whether the
/// command reached the daemon (a hidden agent's never does; a visible one's is refused by the
/// rules, and audited).
@Suite(.timeLimit(.minutes(1))) struct RouterPermissionMatrixTests {
    /// Who calls, and on which agent the per-agent routes act.
    enum Caller: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case agentOnItself, agentOnItsGroup, agentOnAnotherGroup, agentSessionOnTheSocket
        case supervisorOnItsAgent, supervisorOnItsGroup, supervisorOnAnotherGroup
        case adminToken, adminByPassword, adminTokenOnTheSocket, localAdmin
        case noToken, badToken, expiredSession, notABearerToken

        var testDescription: String { rawValue }

        var target: (login: String, extension: String) {
            switch self {
            case .agentOnItself, .supervisorOnItsAgent: ("dana@example.com", "101")
            case .agentOnItsGroup, .supervisorOnItsGroup: ("eli@example.com", "102")
            default: ("noa@example.com", "103")
            }
        }

        var overSocket: Bool { [.agentSessionOnTheSocket, .adminTokenOnTheSocket, .localAdmin].contains(self) }
    }

    /// The columns, in the order the test calls them (the session's deletion last).
    static let routes = [
        "agents", "agent", "offer", "login", "status", "logout", "statuses", "skills", "extensions", "reload", "unlock", "report",
        "events", "healthz", "metrics", "create-session", "delete-session",
    ]

    /// The expected status per route, in the order of `routes`.
    static let matrix: [Caller: String] = [
        //                        agents agent offer login status logout statuses skills exts reload unlock report events health metrics session delete
        .agentOnItself:            "200   200   200   200   200    200    200      200    403  403    403    200    200    200    200     201     204",
        .agentOnItsGroup:          "200   200   200   403   403    403    200      200    403  403    403    200    200    200    200     201     204",
        .agentOnAnotherGroup:      "200   404   404   404   404    404    200      200    403  403    403    404    200    200    200     201     204",
        .agentSessionOnTheSocket:  "200   404   404   404   404    404    200      200    403  403    403    404    200    200    200     201     204",
        .supervisorOnItsAgent:     "200   200   200   200   200    200    200      200    403  403    403    200    200    200    200     201     204",
        .supervisorOnItsGroup:     "200   200   200   403   403    403    200      200    403  403    403    200    200    200    200     201     204",
        .supervisorOnAnotherGroup: "200   404   404   404   404    404    200      200    403  403    403    404    200    200    200     201     204",
        .adminToken:               "200   200   200   200   200    200    200      200    200  200    200    200    200    200    200     201     400",
        .adminByPassword:          "200   200   200   200   200    200    200      200    200  200    200    200    200    200    200     201     204",
        .adminTokenOnTheSocket:    "200   200   200   200   200    200    200      200    200  200    200    200    200    200    200     201     400",
        .localAdmin:               "200   200   200   200   200    200    200      200    200  200    200    200    200    200    200     201     400",
        .noToken:                  "401   401   401   401   401    401    401      401    401  401    401    401    401    200    200     201     401",
        .badToken:                 "401   401   401   401   401    401    401      401    401  401    401    401    401    200    200     201     401",
        .expiredSession:           "401   401   401   401   401    401    401      401    401  401    401    401    401    200    200     201     401",
        .notABearerToken:          "401   401   401   401   401    401    401      401    401  401    401    401    401    200    200     201     401",
    ]

    /// The error code each refusal of the matrix carries.
    static let codes = [400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "unknown_agent"]

    /// The logins `GET /v1/agents` shows each caller that may list.
    static let visible: [Caller: [String]] = {
        let teamA = ["dana@example.com", "eli@example.com"]
        let everyone = ["dana@example.com", "eli@example.com", "noa@example.com", "omer@example.com"]
        return [
            .agentOnItself: teamA, .agentOnItsGroup: teamA, .agentOnAnotherGroup: teamA, .agentSessionOnTheSocket: teamA,
            .supervisorOnItsAgent: teamA, .supervisorOnItsGroup: teamA, .supervisorOnAnotherGroup: teamA, .adminToken: everyone,
            .adminByPassword: everyone, .adminTokenOnTheSocket: everyone, .localAdmin: everyone,
        ]
    }()

    @Test func theMatrixHasEveryCallerAndRoute() {
        #expect(Set(Self.matrix.keys) == Set(Caller.allCases))
        for (caller, row) in Self.matrix {
            #expect(row.split(separator: " ").count == Self.routes.count, "\(caller)")
        }
    }

    @Test(arguments: Caller.allCases)
    func everyRouteAnswersAsThePermissionsSay(caller: Caller) throws {
        let api = try RouterFixture { settings in
            if caller == .expiredSession { settings.sessionTTL = .milliseconds(200) }
        }
        let (token, authorization) = try credential(of: caller, in: api)
        let expected = try #require(Self.matrix[caller]).split(separator: " ").compactMap { Int($0) }
        let (target, ext) = caller.target
        let agent = "/v1/agents/\(target)"
        for (route, status) in zip(Self.routes, expected) {
            let submitted = api.daemon.submissions.count
            let audited = api.daemon.auditLines.count
            let request: RouterRequest
            switch route {
            case "agents": request = RouterRequest("GET", "/v1/agents", token: token, headers: authorization)
            case "agent": request = RouterRequest("GET", agent, token: token, headers: authorization)
            case "offer": request = RouterRequest("GET", agent + "/extensions", token: token, headers: authorization)
            case "login": request = RouterRequest("POST", agent + "/login", token: token, json: ["extension": .string(ext)], headers: authorization)
            case "status": request = RouterRequest("PUT", agent + "/status", token: token, json: ["status": "break"], headers: authorization)
            case "logout": request = RouterRequest("POST", agent + "/logout", token: token, headers: authorization)
            case "statuses": request = RouterRequest("GET", "/v1/statuses", token: token, headers: authorization)
            case "skills": request = RouterRequest("GET", "/v1/skills", token: token, headers: authorization)
            case "extensions": request = RouterRequest("GET", "/v1/extensions", token: token, headers: authorization)
            case "reload": request = RouterRequest("POST", "/v1/reload", token: token, headers: authorization)
            case "unlock": request = RouterRequest("DELETE", "/v1/logins/\(target)/lock", token: token, headers: authorization)
            case "report": request = RouterRequest("GET", "/v1/reports/time-in-status?agent=\(target)", token: token, headers: authorization)
            case "healthz": request = RouterRequest("GET", "/healthz", token: token, headers: authorization)
            case "metrics": request = RouterRequest("GET", "/metrics", token: token, headers: authorization)
            case "create-session":
                request = RouterRequest(
                    "POST", "/v1/sessions", token: token, json: ["login": "omer@example.com", "password": "demo"], headers: authorization)
            case "delete-session": request = RouterRequest("DELETE", "/v1/sessions/current", token: token, headers: authorization)
            case "events":
                let (answered, code) = try streamStatus(token: token, authorization: authorization, overSocket: caller.overSocket, in: api)
                #expect(answered == status, "\(caller) \(route)")
                #expect(code == Self.codes[status], "\(caller) \(route)")
                continue
            default: Issue.record("no request for \(route)"); continue
            }
            let answer = try api.call(request, overSocket: caller.overSocket)
            #expect(answer.status == status, "\(caller) \(route): \(answer)")
            #expect(answer.errorCode == Self.codes[status], "\(caller) \(route): \(answer)")

            // What reached the daemon: commands the router let through, audit lines of unlocks.
            let reached = api.daemon.submissions.count - submitted
            if ["login", "status", "logout"].contains(route) {
                #expect(reached == ([200, 403].contains(status) ? 1 : 0), "\(caller) \(route): a hidden agent's command never reaches the daemon")
            } else {
                #expect(reached == 0, "\(caller) \(route)")
            }
            if ["login", "status", "logout", "unlock"].contains(route), [200, 403].contains(status) {
                let line = try #require(api.daemon.auditLines.last, "\(caller) \(route)")
                #expect(api.daemon.auditLines.count == audited + 1)
                #expect(line.outcome == (status == 200 ? "ok" : "refused"), "\(caller) \(route)")
                #expect(line.target == target)
            } else {
                #expect(api.daemon.auditLines.count == audited, "\(caller) \(route)")
            }
            if status == 200 { try expectBody(of: route, answer, caller: caller) }
        }
    }

    /// The token (or raw `Authorization` field) the caller presents, made in `api`.
    private func credential(of caller: Caller, in api: RouterFixture) throws -> (String?, [(String, String)]) {
        switch caller {
        case .agentOnItself, .agentOnItsGroup, .agentOnAnotherGroup, .agentSessionOnTheSocket: return (try api.session("dana@example.com"), [])
        case .supervisorOnItsAgent, .supervisorOnItsGroup, .supervisorOnAnotherGroup: return (try api.session("boss@example.com"), [])
        case .adminToken, .adminTokenOnTheSocket: return (RouterFixture.adminToken, [])
        case .adminByPassword: return (try api.session("root@example.com"), [])
        case .localAdmin, .noToken: return (nil, [])
        case .badToken: return (String(repeating: "0", count: 64), [])
        case .notABearerToken: return (nil, [("Authorization", "Basic ZGFuYUBleGFtcGxlLmNvbTpkZW1v")])
        case .expiredSession:
            let token = try api.session("dana@example.com")
            sleep(for: .milliseconds(300))
            return (token, [])
        }
    }

    /// The event stream's status and error code: 200 once its greeting arrived.
    private func streamStatus(token: String?, authorization: [(String, String)], overSocket: Bool, in api: RouterFixture) throws
        -> (Int?, String?)
    {
        let connection = overSocket ? try LoopbackConnection(socketPath: api.socketPath) : try LoopbackConnection(port: api.port)
        connection.send(RouterRequest("GET", "/v1/events", token: token, headers: authorization).bytes)
        let stream = EventStreamClient(connection: connection)
        try stream.read { _ in
            guard let head = stream.head else { return false }
            return head.status != 200 || String(decoding: stream.body, as: UTF8.self).contains(": ccagentd events")
        }
        guard let head = stream.head else { return (nil, nil) }
        if head.status == 200 {
            #expect(head.headers["Content-Type"] == "text/event-stream")
            return (200, nil)
        }
        _ = try stream.read(timeout: .seconds(2))  // the rest of the error body
        return (head.status, (try? JSONValue.parse(stream.body))?["error"]?["code"]?.stringValue)
    }

    /// What a 200 says, route by route.
    private func expectBody(of route: String, _ answer: RouterAnswer, caller: Caller) throws {
        let target = caller.target.login
        switch route {
        case "agents": #expect(answer.logins == Self.visible[caller], "\(caller)")
        case "agent", "logout":
            #expect(answer.json?["login"]?.stringValue == target)
            if route == "logout" { #expect(answer.json?["status"] == "unassigned" && answer.json?["extension"] == .null) }
        case "offer": #expect(answer.json?["extensions"]?.arrayValue?.first?["kind"] == "personal", "\(answer)")
        case "login":
            #expect(answer.json?["status"] == "connected" && answer.json?["extension"]?.stringValue == caller.target.extension, "\(answer)")
        case "status": #expect(answer.json?["status"] == "break" && answer.json?["queues"]?.arrayValue == [], "\(answer)")
        case "statuses": #expect(answer.json?["statuses"]?.arrayValue?.isEmpty == false)
        case "skills": #expect(answer.json?["skills"]?.arrayValue?.count == 2)
        case "extensions": #expect(answer.json?["extensions"]?.arrayValue?.count == 5)
        case "reload": #expect(answer.json?["reloaded"] == true)
        case "unlock": #expect(answer.json?["login"]?.stringValue == target && answer.json?["was_locked"] == false)
        case "report": #expect(answer.json?["agents"]?.arrayValue == [], "\(answer)")
        case "healthz": #expect(answer.json?["status"] == "ok")
        case "metrics": #expect(answer.text.contains("ccagentd_agents{status=\"connected\"}"))
        default: break
        }
    }
}
