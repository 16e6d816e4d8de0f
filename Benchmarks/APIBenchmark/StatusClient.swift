/// One client of the status phase: its own keep-alive connection and its own agents (those
/// whose number modulo the client count is its index). It logs them in, then alternates
/// `PUT /v1/agents/{login}/status` break / connected: agent a to break, agent a back, agent b
/// to break, … Every answer must be 200 with the agent's login, the new status and its queues
/// (none on break, all of them when connected).
final class StatusClient: LoadClient {
    /// What the changes that were answered 200 should have made Asterisk do.
    struct Summary: Sendable {
        var changes = 0
        var expectedAdds = 0
        var expectedRemoves = 0
    }

    private struct Agent {
        var login: String
        var queues: Int
        var loginRequest: [UInt8]
        var awayRequest: [UInt8]
        var backRequest: [UInt8]
        var loginPattern: [UInt8]
    }

    private static let awayPattern = Array(#""status":"\#(CallCenterPlan.awayStatus)""#.utf8)
    private static let backPattern = Array(#""status":"connected""#.utf8)
    private static let queuePattern = Array(#""queue":"#.utf8)

    private var connection: ReconnectingConnection
    private let agents: [Agent]
    private var position = 0
    private(set) var summary = Summary()

    init(index: Int, clients: Int, plan: CallCenterPlan, port: Int, token: String) throws {
        connection = try ReconnectingConnection(port: port)
        agents = stride(from: index, to: plan.agents, by: clients).map { agent in
            let login = plan.login(agent)
            let path = "/v1/agents/\(login)"
            return Agent(
                login: login, queues: plan.queues(of: agent).count,
                loginRequest: RequestBytes.make(
                    "POST", path + "/login", token: token, json: #"{"extension":\#(RequestBytes.quoted(plan.extensionID(agent)))}"#),
                awayRequest: RequestBytes.make(
                    "PUT", path + "/status", token: token, json: #"{"status":\#(RequestBytes.quoted(CallCenterPlan.awayStatus))}"#),
                backRequest: RequestBytes.make("PUT", path + "/status", token: token, json: #"{"status":"connected"}"#),
                loginPattern: Array(#""login":\#(RequestBytes.quoted(login))"#.utf8))
        }
        guard !agents.isEmpty else { throw BenchmarkFailure("client \(index) has no agent: AGENTS must be at least CLIENTS") }
    }

    func prepare() throws {
        for agent in agents {
            if let failure = check(try connection.exchange(agent.loginRequest), agent, away: false) {
                throw BenchmarkFailure("login: \(failure)")
            }
        }
    }

    func step() -> String? {
        let agent = agents[(position / 2) % agents.count]
        let away = position % 2 == 0
        let answer: HTTPAnswer
        do {
            answer = try connection.exchange(away ? agent.awayRequest : agent.backRequest)
        } catch {
            return "\(agent.login) → \(away ? CallCenterPlan.awayStatus : "connected"): \(error)"
        }
        if let failure = check(answer, agent, away: away) { return failure }
        // Only a change answered as done moves the sequence on: a failed one is tried again.
        position += 1
        summary.changes += 1
        if away { summary.expectedRemoves += agent.queues } else { summary.expectedAdds += agent.queues }
        return nil
    }

    /// An odd number of changes left one agent on break: it comes back, so Asterisk again holds
    /// every membership.
    func finish() throws {
        if position % 2 == 1, let failure = step() { throw BenchmarkFailure(failure) }
    }

    private func check(_ answer: HTTPAnswer, _ agent: Agent, away: Bool) -> String? {
        let target = away ? CallCenterPlan.awayStatus : "connected"
        guard answer.status == 200 else { return "\(agent.login) → \(target): HTTP \(answer.status) \(answer.body.excerpt)" }
        let queues = answer.body.occurrences(of: Self.queuePattern)
        guard answer.body.contains(agent.loginPattern), answer.body.contains(away ? Self.awayPattern : Self.backPattern),
            queues == (away ? 0 : agent.queues)
        else { return "\(agent.login) → \(target): unexpected answer (\(queues) queues) \(answer.body.excerpt)" }
        return nil
    }
}
