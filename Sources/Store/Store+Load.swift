public import AgentCore

extension Store {
    /// Every logged-in agent as last committed, with its calls in progress. The daemon hands them
    /// to `AgentStateMachine(configuration:restoring:)`, which recomputes deadlines from `since`.
    public func loadAgents() throws(StoreError) -> [AgentState] {
        var calls: [AgentID: [String: CallDirection]] = [:]
        let callRows = try database.query("SELECT agent, unique_id, direction FROM agent_call") { (row) throws(StoreError) in
            let agent = AgentID(row.text(0) ?? "")
            let uniqueID = row.text(1) ?? ""
            guard let direction = row.text(2).flatMap(CallDirection.init(rawValue:)) else {
                throw StoreError.badValue(table: "agent_call", column: "direction", key: agent.rawValue)
            }
            return (agent, uniqueID, direction)
        }
        for (agent, uniqueID, direction) in callRows { calls[agent, default: [:]][uniqueID] = direction }
        return try database.query(
            """
            SELECT agent, status, since_ms, extension, interface, state_interface, is_virtual, status_before_call, requested_by
            FROM agent_state ORDER BY agent
            """
        ) { (row) throws(StoreError) in
            let agent = AgentID(row.text(0) ?? "")
            var requestedBy: Actor?
            if let text = row.text(8) {
                guard let actor = Actor(storedText: text) else {
                    throw StoreError.badValue(table: "agent_state", column: "requested_by", key: agent.rawValue)
                }
                requestedBy = actor
            }
            return AgentState(
                agent: agent, status: StatusID(row.text(1) ?? ""), since: Timestamp(millisecondsSince1970: row.int64(2)),
                extensionID: ExtensionID(row.text(3) ?? ""), interface: Interface(row.text(4) ?? ""),
                stateInterface: row.text(5).map(Interface.init), isVirtual: row.int64(6) != 0, calls: calls[agent] ?? [:],
                statusBeforeCall: row.text(7).map(StatusID.init), requestedBy: requestedBy)
        }
    }

    /// Interfaces a logout left in their queues, and whose they are.
    public func loadLingering() throws(StoreError) -> [Interface: AgentID] {
        let rows = try database.query("SELECT interface, agent FROM lingering") { row in
            (Interface(row.text(0) ?? ""), AgentID(row.text(1) ?? ""))
        }
        return Dictionary(rows, uniquingKeysWith: { first, _ in first })
    }
}
