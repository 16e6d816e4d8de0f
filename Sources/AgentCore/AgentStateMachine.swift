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
    /// chan_sip and DAHDI channels of agents' phones made without saying yet who dials whom (see
    /// `waitsForRing`), by unique id: a `DialBegin` makes one incoming, `Newstate` Ring outgoing.
    var undecidedChannels: Set<String> = []
    var callOwners: [String: AgentID] = [:]
    var statusCounts: [StatusID: Int] = [:]
    var deadlines: [AgentID: Timestamp] = [:]
    var deadlineHeap = DeadlineHeap()
    var pendingOriginates: Set<AgentID> = []
    /// The configuration as the rules read it, rebuilt with it (`rebuildCaches`). Per user in an
    /// array, so that reading a field copies nothing; `userSlots` says where each user is.
    var userRules: [UserRules] = []
    var userSlots: [AgentID: Int] = [:]
    var statusRules: [StatusID: StatusRules] = [:]
    /// `configuration.loginStatus`, which is computed.
    var defaultStatus: StatusID = .connected

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
            guard agents[agent] == nil, configuration.users[agent] != nil else { continue }
            self.lingering[interface] = agent
            members[interface] = members(for: agent, interface: interface, stateInterface: nil, status: defaultStatus, force: true)
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
        guard let slot = userSlots[state.agent], activates(state.membershipStatus) else { return [] }
        return userRules[slot].members(interface: state.interface, stateInterface: state.stateInterface)
    }

    /// `desiredMembers` for a state whose status is known to activate its skills.
    private func userMembers(for state: AgentState, slot: Int?) -> [Member] {
        guard let slot = slot ?? userSlots[state.agent] else { return [] }
        return userRules[slot].members(interface: state.interface, stateInterface: state.stateInterface)
    }

    func members(for agent: AgentID, interface: Interface, stateInterface: Interface?, status: StatusID, force: Bool = false) -> [Member] {
        guard force || activates(status), let slot = userSlots[agent] else { return [] }
        return userRules[slot].members(interface: interface, stateInterface: stateInterface)
    }

    // MARK: Bookkeeping shared by the rules

    mutating func insert(_ state: AgentState) {
        agents[state.agent] = state
        if let slot = userSlots[state.agent] {
            userRules[slot].cacheMembers(interface: state.interface, stateInterface: state.stateInterface)
        }
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
        updateDeadline(of: state, timeout: statusRules[state.status]?.timeout)
    }

    /// `updateDeadline` with the timeout of the agent's status already looked up.
    private mutating func updateDeadline(of state: AgentState, timeout: Duration?) {
        if let timeout {
            let deadline = state.since + timeout
            if deadlines.updateValue(deadline, forKey: state.agent) != deadline {
                deadlineHeap.push(deadline, state.agent)
            }
        } else {
            deadlines.removeValue(forKey: state.agent)
        }
    }

    /// Moves an agent to `status`, records it, and converges its membership. Returns the agent's
    /// state afterwards, or nil when it did not move.
    @discardableResult
    mutating func move(
        _ agent: AgentID, to status: StatusID, at now: Timestamp, cause: Cause, actor: Actor, note: String? = nil,
        effects: inout [Effect]
    ) -> AgentState? {
        guard let index = agents.index(forKey: agent) else { return nil }
        return move(at: index, to: status, at: now, cause: cause, actor: actor, note: note, effects: &effects)
    }

    /// `move` for an agent already looked up (and its user's slot, when the caller has it); the
    /// state is changed in place, not copied out and written back.
    @discardableResult
    mutating func move(
        at index: [AgentID: AgentState].Index, slot: Int? = nil, to status: StatusID, at now: Timestamp, cause: Cause,
        actor: Actor, note: String? = nil, effects: inout [Effect]
    ) -> AgentState? {
        let (from, wasMembership) = withAgentState(at: index) { ($0.status, $0.membershipStatus) }
        guard from != status else { return nil }
        let wasActive = activates(wasMembership)
        let rules = statusRules[status]
        effects.reserve(2)
        statusCounts[from, default: 1] -= 1
        statusCounts[status, default: 0] += 1
        Self.enter(status, at: now, &agents.values[index])
        let state = agents.values[index]
        updateDeadline(of: state, timeout: rules?.timeout)
        effects.append(.transition(Transition(agent: state.agent, from: from, to: status, at: now, cause: cause, actor: actor, note: note)))
        // Membership depends on the status only through `activate_skills`: when that is the
        // same on both sides, the members already match and nothing need be computed. Out of a
        // call, the membership status is the status itself.
        let isActive = status.isCall ? activates(state.membershipStatus) : rules?.activatesSkills == true
        if isActive != wasActive {
            converge(state.interface, to: isActive ? userMembers(for: state, slot: slot) : [], effects: &effects)
        }
        effects.append(.saveAgent(state.agent, state))
        return state
    }

    /// Works on a logged-in agent's state where it lies. Reading `agents.values[index]` would
    /// copy the whole state, a retain and a release per field, to look at one of them. Like any
    /// write, it makes the dictionary's storage unique first.
    mutating func withAgentState<Result>(at index: [AgentID: AgentState].Index, _ body: (inout AgentState) -> Result) -> Result {
        body(&agents.values[index])
    }

    private static func enter(_ status: StatusID, at now: Timestamp, _ state: inout AgentState) {
        state.status = status
        state.since = now
        if !status.isCall {
            state.statusBeforeCall = nil
            state.requestedBy = nil
        }
    }

    /// Sends only what changes `interface`'s membership from what the core believes to `desired`.
    /// Both lists are sorted by queue: a merge walk, once for the removals and once for the
    /// additions and changes, so the removals come first.
    mutating func converge(_ interface: Interface, to desired: [Member], effects: inout [Effect]) {
        Self.converge(&members[interface], of: interface, to: desired, effects: &effects)
    }

    /// `converge` on the entry of `members` itself: one lookup for the read and the write.
    private static func converge(_ believed: inout [Member]?, of interface: Interface, to desired: [Member], effects: inout [Effect]) {
        let current = believed ?? []
        if current.isEmpty, desired.isEmpty { return }
        effects.reserve(current.count + desired.count + 1)
        var i = 0, j = 0
        while i < current.count {
            if j == desired.count || current[i].queue < desired[j].queue {
                effects.append(.queueRemove(queue: current[i].queue, interface: interface))
                i += 1
            } else if desired[j].queue < current[i].queue {
                j += 1
            } else {
                i += 1
                j += 1
            }
        }
        i = 0
        j = 0
        while j < desired.count {
            if i == current.count || desired[j].queue < current[i].queue {
                effects.append(.queueAdd(desired[j]))
                j += 1
            } else if current[i].queue < desired[j].queue {
                i += 1
            } else {
                let (existing, wanted) = (current[i], desired[j])
                if existing.stateInterface != wanted.stateInterface {
                    effects.append(.queueRemove(queue: wanted.queue, interface: interface))
                    effects.append(.queueAdd(wanted))
                } else if existing.penalty != wanted.penalty {
                    effects.append(.queuePenalty(queue: wanted.queue, interface: interface, penalty: wanted.penalty))
                }
                i += 1
                j += 1
            }
        }
        believed = desired.isEmpty ? nil : desired
    }

    /// `virtual` stands in for `connected` for agents on a virtual extension, and the reverse.
    func adapt(_ status: StatusID, for state: AgentState) -> StatusID {
        adapt(status, isVirtual: state.isVirtual)
    }

    func adapt(_ status: StatusID, isVirtual: Bool) -> StatusID {
        if isVirtual, status == .connected { return .virtual }
        if !isVirtual, status == .virtual { return .connected }
        return status
    }

    /// What the channels of an interface are named before their `-<n>`: `PJSIP/101` → `PJSIP/101`,
    /// `Local/101@agents/n` → `Local/101@agents` and `PJSIP/101/sip:101@host` → `PJSIP/101`
    /// (channels carry no options or contact), `sip/101` → `SIP/101` (Asterisk finds a driver in
    /// any case, and its channels carry the driver's own spelling).
    static func channelBase(of interface: Interface) -> String {
        let raw = interface.rawValue
        guard let slash = raw.firstIndex(of: "/") else { return raw }
        let technology = raw[..<slash]
        let lowered = technology.lowercased()
        let spelled = knownTechnologies.first { $0.lowercased() == lowered } ?? String(technology)
        let resource = raw[raw.index(after: slash)...]
        let end = resource.firstIndex(of: "/") ?? resource.endIndex
        return spelled + "/" + resource[..<end]
    }

    /// Channel drivers whose phones agents sit at, as they spell their channels' names.
    static let knownTechnologies = ["PJSIP", "SIP", "IAX2", "DAHDI", "Local"]
}
