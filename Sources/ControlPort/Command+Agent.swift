public import AgentCore

extension Command {
    /// The agent the command is about.
    public var agent: AgentID {
        switch self {
        case .login(let agent, _), .logout(let agent), .setStatus(let agent, _): agent
        }
    }
}
