/// Nothing to check after a phase beyond the answers themselves.
struct NoSummary: Sendable {}

/// One client of the read phase: `GET /v1/agents` as an admin, over and over. Each answer must
/// be 200 and list every agent.
final class ListClient: LoadClient {
    private let connection: ReconnectingConnection
    private let request: [UInt8]
    private let agents: Int
    private static let loginPattern = Array(#""login":"#.utf8)
    let summary = NoSummary()

    init(port: Int, token: String, agents: Int) throws {
        connection = try ReconnectingConnection(port: port)
        request = RequestBytes.make("GET", "/v1/agents", token: token)
        self.agents = agents
    }

    func prepare() throws {}

    func step() -> String? {
        do {
            let answer = try connection.exchange(request)
            guard answer.status == 200 else { return "GET /v1/agents: HTTP \(answer.status) \(answer.body.excerpt)" }
            let listed = answer.body.occurrences(of: Self.loginPattern)
            return listed == agents ? nil : "GET /v1/agents: \(listed) agents listed, \(agents) expected"
        } catch {
            return "GET /v1/agents: \(error)"
        }
    }

    func finish() throws {}
}

/// One client of the password-login phase: `POST /v1/sessions` for its agents in turn. Each
/// answer must be 201 with a token. Every check is a crypt(3) of the user's `$6$` hash.
final class SessionClient: LoadClient {
    private let connection: ReconnectingConnection
    private let requests: [(login: String, bytes: [UInt8])]
    private var next = 0
    private static let tokenPattern = Array(#""token":"#.utf8)
    let summary = NoSummary()

    init(index: Int, clients: Int, plan: CallCenterPlan, port: Int, password: String) throws {
        connection = try ReconnectingConnection(port: port)
        requests = stride(from: index, to: plan.agents, by: clients).map { agent in
            let login = plan.login(agent)
            let json = #"{"login":\#(RequestBytes.quoted(login)),"password":\#(RequestBytes.quoted(password))}"#
            return (login, RequestBytes.make("POST", "/v1/sessions", token: nil, json: json))
        }
        guard !requests.isEmpty else { throw BenchmarkFailure("client \(index) has no agent: AGENTS must be at least CLIENTS") }
    }

    func prepare() throws {}

    func step() -> String? {
        let (login, request) = requests[next % requests.count]
        next += 1
        do {
            let answer = try connection.exchange(request)
            guard answer.status == 201, answer.body.contains(Self.tokenPattern) else {
                return "POST /v1/sessions \(login): HTTP \(answer.status) \(answer.body.excerpt)"
            }
            return nil
        } catch {
            return "POST /v1/sessions \(login): \(error)"
        }
    }

    func finish() throws {}
}
