extension AgentStateMachine {
    /// A clock tick: every timed status past its deadline moves to its `timeout_goto`, recorded
    /// at the deadline (not at the tick), and chains through timed statuses already expired.
    public mutating func tick(at now: Timestamp) -> Outcome {
        guard let earliest = earliestDeadline, earliest <= now else { return Outcome() }
        var effects: [Effect] = []
        let due = deadlines.filter { $0.value <= now }.sorted { ($0.value, $0.key) < ($1.value, $1.key) }
        for (agent, _) in due {
            // A chain: break (15 min) → lunch (30 min) → connected, each at its own deadline.
            var hops = 0
            while let deadline = deadlines[agent], deadline <= now, let state = agents[agent], hops < configuration.statuses.count {
                hops += 1
                guard let next = configuration.statuses[state.status]?.timeoutGoto else { break }
                let target = adapt(next, for: state)
                if target == state.status {
                    deadlines[agent] = nil
                    break
                }
                move(agent, to: target, at: deadline, cause: .timeout, actor: .system, effects: &effects)
            }
        }
        earliestDeadline = deadlines.values.min()
        return Outcome(effects: effects)
    }
}
