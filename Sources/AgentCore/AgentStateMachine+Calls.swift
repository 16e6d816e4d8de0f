extension AgentStateMachine {
    /// A call event on some channel. Channels of phones that no logged-in agent sits at, the
    /// `;2` halves of Local channels, and agents on virtual extensions (their calls go to a
    /// mobile and cannot be watched) produce nothing.
    public mutating func handle(_ event: CallEvent, at now: Timestamp) -> Outcome {
        var effects: [Effect] = []
        switch event {
        case .originateStarted(let agent):
            if agents[agent]?.isVirtual == false { pendingOriginates.insert(agent) }
        case .channelCreated(let uniqueID, let channel, let state):
            guard let agent = owner(of: channel) else { break }
            // The phone placing a call shows up in state 4 (Ring); a channel Asterisk makes
            // towards the phone starts Down (0). A click-to-dial rings the phone first, yet it is
            // an outgoing call.
            let direction: CallDirection = pendingOriginates.remove(agent) != nil || state == 4 ? .outgoing : .incoming
            startCall(agent, uniqueID: uniqueID, channel: channel, direction: direction, at: now, cause: .call, effects: &effects)
        case .dialed(let uniqueID, let channel):
            guard let agent = owner(of: channel), agents[agent]?.calls[uniqueID] == nil else { break }
            let direction: CallDirection = pendingOriginates.remove(agent) != nil ? .outgoing : .incoming
            startCall(agent, uniqueID: uniqueID, channel: channel, direction: direction, at: now, cause: .call, effects: &effects)
        case .hangup(let uniqueID, _):
            guard let agent = callOwners[uniqueID] else { break }
            endCall(agent, uniqueID: uniqueID, at: now, cause: .hangup, effects: &effects)
        }
        return Outcome(effects: effects)
    }

    /// The logged-in agent whose phone a channel belongs to: `PJSIP/101-0000002a` → `PJSIP/101`,
    /// `Local/101@agents-00000003;1` → `Local/101@agents`.
    func owner(of channel: String) -> AgentID? {
        guard let base = Self.channelBase(ofChannel: channel) else { return nil }
        return byChannelBase[base]
    }

    static func channelBase(ofChannel channel: String) -> String? {
        var name = Substring(channel)
        if name.hasPrefix("Local/") {
            if name.hasSuffix(";2") { return nil }  // Asterisk's internal half of the same call
            if name.hasSuffix(";1") { name = name.dropLast(2) }
        }
        guard let dash = name.lastIndex(of: "-") else { return nil }
        return String(name[..<dash])
    }

    mutating func startCall(
        _ agent: AgentID, uniqueID: String, channel: String, direction: CallDirection, at now: Timestamp, cause: Cause,
        effects: inout [Effect]
    ) {
        guard var state = agents[agent], !state.isVirtual, state.calls[uniqueID] == nil else { return }
        state.calls[uniqueID] = direction
        callOwners[uniqueID] = agent
        effects.append(.callStarted(agent: agent, uniqueID: uniqueID, channel: channel, direction: direction, at: now))
        if state.status.isCall {
            agents[agent] = state  // one more call, counted; the status stays
            effects.append(.saveAgent(agent, state))
            return
        }
        state.statusBeforeCall = state.status
        state.requestedBy = nil
        agents[agent] = state
        move(agent, to: direction.status, at: now, cause: cause, actor: .system, effects: &effects)
    }

    mutating func endCall(_ agent: AgentID, uniqueID: String, at now: Timestamp, cause: Cause, effects: inout [Effect]) {
        callOwners[uniqueID] = nil
        guard var state = agents[agent], state.calls.removeValue(forKey: uniqueID) != nil else { return }
        agents[agent] = state
        effects.append(.callEnded(agent: agent, uniqueID: uniqueID, at: now))
        guard state.calls.isEmpty, state.status.isCall else {
            effects.append(.saveAgent(agent, state))
            return
        }
        let last = state.statusBeforeCall ?? configuration.loginStatus
        var target = last
        var note: String?
        if let requester = state.requestedBy {
            note = "asked for by \(requester) during the call"
        } else if case .status(let wrapUp) = configuration.statuses[state.status]?.onHangup, configuration.statuses[wrapUp] != nil {
            target = wrapUp
        }
        target = adapt(target, for: state)
        if configuration.statuses[target] == nil { target = adapt(configuration.loginStatus, for: state) }
        move(agent, to: target, at: now, cause: cause, actor: state.requestedBy ?? .system, note: note, effects: &effects)
    }
}
