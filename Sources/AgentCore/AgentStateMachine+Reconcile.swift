extension AgentStateMachine {
    /// Converges Asterisk to the desired state after a (re)connect: adds missing members, fixes
    /// penalties, removes dynamic members on interfaces the daemon manages that should not be
    /// there, and restores call statuses from the live channels. Static members and interfaces
    /// the daemon does not know are never touched.
    public mutating func reconcile(with snapshot: AsteriskSnapshot, at now: Timestamp) -> Outcome {
        var effects = reconcileMembers(with: snapshot).effects
        reconcileCalls(snapshot.channels, at: now, effects: &effects)
        return Outcome(effects: effects)
    }

    /// The queue part of `reconcile` alone: Asterisk's members converged to the agents' state,
    /// which does not change (nothing to store). While the store cannot commit, this brings
    /// Asterisk back to the stored state; the calls wait for the store.
    public mutating func reconcileMembers(with snapshot: AsteriskSnapshot) -> Outcome {
        var effects: [Effect] = []

        var desired: [Interface: [QueueName: Member]] = [:]
        for state in agents.values {
            for member in desiredMembers(for: state) { desired[state.interface, default: [:]][member.queue] = member }
        }
        for (interface, _) in lingering {
            for member in members[interface] ?? [] { desired[interface, default: [:]][member.queue] = member }
        }

        var actual: [Interface: [QueueName: AsteriskSnapshot.Member]] = [:]
        for member in snapshot.members { actual[member.interface, default: [:]][member.queue] = member }

        for interface in desired.keys.sorted() {
            guard let wanted = desired[interface] else { continue }
            for queue in wanted.keys.sorted() {
                guard let member = wanted[queue] else { continue }
                if let present = actual[interface]?[queue] {
                    if present.isDynamic, present.penalty != member.penalty {
                        effects.append(.queuePenalty(queue: queue, interface: interface, penalty: member.penalty))
                    }
                } else {
                    if !snapshot.queues.isEmpty, !snapshot.queues.contains(queue) {
                        effects.append(.warning(event: "reconcile.queue_missing", agent: nil, message: "queue \(queue) does not exist in Asterisk; \(interface) cannot join it"))
                    }
                    effects.append(.queueAdd(member))
                }
            }
        }
        let managed = managedInterfaces()
        for member in snapshot.members.sorted(by: { ($0.interface, $0.queue) < ($1.interface, $1.queue) })
        where member.isDynamic && managed.contains(member.interface) && desired[member.interface]?[member.queue] == nil {
            effects.append(.queueRemove(queue: member.queue, interface: member.interface))
        }
        members = desired.filter { !$0.value.isEmpty }.mapValues { $0.values.sorted { $0.queue < $1.queue } }
        return Outcome(effects: effects)
    }

    /// Interfaces the daemon may put into queues: every configured phone, every remote agent's
    /// mobile interface, and whatever it believes it added.
    func managedInterfaces() -> Set<Interface> {
        var result = Set(members.keys)
        for definition in configuration.extensions.values {
            if let interface = definition.interface { result.insert(interface) }
        }
        for user in configuration.users.values {
            if let mobile = user.mobile { result.insert(configuration.remote.interface(mobile: mobile)) }
        }
        for state in agents.values { result.insert(state.interface) }
        return result
    }

    private mutating func reconcileCalls(_ channels: [AsteriskSnapshot.Channel], at now: Timestamp, effects: inout [Effect]) {
        // The live channels below say it all; a wait whose Hangup was lost with the link ends here.
        undecidedChannels.removeAll()
        var live: [AgentID: [AsteriskSnapshot.Channel]] = [:]
        for channel in channels {
            guard let agent = owner(of: channel.channel) else { continue }
            live[agent, default: []].append(channel)
        }
        for agent in agents.keys.sorted() {
            guard let state = agents[agent], !state.isVirtual else { continue }
            let present = Set((live[agent] ?? []).map(\.uniqueID))
            for uniqueID in state.calls.keys.sorted() where !present.contains(uniqueID) {
                endCall(agent, uniqueID: uniqueID, at: now, cause: .reconcile, effects: &effects)
            }
            for channel in (live[agent] ?? []).sorted(by: { $0.uniqueID < $1.uniqueID }) where agents[agent]?.calls[channel.uniqueID] == nil {
                startCall(agent, uniqueID: channel.uniqueID, channel: channel.channel, direction: channel.isIncoming ? .incoming : .outgoing,
                          at: now, cause: .reconcile, effects: &effects)
            }
        }
    }
}
