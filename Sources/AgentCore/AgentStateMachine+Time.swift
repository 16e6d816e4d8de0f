extension AgentStateMachine {
    /// A clock tick: every timed status past its deadline moves to its `timeout_goto`, recorded
    /// at the deadline (not at the tick), and chains through timed statuses already expired.
    public mutating func tick(at now: Timestamp) -> Outcome {
        // Nothing is due before the earliest entry, live or stale: most ticks end here. Stale
        // entries are dropped when something is due.
        if let earliest = deadlineHeap.earliest, now < earliest { return Outcome() }
        deadlineHeap.prune { at, agent in deadlines[agent] == at }
        guard let earliest = deadlineHeap.earliest, earliest <= now else { return Outcome() }
        var effects: [Effect] = []
        var due: [AgentID] = []
        while let top = deadlineHeap.earliest, top <= now, let entry = deadlineHeap.pop() {
            if deadlines[entry.agent] == entry.at, due.last != entry.agent { due.append(entry.agent) }
        }
        for agent in due {
            // A chain: break (15 min) → lunch (30 min) → connected, each at its own deadline.
            var hops = 0
            while let deadline = deadlines[agent], deadline <= now, let index = agents.index(forKey: agent), hops < statusRules.count {
                hops += 1
                let (status, isVirtual) = withAgentState(at: index) { ($0.status, $0.isVirtual) }
                guard let next = statusRules[status]?.timeoutGoto else { break }
                let target = adapt(next, isVirtual: isVirtual)
                if target == status {
                    deadlines[agent] = nil
                    break
                }
                move(at: index, to: target, at: deadline, cause: .timeout, actor: .system, effects: &effects)
            }
        }
        deadlineHeap.compact(deadlines)
        return Outcome(effects: effects)
    }
}
