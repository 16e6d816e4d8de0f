extension AgentStateMachine {
    /// A new configuration: logged-in agents keep their state where they can, with the minimal
    /// membership change; an agent whose user, extension or status disappeared is moved or
    /// logged out with a recorded reason.
    public mutating func reload(_ new: CoreConfiguration, at now: Timestamp) -> Outcome {
        var effects: [Effect] = []
        configuration = new
        rebuildCaches()
        for agent in agents.keys.sorted() {
            guard let state = agents[agent] else { continue }
            let reason: String?
            if let user = new.users[agent] {
                if !user.active || !user.isAgent {
                    reason = "user \(agent) is no longer an active agent"
                } else if new.extensions[state.extensionID] == nil {
                    reason = "extension \(state.extensionID) was removed"
                } else if !offers(state.extensionID, to: user) {
                    reason = "\(agent) may no longer use extension \(state.extensionID)"
                } else {
                    reason = nil
                }
            } else {
                reason = "user \(agent) was removed"
            }
            if let reason {
                logOut(agent, at: now, cause: .reload, actor: .system, note: reason, effects: &effects)
                effects.append(.warning(event: "agent.logged_out_by_reload", agent: agent, message: reason))
                continue
            }
            reattach(agent, at: now, effects: &effects)
        }
        // Phones left in their queues by a logout: keep them only while their user and skills exist.
        for (interface, agent) in lingering.sorted(by: { $0.key < $1.key }) {
            if let user = new.users[agent], user.active {
                members[interface].map { current in
                    let wanted = members(for: agent, interface: interface, stateInterface: current.first?.stateInterface, status: defaultStatus, force: true)
                    converge(interface, to: wanted, effects: &effects)
                }
            } else {
                lingering[interface] = nil
                converge(interface, to: [], effects: &effects)
            }
        }
        deadlineHeap.compact(deadlines)
        return Outcome(effects: effects)
    }

    /// Re-applies the configuration to one logged-in agent that may stay.
    private mutating func reattach(_ agent: AgentID, at now: Timestamp, effects: inout [Effect]) {
        guard var state = agents[agent], let user = configuration.users[agent],
            let definition = configuration.extensions[state.extensionID]
        else { return }
        // The member interface may have changed (a new phone, a new mobile number).
        let interface: Interface
        if state.isVirtual, let mobile = user.mobile {
            interface = configuration.remote.interface(mobile: mobile)
            effects.append(.dbPut(family: configuration.remote.followmeFamily, key: state.extensionID.rawValue, value: mobile))
        } else {
            interface = definition.interface ?? state.interface
        }
        let stateInterface = state.isVirtual ? nil : (definition.stateInterface ?? interface)
        if interface != state.interface || stateInterface != state.stateInterface {
            converge(state.interface, to: [], effects: &effects)
            remove(agent)
            state.interface = interface
            state.stateInterface = stateInterface
            insert(state)
        }
        // A status that no longer exists: back to the login status.
        if statusRules[state.status] == nil {
            move(agent, to: adapt(defaultStatus, for: state), at: now, cause: .reload, actor: .system,
                 note: "status \(state.status) was removed", effects: &effects)
        } else if let before = state.statusBeforeCall, statusRules[before] == nil {
            state.statusBeforeCall = adapt(defaultStatus, for: state)
            agents[agent] = state
        }
        if let current = agents[agent] {
            updateDeadline(of: current)
            converge(current.interface, to: desiredMembers(for: current), effects: &effects)
        }
    }
}
