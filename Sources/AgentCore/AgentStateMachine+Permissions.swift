extension AgentStateMachine {
    /// The role an actor has; nil for a user not in the configuration.
    public func role(of actor: Actor) -> Role? {
        switch actor {
        case .admin, .system: .admin
        case .phone: .agent
        case .user(let id): userSlots[id].map { userRules[$0].role }
        }
    }

    /// Whether `actor` may change `agent`: an agent only itself, a supervisor its agents, an
    /// admin everyone; a phone only the agent at (or whose personal extension is) that phone.
    public func mayChange(_ agent: AgentID, by actor: Actor) -> Bool {
        switch actor {
        case .admin, .system:
            return true
        case .phone(let extensionID):
            if let current = agents[agent] { return current.extensionID == extensionID }
            return configuration.users[agent]?.personalExtension == extensionID
        case .user(let id):
            guard let slot = userSlots[id], userRules[slot].active else { return false }
            let role = userRules[slot].role
            if id == agent || role == .admin { return true }
            return role == .supervisor && userSlots[agent].map { userRules[$0].supervisors.contains(id) } == true
        }
    }

    /// Whether `actor` may see `agent`: whom it may change, plus its own group. Groups never see
    /// each other.
    public func maySee(_ agent: AgentID, by actor: Actor) -> Bool {
        if mayChange(agent, by: actor) { return true }
        guard case .user(let id) = actor, let viewer = configuration.users[id], viewer.active,
            let group = viewer.group, let target = configuration.users[agent]
        else { return false }
        return target.group == group
    }
}

/// One line of the extension list an agent is offered at login.
public struct ExtensionOffer: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        case personal, virtual, other
    }

    public var id: ExtensionID
    public var kind: Kind
    /// What the agent sees: `101`, or `mobile +972501234567` for its virtual extension.
    public var label: String
    /// Who sits there now, if anyone.
    public var takenBy: AgentID?
}

extension AgentStateMachine {
    /// The ordered offer: (1) the personal extension, (2) the agent's own virtual extension as
    /// `mobile <number>`, (3) every other extension it may use. Others' virtual extensions are
    /// never offered.
    public func extensionOffer(for agent: AgentID) -> [ExtensionOffer] {
        guard let user = configuration.users[agent] else { return [] }
        var offer: [ExtensionOffer] = []
        var seen: Set<ExtensionID> = []
        func add(_ id: ExtensionID, _ kind: ExtensionOffer.Kind, _ label: String) {
            guard !seen.contains(id), configuration.extensions[id] != nil else { return }
            seen.insert(id)
            offer.append(ExtensionOffer(id: id, kind: kind, label: label, takenBy: byExtension[id]))
        }
        if let personal = user.personalExtension, configuration.extensions[personal]?.isVirtual == false {
            add(personal, .personal, personal.rawValue)
        }
        if user.remote, let virtual = user.virtualExtension, let mobile = user.mobile,
            configuration.extensions[virtual]?.isVirtual == true
        {
            add(virtual, .virtual, "mobile \(mobile)")
        }
        for id in user.extensions where configuration.extensions[id]?.isVirtual == false {
            add(id, .other, id.rawValue)
        }
        return offer
    }

    /// Whether `extensionOffer(for:)` lists `extensionID` for `user`, without building the list.
    func offers(_ extensionID: ExtensionID, to user: UserDefinition) -> Bool {
        guard let definition = configuration.extensions[extensionID] else { return false }
        if definition.isVirtual {
            return user.remote && user.virtualExtension == extensionID && user.mobile != nil
        }
        return user.personalExtension == extensionID || user.extensions.contains(extensionID)
    }
}
