import HTTPWire
import HTTPServing
import Crypt
import AgentCore
import ControlPort

extension APIRouter {
    /// `GET /v1/reports/time-in-status`: time in each status and calls, per agent the caller
    /// may see, for one calendar day. The store is read on the report reader's queue.
    func timeInStatusReport(_ request: HTTPRequest, caller: Caller, machine: AgentStateMachine, responder: HTTPResponder) {
        let now = daemon.now()
        let day: ReportDay
        switch ReportDay.parse(day: request.queryValue("day"), zone: request.queryValue("tz"), now: now) {
        case .success(let parsed): day = parsed
        case .failure(let failure): return responder.respond(failure.response)
        }
        let agents: [AgentID]
        if let login = request.queryValue("agent") {
            let agent = AgentID(login)
            guard Self.visible(agent, to: caller, in: machine) else { return responder.respond(APIFailure.unknownAgent(agent).response) }
            agents = [agent]
        } else {
            agents = machine.configuration.users.values.filter { $0.isAgent && machine.maySee($0.login, by: caller.actor) }
                .map(\.login).sorted()
        }
        let configuration = machine.configuration
        daemon.timeInStatus(agents: agents, day: day.range, now: now) { [logger] result in
            switch result {
            case .failure(let error):
                logger.error("api.report_failed", [("error", .string(error.description))])
                let failure = APIFailure(status: .serviceUnavailable, code: "store_unavailable", message: "the store cannot be read: \(error)")
                responder.respond(failure.response)
            case .success(let days):
                responder.respond(.json(.ok, Self.report(days, day: day, configuration: configuration)))
            }
        }
    }

    static func report(_ days: [AgentDay], day: ReportDay, configuration: CoreConfiguration) -> JSONValue {
        let agents = days.map { agentDay -> JSONValue in
            let statuses = agentDay.milliseconds.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
                .map { status, milliseconds -> JSONValue in
                    .object([
                        ("status", .string(status.rawValue)),
                        ("label", .string(configuration.statuses[status]?.label ?? status.rawValue)),
                        ("seconds", .integer(Int((milliseconds + 500) / 1000))),
                    ])
                }
            return .object([
                ("login", .string(agentDay.agent.rawValue)),
                ("name", .string(configuration.users[agentDay.agent]?.name ?? agentDay.agent.rawValue)),
                ("statuses", .array(statuses)),
                ("calls", .object([("incoming", .integer(agentDay.incoming)), ("outgoing", .integer(agentDay.outgoing))])),
            ])
        }
        return .object([
            ("day", .string(day.name)), ("time_zone", .string(day.timeZone.identifier)), ("from", APIJSON.time(day.range.lowerBound)),
            ("to", APIJSON.time(day.range.upperBound)), ("agents", .array(agents)),
        ])
    }
}
