/// Per user: the fields of its definition the rules read, and its queues.
struct UserRules: Sendable {
    var name: String
    var isAgent: Bool
    var active: Bool
    var role: Role
    var supervisors: [AgentID]
    var stayInQueuesOnLogout: Bool
    /// Every queue its skills name with its penalty (the lowest wins when two skills share a
    /// queue), sorted by queue. Sorted lists keep the membership diff a merge: no hashing, no
    /// sorting on the hot path.
    var queues: [(queue: QueueName, penalty: Int)]
    /// `queues` as members of the interface the agent logged in at, handed out as this same
    /// array every time: a status change that brings the agent back into its queues shares it
    /// (copy-on-write) instead of building it again.
    var cachedInterface: Interface?
    var cachedStateInterface: Interface?
    var cachedMembers: [Member] = []

    init(_ user: UserDefinition, skills: [SkillID: SkillDefinition]) {
        name = user.name
        isAgent = user.isAgent
        active = user.active
        role = user.role
        supervisors = user.supervisors
        stayInQueuesOnLogout = user.stayInQueuesOnLogout
        var penalties: [QueueName: Int] = [:]
        for assignment in user.skills {
            for queue in skills[assignment.skill]?.queues ?? [] {
                penalties[queue] = min(penalties[queue] ?? Int.max, assignment.penalty)
            }
        }
        queues = penalties.map { (queue: $0.key, penalty: $0.value) }.sorted { $0.queue < $1.queue }
    }

    func members(interface: Interface, stateInterface: Interface?) -> [Member] {
        if cachedInterface == interface, cachedStateInterface == stateInterface { return cachedMembers }
        return buildMembers(interface: interface, stateInterface: stateInterface)
    }

    /// Called when the agent logs in (or its interface changes): at most one list per user is
    /// kept, so memory follows the configuration, not the traffic.
    mutating func cacheMembers(interface: Interface, stateInterface: Interface?) {
        guard cachedInterface != interface || cachedStateInterface != stateInterface else { return }
        cachedMembers = buildMembers(interface: interface, stateInterface: stateInterface)
        cachedInterface = interface
        cachedStateInterface = stateInterface
    }

    private func buildMembers(interface: Interface, stateInterface: Interface?) -> [Member] {
        queues.map { Member(queue: $0.queue, interface: interface, penalty: $0.penalty, memberName: name, stateInterface: stateInterface) }
    }
}

/// Per status: the fields the rules read, without its label and colour.
struct StatusRules: Sendable {
    var activatesSkills: Bool
    /// The timeout, only when there is somewhere to go when it expires.
    var timeout: Duration?
    var timeoutGoto: StatusID?
    var maxAgents: Int?
    var overLimit: StatusDefinition.OverLimit
    var onHangup: OnHangup?

    init(_ definition: StatusDefinition) {
        activatesSkills = definition.activatesSkills
        timeout = definition.timeoutGoto == nil ? nil : definition.timeout
        timeoutGoto = definition.timeoutGoto
        maxAgents = definition.maxAgents
        overLimit = definition.overLimit
        onHangup = definition.onHangup
    }
}

extension AgentStateMachine {
    /// Derives what the hot paths need from the configuration, once per configuration (at init
    /// and at every reload), so that an input neither copies whole definitions out of its
    /// dictionaries nor rebuilds what it can share.
    mutating func rebuildCaches() {
        statusRules = configuration.statuses.mapValues(StatusRules.init)
        defaultStatus = configuration.loginStatus
        userSlots.removeAll(keepingCapacity: true)
        userRules.removeAll(keepingCapacity: true)
        for (id, user) in configuration.users {
            userSlots[id] = userRules.count
            userRules.append(UserRules(user, skills: configuration.skills))
        }
        for state in agents.values {
            guard let slot = userSlots[state.agent] else { continue }
            userRules[slot].cacheMembers(interface: state.interface, stateInterface: state.stateInterface)
        }
    }

    func activates(_ status: StatusID) -> Bool { statusRules[status]?.activatesSkills == true }
}
