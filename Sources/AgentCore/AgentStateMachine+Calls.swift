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
            // an outgoing call. chan_sip and DAHDI make both kinds before Ring: theirs wait.
            let isOriginate = takeOriginate(of: agent)
            if !isOriginate, state != 4, Self.waitsForRing(channel) {
                undecidedChannels.insert(uniqueID)
                break
            }
            let direction: CallDirection = isOriginate || state == 4 ? .outgoing : .incoming
            startCall(agent, uniqueID: uniqueID, channel: channel, direction: direction, at: now, cause: .call, effects: &effects)
        case .dialed(let uniqueID, let channel):
            if !undecidedChannels.isEmpty { undecidedChannels.remove(uniqueID) }
            guard let agent = owner(of: channel), agents[agent]?.calls[uniqueID] == nil else { break }
            let direction: CallDirection = takeOriginate(of: agent) ? .outgoing : .incoming
            startCall(agent, uniqueID: uniqueID, channel: channel, direction: direction, at: now, cause: .call, effects: &effects)
        case .placed(let uniqueID, let channel):
            // Only a channel still waiting: its owner is read again, the agent may have left.
            guard !undecidedChannels.isEmpty, undecidedChannels.remove(uniqueID) != nil, let agent = owner(of: channel) else { break }
            startCall(agent, uniqueID: uniqueID, channel: channel, direction: .outgoing, at: now, cause: .call, effects: &effects)
        case .hangup(let uniqueID, _):
            guard let agent = callOwners.removeValue(forKey: uniqueID) else {
                if !undecidedChannels.isEmpty { undecidedChannels.remove(uniqueID) }
                break
            }
            finishCall(agent, uniqueID: uniqueID, at: now, cause: .hangup, effects: &effects)
        }
        return Outcome(effects: effects)
    }

    /// Whether a click-to-dial towards the agent's phone was waiting for its channel (and now is
    /// not). Hardly ever: the empty set is not even hashed into.
    private mutating func takeOriginate(of agent: AgentID) -> Bool {
        !pendingOriginates.isEmpty && pendingOriginates.remove(agent) != nil
    }

    /// Whether the driver of `channel` makes a phone's channel before it says who dials whom:
    /// chan_sip creates the channel of a call the phone places Down (0) and sets Ring (4) after,
    /// DAHDI's analog phones start Reserved (1); a call towards the phone starts the same way.
    /// PJSIP and IAX2 create a placed call in Ring at once.
    public static func waitsForRing(_ channel: String) -> Bool {
        channel.utf8.starts(with: "SIP/".utf8) || channel.utf8.starts(with: "DAHDI/".utf8)
    }

    /// The logged-in agent whose phone a channel belongs to: `PJSIP/101-0000002a` → `PJSIP/101`,
    /// `SIP/101-0000000a` → `SIP/101`, `IAX2/101-1234` → `IAX2/101`, `DAHDI/1-1` → `DAHDI/1`,
    /// `Local/101@agents-00000003;1` → `Local/101@agents`.
    func owner(of channel: String) -> AgentID? {
        guard let base = Self.channelBase(ofChannel: channel) else { return nil }
        return byChannelBase[base]
    }

    static func channelBase(ofChannel channel: String) -> String? {
        if channel.utf8.allSatisfy({ $0 < 0x80 }) { return asciiChannelBase(ofChannel: channel) }
        var name = Substring(channel)
        if name.hasPrefix("Local/") {
            if name.hasSuffix(";2") { return nil }  // Asterisk's internal half of the same call
            if name.hasSuffix(";1") { name = name.dropLast(2) }
        }
        guard let dash = name.lastIndex(of: "-") else { return nil }
        return String(name[..<dash])
    }

    /// `channelBase(ofChannel:)` over the bytes of an ASCII name (all Asterisk gives channels),
    /// where no character but CR LF spans two bytes, and neither is looked for.
    private static func asciiChannelBase(ofChannel channel: String) -> String? {
        let bytes = channel.utf8
        var end = bytes.endIndex
        if bytes.starts(with: "Local/".utf8) {
            if bytes.count >= 2, bytes[bytes.index(end, offsetBy: -2)] == UInt8(ascii: ";") {
                let last = bytes[bytes.index(before: end)]
                if last == UInt8(ascii: "2") { return nil }  // Asterisk's internal half of the same call
                if last == UInt8(ascii: "1") { end = bytes.index(end, offsetBy: -2) }
            }
        }
        guard let dash = bytes[..<end].lastIndex(of: UInt8(ascii: "-")) else { return nil }
        return String(channel[..<dash])
    }

    mutating func startCall(
        _ agent: AgentID, uniqueID: String, channel: String, direction: CallDirection, at now: Timestamp, cause: Cause,
        effects: inout [Effect]
    ) {
        guard let index = agents.index(forKey: agent),
            withAgentState(at: index, { !$0.isVirtual && $0.calls[uniqueID] == nil })
        else { return }
        // Changed in place: a copy would share the calls dictionary and copy it on the insert.
        let isCall = Self.add(uniqueID, direction, &agents.values[index])
        callOwners[uniqueID] = agent
        effects.reserve(3)
        effects.append(.callStarted(agent: agent, uniqueID: uniqueID, channel: channel, direction: direction, at: now))
        if isCall {
            effects.append(.saveAgent(agent, agents.values[index]))  // one more call, counted; the status stays
            return
        }
        move(at: index, to: direction.status, at: now, cause: cause, actor: .system, effects: &effects)
    }

    /// Adds a call to the state; true when the agent was already in a call (the status stays),
    /// else the status the call interrupts is remembered.
    private static func add(_ uniqueID: String, _ direction: CallDirection, _ state: inout AgentState) -> Bool {
        state.calls[uniqueID] = direction
        if state.status.isCall { return true }
        state.statusBeforeCall = state.status
        state.requestedBy = nil
        return false
    }

    mutating func endCall(_ agent: AgentID, uniqueID: String, at now: Timestamp, cause: Cause, effects: inout [Effect]) {
        callOwners[uniqueID] = nil
        finishCall(agent, uniqueID: uniqueID, at: now, cause: cause, effects: &effects)
    }

    /// `endCall` once the call is no longer in `callOwners`.
    private mutating func finishCall(_ agent: AgentID, uniqueID: String, at now: Timestamp, cause: Cause, effects: inout [Effect]) {
        guard let index = agents.index(forKey: agent), withAgentState(at: index, { $0.calls.removeValue(forKey: uniqueID) != nil })
        else { return }
        let state = agents.values[index]
        effects.reserve(3)
        effects.append(.callEnded(agent: agent, uniqueID: uniqueID, at: now))
        guard state.calls.isEmpty, state.status.isCall else {
            effects.append(.saveAgent(agent, state))
            return
        }
        let last = state.statusBeforeCall ?? defaultStatus
        var target = last
        var note: String?
        if let requester = state.requestedBy {
            note = "asked for by \(requester) during the call"
        } else if case .status(let wrapUp) = statusRules[state.status]?.onHangup, statusRules[wrapUp] != nil {
            target = wrapUp
        }
        target = adapt(target, for: state)
        if statusRules[target] == nil { target = adapt(defaultStatus, for: state) }
        move(at: index, to: target, at: now, cause: cause, actor: state.requestedBy ?? .system, note: note, effects: &effects)
    }
}
