import ControlPort
import ControlAPI
@testable import Crypt
@testable import HTTPServing
@testable import HTTPWire
import Foundation
import Synchronization
import SystemSupport

/// ccagentd's control API as docs/API.md describes it, in-process on the project's own
/// HTTPServer: two agents, three statuses, a time-in-status report, a reload that can be made to
/// fail, an event stream each test scripts, and a record of every request.
final class FakeDaemon: Sendable {
    struct Seen: Sendable {
        var method: String
        var target: String
        /// The query as the daemon decodes it.
        var query: [HTTPQueryItem]
        var headers: HTTPHeaders
        var body: String
        var peer: String
    }

    /// What one connection to `/v1/events` does: write events, then close or stay open.
    typealias EventScript = @Sendable (_ connection: Int, _ lastEventID: String?, _ stream: HTTPEventStream) -> Void

    struct State: Sendable {
        var agents: [String: JSONValue]
        var seen: [Seen] = []
        var eventConnections = 0
        var reloadErrors: [JSONValue] = []
    }

    /// Shared with the server's handler, which exists before `self` does.
    final class Shared: Sendable {
        let state: Mutex<State>
        init(_ state: State) { self.state = Mutex(state) }
    }

    static let adminToken = "0123456789abcdef0123456789abcdef"
    let server: HTTPServer
    let port: Int
    let socketPath: String?
    let shared: Shared

    init(socketPath: String? = nil, events: EventScript? = nil) throws {
        let shared = Shared(State(agents: [
            "dana@example.com": Self.agent("dana@example.com", name: "Dana Levi", status: "unassigned", since: nil, extension: nil),
            "eli@example.com": Self.agent(
                "eli@example.com", name: "Eli Cohen", status: "connected", since: "2026-05-01T13:00:05.250Z", extension: "102",
                queues: [("sales", 0), ("support-private", 2)]),
        ]))
        self.shared = shared
        let script = events
        server = try HTTPServer(logger: .disabled) { request, context, responder in
            Self.handle(request, context, responder, state: shared, events: script)
        }
        port = try server.listen(host: "127.0.0.1", port: 0)
        self.socketPath = socketPath
        if let socketPath { try server.listen(path: socketPath) }
    }

    deinit { server.shutdown() }

    var url: String { "http://127.0.0.1:\(port)" }
    var seen: [Seen] { shared.state.withLock { $0.seen } }

    func update(_ change: (inout State) -> Void) { shared.state.withLock { change(&$0) } }

    static func agent(
        _ login: String, name: String, status: String, since: String?, extension id: String?, queues: [(String, Int)] = [],
        warnings: [String]? = nil
    ) -> JSONValue {
        var members: [(key: String, value: JSONValue)] = [
            ("login", .string(login)), ("name", .string(name)), ("group", "team-a"), ("status", .string(status)),
            ("status_label", .string(status.prefix(1).uppercased() + status.dropFirst())),
            ("since", since.map(JSONValue.string) ?? .null), ("extension", id.map(JSONValue.string) ?? .null),
            ("interface", id.map { .string("PJSIP/\($0)") } ?? .null), ("virtual", false),
            ("queues", .array(queues.map { ["queue": .string($0.0), "penalty": .integer($0.1)] })), ("calls", []),
        ]
        if let warnings { members.append(("warnings", .array(warnings.map(JSONValue.string)))) }
        return .object(members)
    }

    private static func error(_ status: Int, _ code: String, _ message: String) -> HTTPResponse {
        .error(HTTPStatus(code: status), code: code, message: message)
    }

    private static func handle(
        _ request: HTTPRequest, _ context: RequestContext, _ responder: HTTPResponder, state shared: Shared, events: EventScript?
    ) {
        shared.state.withLock {
            $0.seen.append(Seen(method: request.method, target: request.target, query: request.query, headers: request.headers,
                body: String(decoding: request.body, as: UTF8.self), peer: context.peer))
        }
        // The socket is a local admin; TCP needs the admin token.
        let token = request.headers["Authorization"]
        guard context.isLocalSocket || token == "Bearer \(adminToken)" else {
            return responder.respond(error(401, "unauthorized", "a valid token is needed"))
        }
        let path = request.path
        let body = try? JSONValue.parse(request.body)
        if path.count >= 3, path[0] == "v1", path[1] == "agents" {
            return agentRoute(request.method, login: path[2], action: path.count > 3 ? path[3] : nil, body: body, responder, state: shared)
        }
        switch (request.method, path) {
        case ("DELETE", let path) where path.count == 4 && path[0] == "v1" && path[1] == "logins" && path[3] == "lock":
            guard path[2] != "forbidden@example.com" else { return responder.respond(error(403, "forbidden", "only admins may unlock a login")) }
            responder.respond(.json(.ok, ["login": .string(path[2]), "was_locked": .bool(path[2] == "locked@example.com")]))
        case ("GET", ["v1", "agents"]):
            let agents = shared.state.withLock { $0.agents }.sorted { $0.key < $1.key }.map(\.value)
            responder.respond(.json(.ok, ["agents": .array(agents)]))
        case ("GET", ["v1", "extensions"]):
            responder.respond(.json(.ok, ["extensions": [
                ["id": "101", "interface": "PJSIP/101", "state_interface": "PJSIP/101", "virtual": false, "agent": .null],
                ["id": "901", "interface": .null, "state_interface": .null, "virtual": true, "agent": "eli@example.com"],
            ]]))
        case ("GET", ["v1", "reports", "time-in-status"]):
            responder.respond(report(request, state: shared))
        case ("POST", ["v1", "reload"]):
            let errors = shared.state.withLock { $0.reloadErrors }
            if errors.isEmpty {
                responder.respond(.json(.ok, ["reloaded": true, "notes": ["2 agents changed skills"]]))
            } else {
                responder.respond(.json(HTTPStatus(code: 422), ["error": [
                    "code": "config_invalid", "message": .string("the configuration has \(errors.count) errors; the old one stays"),
                    "details": .array(errors),
                ]]))
            }
        case ("GET", ["v1", "events"]):
            guard let events else { return responder.respond(error(404, "not_found", "no such route")) }
            let connection = shared.state.withLock {
                $0.eventConnections += 1
                return $0.eventConnections
            }
            let stream = responder.startStream(HTTPResponse(status: .ok, headers: ServerSentEvent.responseHeaders))
            events(connection, ServerSentEvent.lastEventID(fromHeader: request.headers["Last-Event-ID"]), stream)
        default:
            responder.respond(error(404, "not_found", "no such route"))
        }
    }

    /// Two days in UTC or Asia/Jerusalem: 2026-05-01 (today for TestCtl), with Dana and Eli in
    /// statuses whose totals order the columns unlike either agent's own order, and 2026-01-01,
    /// when no one worked.
    private static func report(_ request: HTTPRequest, state shared: Shared) -> HTTPResponse {
        let day = request.queryValue("day") ?? "2026-05-01"
        let zone = request.queryValue("tz") ?? "UTC"
        let nextDays = ["2026-05-01": "2026-05-02", "2026-01-01": "2026-01-02"]
        guard let nextDay = nextDays[day] else { return error(400, "invalid_field", "the fake daemon has no report for \(day)") }
        guard ["UTC", "Asia/Jerusalem"].contains(zone) else {
            return error(400, "invalid_field", "tz must be a time zone name such as Asia/Jerusalem, not \(zone)")
        }
        let login = request.queryValue("agent")
        if login == "boom@example.com" { return error(500, "internal_error", "the store failed") }
        if let login, shared.state.withLock({ $0.agents[login] }) == nil { return error(404, "unknown_agent", "no agent \(login)") }
        func status(_ id: String, _ label: String, _ seconds: Int) -> JSONValue {
            ["status": .string(id), "label": .string(label), "seconds": .integer(seconds)]
        }
        let agents: [JSONValue] = day != "2026-05-01" ? [] : [
            ["login": "dana@example.com", "name": "Dana Levi",
             "statuses": [status("connected", "Connected", 7384), status("break", "Break", 900), status("paperwork", "Paperwork", 65)],
             "calls": ["incoming": 3, "outgoing": 1]],
            ["login": "eli@example.com", "name": "Eli Cohen",
             "statuses": [status("incoming", "Incoming call", 9000), status("connected", "Connected", 3600)],
             "calls": ["incoming": 12, "outgoing": 0]],
        ]
        let offset = zone == "UTC" ? "Z" : "+03:00"
        return .json(.ok, [
            "day": .string(day), "time_zone": .string(zone), "from": .string("\(day)T00:00:00\(offset)"),
            "to": .string("\(nextDay)T00:00:00\(offset)"), "agents": .array(agents.filter { login == nil || $0["login"]?.stringValue == login }),
        ])
    }

    private static func agentRoute(
        _ method: String, login: String, action: String?, body: JSONValue?, _ responder: HTTPResponder, state shared: Shared
    ) {
        if login == "boom@example.com" { return responder.respond(error(500, "internal_error", "the store failed")) }
        if login == "slow@example.com" { return }  // never answers
        if login == "nobody@example.com" { return responder.respond(error(403, "forbidden", "you may not change nobody@example.com")) }
        guard let agent = shared.state.withLock({ $0.agents[login] }) else {
            return responder.respond(error(404, "unknown_agent", "no agent \(login)"))
        }
        let name = agent["name"]?.stringValue ?? ""
        switch (method, action) {
        case ("GET", nil):
            responder.respond(.json(.ok, agent))
        case ("GET", "extensions"):
            responder.respond(.json(.ok, ["extensions": [
                ["id": "101", "kind": "personal", "label": "101", "taken_by": .null],
                ["id": "901", "kind": "virtual", "label": "mobile +972501234567", "taken_by": .null],
                ["id": "102", "kind": "other", "label": "102", "taken_by": "eli@example.com"],
            ]]))
        case ("POST", "login"):
            guard let id = body?["extension"]?.stringValue else { return responder.respond(error(400, "missing_field", "extension is missing")) }
            guard id != "102" else { return responder.respond(error(409, "extension_taken", "extension 102 is taken by eli@example.com")) }
            let updated = Self.agent(login, name: name, status: "connected", since: "2026-05-01T14:02:11Z", extension: id,
                queues: [("sales", 0)], warnings: ["Asterisk is not connected: queues follow at reconnect"])
            shared.state.withLock { $0.agents[login] = updated }
            responder.respond(.json(.ok, updated))
        case ("POST", "logout"):
            let updated = Self.agent(login, name: name, status: "unassigned", since: nil, extension: nil, warnings: [])
            shared.state.withLock { $0.agents[login] = updated }
            responder.respond(.json(.ok, updated))
        case ("PUT", "status"):
            guard let status = body?["status"]?.stringValue else { return responder.respond(error(400, "missing_field", "status is missing")) }
            guard ["connected", "break", "paperwork"].contains(status) else {
                return responder.respond(error(404, "unknown_status", "no status \(status)"))
            }
            let updated = Self.agent(login, name: name, status: status, since: "2026-05-01T14:02:11Z", extension: agent["extension"]?.stringValue,
                queues: status == "break" ? [] : [("sales", 0)], warnings: [])
            shared.state.withLock { $0.agents[login] = updated }
            responder.respond(.json(.ok, updated))
        default:
            responder.respond(error(405, "method_not_allowed", "\(method) is not allowed here"))
        }
    }
}
