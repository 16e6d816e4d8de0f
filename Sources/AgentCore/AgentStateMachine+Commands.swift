extension AgentStateMachine {
    /// A person's command: login, logout, or a status change, with permissions checked.
    public mutating func handle(_ command: Command, by actor: Actor, at now: Timestamp) -> Outcome {
        switch command {
        case .login(let agent, let extensionID): login(agent, at: extensionID, by: actor, now: now)
        case .logout(let agent): logout(agent, by: actor, now: now)
        case .setStatus(let agent, let status): setStatus(agent, to: status, by: actor, now: now)
        }
    }

    private func cause(of actor: Actor, acting agent: AgentID) -> Cause {
        switch actor {
        case .admin: return .admin
        case .system: return .reconcile
        case .phone: return .phone
        case .user(let id):
            if id == agent { return .agent }
            return userSlots[id].map { userRules[$0].role } == .admin ? .admin : .supervisor
        }
    }

    /// Whether `actor` may run a command on `agent`; the agent's slot in `userRules` if so.
    private func check(_ agent: AgentID, by actor: Actor) throws(CommandError) -> Int {
        guard let slot = userSlots[agent] else { throw .unknownAgent(agent) }
        let allowed: Bool
        if case .user(let id) = actor, id == agent {
            allowed = userRules[slot].active  // `mayChange` for an agent acting on itself
        } else {
            allowed = mayChange(agent, by: actor)
        }
        guard allowed else {
            // Someone who may not even see the agent learns nothing about it.
            throw maySee(agent, by: actor) ? .forbidden(actor: actor, agent: agent) : .unknownAgent(agent)
        }
        guard userRules[slot].isAgent else { throw .notAnAgent(agent) }
        guard userRules[slot].active else { throw .inactive(agent) }
        return slot
    }

    /// A status limit check: nil when allowed, a warning when over a `warn` limit.
    private func limit(_ status: StatusID) -> Result<String?, CommandError> {
        guard let rules = statusRules[status], let max = rules.maxAgents, count(in: status) >= max
        else { return .success(nil) }
        switch rules.overLimit {
        case .deny: return .failure(.limitReached(status, limit: max))
        case .warn: return .success("status \(status) is over its limit: \((count(in: status) + 1).counted("agent")), limit \(max)")
        }
    }

    private mutating func login(_ agent: AgentID, at extensionID: ExtensionID, by actor: Actor, now: Timestamp) -> Outcome {
        do { _ = try check(agent, by: actor) } catch { return Outcome(result: .failure(error)) }
        guard let user = configuration.users[agent] else { return Outcome(result: .failure(.unknownAgent(agent))) }
        if let current = agents.index(forKey: agent) {
            return Outcome(result: .failure(.alreadyLoggedIn(agent, at: withAgentState(at: current, \.extensionID))))
        }
        guard let definition = configuration.extensions[extensionID] else {
            return Outcome(result: .failure(.unknownExtension(extensionID)))
        }
        guard offers(extensionID, to: user) else {
            return Outcome(result: .failure(.extensionNotAllowed(agent, extensionID)))
        }
        if let holder = byExtension[extensionID] {
            return Outcome(result: .failure(.extensionTaken(extensionID, by: holder)))
        }
        var effects: [Effect] = []
        let interface: Interface
        let status: StatusID
        if definition.isVirtual {
            guard let mobile = user.mobile else { return Outcome(result: .failure(.noMobile(agent))) }
            interface = configuration.remote.interface(mobile: mobile)
            status = .virtual
            effects.append(.dbPut(family: configuration.remote.followmeFamily, key: extensionID.rawValue, value: mobile))
        } else {
            guard let phone = definition.interface else { return Outcome(result: .failure(.unknownExtension(extensionID))) }
            interface = phone
            status = defaultStatus
        }
        var warnings: [String] = []
        switch limit(status) {
        case .failure(let error): return Outcome(result: .failure(error))
        case .success(let warning): warnings += warning.map { [$0] } ?? []
        }
        // A phone another agent left in its queues (stay_in_queues_on_logout) is now this agent's.
        lingering[interface] = nil
        let state = AgentState(
            agent: agent, status: status, since: now, extensionID: extensionID, interface: interface,
            stateInterface: definition.isVirtual ? nil : (definition.stateInterface ?? interface), isVirtual: definition.isVirtual)
        insert(state)
        effects.append(
            .transition(Transition(agent: agent, from: .unassigned, to: status, at: now, cause: cause(of: actor, acting: agent), actor: actor, note: warnings.first)))
        converge(interface, to: desiredMembers(for: state), effects: &effects)
        effects.append(.saveAgent(agent, state))
        return Outcome(effects: effects, result: .success(state), warnings: warnings)
    }

    private mutating func logout(_ agent: AgentID, by actor: Actor, now: Timestamp) -> Outcome {
        do { _ = try check(agent, by: actor) } catch {
            // An inactive or removed user may still be logged out.
            if case .inactive = error {} else if case .notAnAgent = error {} else { return Outcome(result: .failure(error)) }
        }
        guard agents.index(forKey: agent) != nil else { return Outcome(result: .failure(.notLoggedIn(agent))) }
        var effects: [Effect] = []
        logOut(agent, at: now, cause: cause(of: actor, acting: agent), actor: actor, note: nil, effects: &effects)
        return Outcome(effects: effects, result: .success(nil))
    }

    /// Logs an agent out: its queues are left (unless it stays in them), follow-me is removed.
    mutating func logOut(_ agent: AgentID, at now: Timestamp, cause: Cause, actor: Actor, note: String?, effects: inout [Effect]) {
        guard let state = agents[agent] else { return }
        remove(agent)
        effects.append(.transition(Transition(agent: agent, from: state.status, to: .unassigned, at: now, cause: cause, actor: actor, note: note)))
        for (uniqueID, _) in state.calls.sorted(by: { $0.key < $1.key }) {
            effects.append(.callEnded(agent: agent, uniqueID: uniqueID, at: now))
        }
        let stays = userSlots[agent].map { userRules[$0].stayInQueuesOnLogout } == true && cause != .reload
        if stays, members[state.interface] != nil {
            lingering[state.interface] = agent
        } else {
            converge(state.interface, to: [], effects: &effects)
        }
        if state.isVirtual {
            effects.append(.dbDel(family: configuration.remote.followmeFamily, key: state.extensionID.rawValue))
        }
        effects.append(.saveAgent(agent, nil))
    }

    private mutating func setStatus(_ agent: AgentID, to requested: StatusID, by actor: Actor, now: Timestamp) -> Outcome {
        let slot: Int
        do { slot = try check(agent, by: actor) } catch { return Outcome(result: .failure(error)) }
        guard let index = agents.index(forKey: agent) else { return Outcome(result: .failure(.notLoggedIn(agent))) }
        guard statusRules[requested] != nil else { return Outcome(result: .failure(.unknownStatus(requested))) }
        switch requested {
        case .unassigned:
            return Outcome(result: .failure(.statusNotSettable(requested, reason: "log out instead")))
        case .incomingCall, .outgoingCall:
            return Outcome(result: .failure(.statusNotSettable(requested, reason: "call statuses follow the phone")))
        default:
            break
        }
        let (current, isVirtual) = withAgentState(at: index) { ($0.status, $0.isVirtual) }
        let status = adapt(requested, isVirtual: isVirtual)
        var effects: [Effect] = []
        var warnings: [String] = []

        if current.isCall {
            // During a call the change is kept and honoured at hangup, as the new "last"; the
            // membership follows at once (a call keeps the membership of the status it interrupted).
            guard withAgentState(at: index, { $0.statusBeforeCall != status || $0.requestedBy == nil }) else {
                return Outcome(result: .success(agents.values[index]))
            }
            Self.request(status, by: actor, &agents.values[index])
            let updated = agents.values[index]
            converge(updated.interface, to: desiredMembers(for: updated), effects: &effects)
            effects.append(.saveAgent(agent, updated))
            return Outcome(effects: effects, result: .success(updated))
        }
        guard status != current else { return Outcome(result: .success(agents.values[index])) }
        switch limit(status) {
        case .failure(let error): return Outcome(result: .failure(error))
        case .success(let warning): warnings += warning.map { [$0] } ?? []
        }
        let moved = move(at: index, slot: slot, to: status, at: now, cause: cause(of: actor, acting: agent), actor: actor, note: warnings.first, effects: &effects)
        return Outcome(effects: effects, result: .success(moved ?? agents[agent]), warnings: warnings)
    }

    private static func request(_ status: StatusID, by actor: Actor, _ state: inout AgentState) {
        state.statusBeforeCall = status
        state.requestedBy = actor
    }
}
