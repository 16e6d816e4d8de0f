public import AgentCore
public import ControlPort

/// The daemon is what the control API is written against (`ControlPort`).
extension Daemon: ControlPort {
    public func now() -> Timestamp { options.clock() }

    public func timeInStatus(
        agents: [AgentID], day: Range<Timestamp>, now: Timestamp,
        completion: @escaping @Sendable (Result<[AgentDay], ReportFailure>) -> Void
    ) {
        reports.timeInStatus(agents: agents, day: day, now: now, completion: completion)
    }
}
