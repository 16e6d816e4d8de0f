import AMI
import SystemSupport

extension SimulatorCore {
    func queue(named name: String) -> SimQueue? { queues.first { $0.name == name } }

    static func isTrue(_ value: String?) -> Bool {
        guard let value else { return false }
        return ["yes", "true", "y", "t", "1", "on"].contains(value.lowercased())
    }

    func queueAdd(_ session: AMISession, _ action: AMIMessage) {
        guard let queueName = action["Queue"], !queueName.isEmpty else {
            respondError(session, to: action, "'Queue' not specified.")
            return
        }
        guard let interface = action["Interface"], !interface.isEmpty else {
            respondError(session, to: action, "'Interface' not specified.")
            return
        }
        let penalty = Int(action["Penalty"] ?? "") ?? 0
        let paused = Self.isTrue(action["Paused"])
        let name = action["MemberName"].flatMap { $0.isEmpty ? nil : $0 } ?? interface
        let stateInterface = action["StateInterface"].flatMap { $0.isEmpty ? nil : $0 } ?? interface
        switch addMember(
            queue: queueName, interface: interface, name: name, penalty: penalty, paused: paused,
            reason: action["Reason"] ?? "", stateInterface: stateInterface, respond: {
                self.respondSuccess(session, to: action, "Added interface to queue")
            })
        {
        case .added: break
        case .noSuchQueue: respondError(session, to: action, "Unable to add interface to queue: No such queue")
        case .alreadyThere: respondError(session, to: action, "Unable to add interface: Already there")
        }
    }

    enum AddResult { case added, noSuchQueue, alreadyThere }

    /// Adds a dynamic member; `respond` runs before the events, as Asterisk answers first.
    func addMember(
        queue queueName: String, interface: String, name: String, penalty: Int, paused: Bool, reason: String,
        stateInterface: String, respond: () -> Void = {}
    ) -> AddResult {
        guard let queue = queue(named: queueName) else { return .noSuchQueue }
        if queue.memberIndex(interface) != nil { return .alreadyThere }
        let now = Self.epochSeconds()
        var member = QueueMember(
            queue: queue.name, interface: interface, name: name, stateInterface: stateInterface, penalty: penalty,
            paused: paused, pausedReason: paused ? reason : "", dynamic: true, callsTaken: 0, lastCall: 0,
            lastPause: paused ? now : 0, loginTime: now, inCall: false, status: 1)
        member.status = memberStatus(member, phone: phoneStatus[interface] ?? 1)
        queue.members.append(member)
        respond()
        setDevice("Queue:\(queue.name)_pause_\(interface)", paused ? "INUSE" : "NOT_INUSE")
        emit("QueueMemberAdded", .agent, member.eventFields)
        refreshAvailability(queue)
        logger.debug("amisim.member_added", [("queue", .string(queue.name)), ("interface", .string(interface))])
        distribute(queue)
        return .added
    }

    func queueRemove(_ session: AMISession, _ action: AMIMessage) {
        guard let queueName = action["Queue"], !queueName.isEmpty, let interface = action["Interface"],
            !interface.isEmpty
        else {
            respondError(session, to: action, "Need 'Queue' and 'Interface' parameters.")
            return
        }
        guard let queue = queue(named: queueName) else {
            respondError(session, to: action, "Unable to remove interface from queue: No such queue")
            return
        }
        guard let index = queue.memberIndex(interface) else {
            respondError(session, to: action, "Unable to remove interface: Not there")
            return
        }
        guard queue.members[index].dynamic else {
            respondError(session, to: action, "Member not dynamic")
            return
        }
        respondSuccess(session, to: action, "Removed interface from queue")
        removeMember(queue: queue, index: index)
    }

    func removeMember(queue: SimQueue, index: Int) {
        let member = queue.members.remove(at: index)
        emit("QueueMemberRemoved", .agent, member.eventFields)
        refreshAvailability(queue)
        logger.debug("amisim.member_removed", [("queue", .string(queue.name)), ("interface", .string(member.interface))])
    }

    func queuePause(_ session: AMISession, _ action: AMIMessage) {
        guard let interface = action["Interface"], !interface.isEmpty, let pausedText = action["Paused"] else {
            respondError(session, to: action, "Need 'Interface' and 'Paused' parameters.")
            return
        }
        let paused = Self.isTrue(pausedText)
        let only = action["Queue"].flatMap { $0.isEmpty ? nil : $0 }
        let targets = queues.filter { (only == nil || $0.name == only) && $0.memberIndex(interface) != nil }
        guard !targets.isEmpty else {
            respondError(session, to: action, "Interface not found")
            return
        }
        respondSuccess(session, to: action, paused ? "Interface paused successfully" : "Interface unpaused successfully")
        let now = Self.epochSeconds()
        for queue in targets {
            guard let index = queue.memberIndex(interface) else { continue }
            queue.members[index].paused = paused
            queue.members[index].pausedReason = paused ? (action["Reason"] ?? "") : ""
            if paused { queue.members[index].lastPause = now }
            setDevice("Queue:\(queue.name)_pause_\(interface)", paused ? "INUSE" : "NOT_INUSE")
            refreshAvailability(queue)
            emit("QueueMemberPause", .agent, queue.members[index].eventFields)
            if !paused { distribute(queue) }
        }
    }

    func queuePenalty(_ session: AMISession, _ action: AMIMessage) {
        let interface = action["Interface"] ?? ""
        let only = action["Queue"].flatMap { $0.isEmpty ? nil : $0 }
        let targets = queues.filter { (only == nil || $0.name == only) && $0.memberIndex(interface) != nil }
        guard let penalty = Int(action["Penalty"] ?? ""), penalty >= 0, !interface.isEmpty, !targets.isEmpty else {
            respondError(session, to: action, "Invalid interface, queuename or penalty")
            return
        }
        respondSuccess(session, to: action, "Interface penalty set successfully")
        for queue in targets {
            guard let index = queue.memberIndex(interface) else { continue }
            queue.members[index].penalty = penalty
            emit("QueueMemberPenalty", .agent, queue.members[index].eventFields)
        }
    }

    // MARK: Device states

    /// Sends `DeviceStateChange` when a pseudo device's state changes.
    func setDevice(_ device: String, _ state: String) {
        guard deviceStates[device] != state else { return }
        deviceStates[device] = state
        emit("DeviceStateChange", .call, [("Device", device), ("State", state)])
    }

    func availabilityState(_ queue: SimQueue) -> String {
        queue.members.contains { $0.available } ? "NOT_INUSE" : "INUSE"
    }

    func refreshAvailability(_ queue: SimQueue) {
        setDevice("Queue:\(queue.name)_avail", availabilityState(queue))
    }

    /// A member's device state from its phone's. A Local interface used as its own state interface
    /// shows "in use" while it rings (06d: a remote agent never shows 6).
    func memberStatus(_ member: QueueMember, phone: Int) -> Int {
        if phone == 6 && member.stateInterface == member.interface && member.interface.hasPrefix("Local/") { return 2 }
        return phone
    }

    /// Recomputes a phone's device state from its channels and sends `QueueMemberStatus` for each
    /// queue it is a member of when that changes.
    func refreshPhone(_ interface: String) {
        let legs = channels.filter { $0.phone == interface }
        let status: Int
        if legs.contains(where: { $0.state == .up || $0.state == .ring }) {
            status = 2
        } else if legs.contains(where: { $0.state == .ringing }) {
            status = 6
        } else {
            status = 1
        }
        phoneStatus[interface] = status
        for queue in queues {
            guard let index = queue.memberIndex(interface) else { continue }
            let memberStatus = memberStatus(queue.members[index], phone: status)
            guard queue.members[index].status != memberStatus else { continue }
            queue.members[index].status = memberStatus
            emit("QueueMemberStatus", .agent, queue.members[index].eventFields)
            refreshAvailability(queue)
        }
    }

    /// Sends the current `QueueMemberStatus` of `interface` in `queue` (after InCall/CallsTaken change).
    func announceMember(_ interface: String, in queue: SimQueue) {
        guard let index = queue.memberIndex(interface) else { return }
        emit("QueueMemberStatus", .agent, queue.members[index].eventFields)
    }
}
