/// The rules of the product, pure: commands, call events, clock ticks, reloads and Asterisk's
/// actual state go in; effects (queue actions, AstDB, history records, saved state) come out.
/// No I/O and no clock: every input carries `now`.
///
/// It keeps what it believes it has put into Asterisk (`members`), so every change sends only
/// the `QueueAdd` / `QueueRemove` / `QueuePenalty` that change something.
public struct AgentStateMachine: Sendable {
    public internal(set) var configuration: CoreConfiguration
    /// Logged-in agents.
    public internal(set) var agents: [AgentID: AgentState] = [:]
    /// What the core has put into Asterisk, by member interface.
    public internal(set) var members: [Interface: [QueueName: Member]] = [:]
    /// Interfaces left in their queues by a logout with `stay_in_queues_on_logout`, and whose.
    public internal(set) var lingering: [Interface: AgentID] = [:]

    var byExtension: [ExtensionID: AgentID] = [:]
    /// Channel name prefix (`PJSIP/101`, `Local/101@agents`) → agent, for phones only.
    var byChannelBase: [String: AgentID] = [:]
    var callOwners: [String: AgentID] = [:]
    var statusCounts: [StatusID: Int] = [:]
    var deadlines: [AgentID: Timestamp] = [:]
    var earliestDeadline: Timestamp?
    var pendingOriginates: Set<AgentID> = []
    /// Per user: queue → penalty of every queue its skills name (the lowest penalty wins when
    /// two skills share a queue).
    var userQueues: [AgentID: [QueueName: Int]] = [:]

    public init(configuration: CoreConfiguration) {
        self.configuration = configuration
        rebuildCaches()
    }

    /// Restores agents saved in the store (after a daemon restart). The members are assumed to be
    /// what their states imply; the reconcile with Asterisk that follows corrects that belief.
    public init(configuration: CoreConfiguration, restoring saved: [AgentState], lingering: [Interface: AgentID] = [:]) {
        self.init(configuration: configuration)
        for state in saved.sorted(by: { $0.agent < $1.agent }) where configuration.users[state.agent] != nil {
            insert(state)
            members[state.interface] = desiredMembers(for: state).nilIfEmpty
        }
        for (interface, agent) in lingering {
            guard agents[agent] == nil, let user = configuration.users[agent] else { continue }
            self.lingering[interface] = agent
            members[interface] = members(for: user, interface: interface, stateInterface: nil, status: configuration.loginStatus, force: true)
        }
    }

    // MARK: Queries

    public func state(of agent: AgentID) -> AgentState? { agents[agent] }

    /// When the agent's timed status expires, if it is timed.
    public func deadline(of agent: AgentID) -> Timestamp? { deadlines[agent] }

    public func agent(at extensionID: ExtensionID) -> AgentID? { byExtension[extensionID] }

    public func count(in status: StatusID) -> Int { statusCounts[status, default: 0] }

    /// The queues (with penalties) the agent's current status implies: what the core keeps
    /// Asterisk at.
    public func desiredMembers(for state: AgentState) -> [QueueName: Member] {
        guard let user = configuration.users[state.agent] else { return [:] }
        return members(for: user, interface: state.interface, stateInterface: state.stateInterface, status: state.membershipStatus)
    }

    func members(for user: UserDefinition, interface: Interface, stateInterface: Interface?, status: StatusID, force: Bool = false) -> [QueueName: Member] {
        guard force || configuration.statuses[status]?.activatesSkills == true else { return [:] }
        var result: [QueueName: Member] = [:]
        for (queue, penalty) in userQueues[user.login] ?? [:] {
            result[queue] = Member(queue: queue, interface: interface, penalty: penalty, memberName: user.name, stateInterface: stateInterface)
        }
        return result
    }

    // MARK: Bookkeeping shared by the rules

    mutating func rebuildCaches() {
        userQueues.removeAll(keepingCapacity: true)
        for (id, user) in configuration.users {
            var queues: [QueueName: Int] = [:]
            for assignment in user.skills {
                for queue in configuration.skills[assignment.skill]?.queues ?? [] {
                    queues[queue] = min(queues[queue] ?? Int.max, assignment.penalty)
                }
            }
            userQueues[id] = queues
        }
    }

    mutating func insert(_ state: AgentState) {
        agents[state.agent] = state
        byExtension[state.extensionID] = state.agent
        if !state.isVirtual { byChannelBase[Self.channelBase(of: state.interface)] = state.agent }
        for uniqueID in state.calls.keys { callOwners[uniqueID] = state.agent }
        statusCounts[state.status, default: 0] += 1
        updateDeadline(of: state)
    }

    mutating func remove(_ agent: AgentID) {
        guard let state = agents.removeValue(forKey: agent) else { return }
        byExtension[state.extensionID] = nil
        if !state.isVirtual, byChannelBase[Self.channelBase(of: state.interface)] == agent {
            byChannelBase[Self.channelBase(of: state.interface)] = nil
        }
        for uniqueID in state.calls.keys { callOwners[uniqueID] = nil }
        statusCounts[state.status, default: 1] -= 1
        deadlines[agent] = nil
        pendingOriginates.remove(agent)
    }

    mutating func updateDeadline(of state: AgentState) {
        if let timeout = configuration.statuses[state.status]?.timeout, configuration.statuses[state.status]?.timeoutGoto != nil {
            let deadline = state.since + timeout
            deadlines[state.agent] = deadline
            if earliestDeadline.map({ deadline < $0 }) ?? true { earliestDeadline = deadline }
        } else {
            deadlines[state.agent] = nil
        }
    }

    /// Moves an agent to `status`, records it, and converges its membership.
    mutating func move(
        _ agent: AgentID, to status: StatusID, at now: Timestamp, cause: Cause, actor: Actor, note: String? = nil,
        effects: inout [Effect]
    ) {
        guard var state = agents[agent], state.status != status else { return }
        let from = state.status
        statusCounts[from, default: 1] -= 1
        statusCounts[status, default: 0] += 1
        state.status = status
        state.since = now
        if !status.isCall {
            state.statusBeforeCall = nil
            state.requestedBy = nil
        }
        agents[agent] = state
        updateDeadline(of: state)
        effects.append(.transition(Transition(agent: agent, from: from, to: status, at: now, cause: cause, actor: actor, note: note)))
        converge(state.interface, to: desiredMembers(for: state), effects: &effects)
        effects.append(.saveAgent(agent, state))
    }

    /// Sends only what changes `interface`'s membership from what the core believes to `desired`.
    mutating func converge(_ interface: Interface, to desired: [QueueName: Member], effects: inout [Effect]) {
        let current = members[interface] ?? [:]
        if current == desired { return }
        for queue in current.keys.sorted() where desired[queue] == nil {
            effects.append(.queueRemove(queue: queue, interface: interface))
        }
        for queue in desired.keys.sorted() {
            guard let wanted = desired[queue] else { continue }
            if let existing = current[queue] {
                if existing.stateInterface != wanted.stateInterface {
                    effects.append(.queueRemove(queue: queue, interface: interface))
                    effects.append(.queueAdd(wanted))
                } else if existing.penalty != wanted.penalty {
                    effects.append(.queuePenalty(queue: queue, interface: interface, penalty: wanted.penalty))
                }
            } else {
                effects.append(.queueAdd(wanted))
            }
        }
        members[interface] = desired.nilIfEmpty
    }

    /// `virtual` stands in for `connected` for agents on a virtual extension, and the reverse.
    func adapt(_ status: StatusID, for state: AgentState) -> StatusID {
        if state.isVirtual, status == .connected { return .virtual }
        if !state.isVirtual, status == .virtual { return .connected }
        return status
    }

    /// `PJSIP/101` → `PJSIP/101`; `Local/101@agents/n` → `Local/101@agents` (channels carry no options).
    static func channelBase(of interface: Interface) -> String {
        let raw = interface.rawValue
        if raw.hasPrefix("Local/"), let slash = raw.dropFirst("Local/".count).firstIndex(of: "/") {
            return String(raw[..<slash])
        }
        return raw
    }
}

extension Dictionary {
    var nilIfEmpty: Self? { isEmpty ? nil : self }
}
