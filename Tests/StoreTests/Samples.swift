import AgentCore
import Store

/// A few values shared by the store tests.
enum Samples {
    static let dana: AgentID = "dana@example.com"
    static let eli: AgentID = "eli@example.com"
    static let t0 = Timestamp(seconds: 1_795_289_200)

    static func at(_ seconds: Int64) -> Timestamp {
        Timestamp(millisecondsSince1970: t0.millisecondsSince1970 + seconds * 1000)
    }

    static func state(_ status: StatusID = .connected, since: Timestamp = t0, agent: AgentID = dana) -> AgentState {
        AgentState(
            agent: agent, status: status, since: since, extensionID: "101", interface: "PJSIP/101",
            stateInterface: "PJSIP/101", isVirtual: false)
    }

    static func change(
        _ from: StatusID, _ to: StatusID, at: Timestamp, agent: AgentID = dana, cause: Cause = .agent,
        actor: Actor? = nil
    ) -> Effect {
        .transition(Transition(agent: agent, from: from, to: to, at: at, cause: cause, actor: actor ?? .user(agent)))
    }
}
