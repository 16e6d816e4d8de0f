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
    /// What the core has put into Asterisk, by member interface; each list sorted by queue.
    public internal(set) var members: [Interface: [Member]] = [:]
    /// Interfaces left in their queues by a logout with `stay_in_queues_on_logout`, and whose.
    public internal(set) var lingering: [Interface: AgentID] = [:]

    var byExtension: [ExtensionID: AgentID] = [:]
    /// Channel name prefix (`PJSIP/101`, `Local/101@agents`) → agent, for phones only.
    var byChannelBase: [String: AgentID] = [:]
    var callOwners: [String: AgentID] = [:]
    var statusCounts: [StatusID: Int] = [:]
    var deadlines: [AgentID: Timestamp] = [:]
    var deadlineHeap = DeadlineHeap()
    var pendingOriginates: Set<AgentID> = []
    /// Per user: every queue its skills name with its penalty (the lowest wins when two skills
    /// share a queue), sorted by queue. Sorted lists keep the membership diff a merge: no
    /// hashing, no sorting on the hot path.
    var userQueues: [AgentID: [(queue: QueueName, penalty: Int)]] = [:]

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
            let desired = desiredMembers(for: state)
            members[state.interface] = desired.isEmpty ? nil : desired
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
    public func desiredMembers(for state: AgentState) -> [Member] {
        guard let user = configuration.users[state.agent] else { return [] }
        return members(for: user, interface: state.interface, stateInterface: state.stateInterface, status: state.membershipStatus)
    }

    func members(for user: UserDefinition, interface: Interface, stateInterface: Interface?, status: StatusID, force: Bool = false) -> [Member] {
        guard force || configuration.statuses[status]?.activatesSkills == true, let queues = userQueues[user.login] else { return [] }
        return queues.map { Member(queue: $0.queue, interface: interface, penalty: $0.penalty, memberName: user.name, stateInterface: stateInterface) }
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
            userQueues[id] = queues.map { (queue: $0.key, penalty: $0.value) }.sorted { $0.queue < $1.queue }
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
            if deadlines[state.agent] != deadline {
                deadlines[state.agent] = deadline
                deadlineHeap.push(deadline, state.agent)
            }
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
        let wasActive = activates(state.membershipStatus)
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
        // Membership depends on the status only through `activate_skills`: when that is the
        // same on both sides, the members already match and nothing need be computed.
        if activates(state.membershipStatus) != wasActive {
            converge(state.interface, to: desiredMembers(for: state), effects: &effects)
        }
        effects.append(.saveAgent(agent, state))
    }

    func activates(_ status: StatusID) -> Bool { configuration.statuses[status]?.activatesSkills == true }

    /// Sends only what changes `interface`'s membership from what the core believes to `desired`.
    /// Both lists are sorted by queue: a merge walk.
    mutating func converge(_ interface: Interface, to desired: [Member], effects: inout [Effect]) {
        let current = members[interface] ?? []
        if current.isEmpty, desired.isEmpty { return }
        var removes: [Effect] = []
        var changes: [Effect] = []
        var i = 0, j = 0
        while i < current.count || j < desired.count {
            if j == desired.count || (i < current.count && current[i].queue < desired[j].queue) {
                removes.append(.queueRemove(queue: current[i].queue, interface: interface))
                i += 1
            } else if i == current.count || desired[j].queue < current[i].queue {
                changes.append(.queueAdd(desired[j]))
                j += 1
            } else {
                let (existing, wanted) = (current[i], desired[j])
                if existing.stateInterface != wanted.stateInterface {
                    changes.append(.queueRemove(queue: wanted.queue, interface: interface))
                    changes.append(.queueAdd(wanted))
                } else if existing.penalty != wanted.penalty {
                    changes.append(.queuePenalty(queue: wanted.queue, interface: interface, penalty: wanted.penalty))
                }
                i += 1
                j += 1
            }
        }
        effects += removes
        effects += changes
        members[interface] = desired.isEmpty ? nil : desired
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
