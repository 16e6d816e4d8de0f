import Foundation
import SystemSupport

/// A caller in a queue: join, ring members, connect, complete (transcripts 05, 06, 06b, 06c).
extension SimulatorCore {
    /// An inbound call to `number` (a `Local/<number>@inbound` pair, as in the recordings) that
    /// joins `queueName`. `answered` runs once the caller side is up (for OriginateResponse).
    @discardableResult
    func startInboundCall(
        queue queueName: String, number: String, callerNum: String, callerName: String, hangupAfter: Duration?,
        application: (name: String, data: String) = ("Wait", "120"), answered: (SimChannel) -> Void = { _ in }
    ) -> QueueCall? {
        guard let queue = queue(named: queueName) else { return nil }
        let id = nextCallNumber()
        let (outer, caller) = newLocalPair(exten: number, context: "inbound", linkedid: nil, phone: nil, callID: id)
        let call = QueueCall(id: id, queue: queue.name, outer: outer, caller: caller)
        calls[id] = .queue(call)
        setCallerID(outer, num: callerNum, name: callerName)
        outer.setConnected(num: callerNum, name: callerName)
        caller.setConnected(num: callerNum, name: callerName)
        setCallerID(caller, num: callerNum, name: callerName)
        dialBegin(nil, outer, dialString: "\(number)@inbound")
        answered(outer)
        outer.application = application.name
        outer.applicationData = application.data
        setState(outer, .up)
        dialEnd(nil, outer, status: "ANSWER")
        caller.priority = 2
        setState(caller, .up)
        if let hangupAfter {
            call.callerHangupTimer = loop.schedule(after: hangupAfter) { [unowned self] in
                call.callerHangupTimer = nil
                self.callerHangsUp(call, cause: 16)
            }
        }
        join(call, queue)
        logger.debug("amisim.inbound_call", [("queue", .string(queue.name)), ("channel", .string(caller.name))])
        return call
    }

    func join(_ call: QueueCall, _ queue: SimQueue) {
        call.queue = queue.name
        call.phase = .waiting
        call.caller.priority = 3
        call.caller.application = "Queue"
        call.caller.applicationData = "\(queue.name),t,,,120"
        call.joinedAt = .now
        queue.waiting.append(call)
        call.originalPosition = queue.waiting.count
        setDevice("Queue:\(queue.name)", "RINGING")
        emit(
            "QueueCallerJoin", .agent,
            call.caller.fields()
                + [("Queue", queue.name), ("Position", String(queue.waiting.count)),
                   ("Count", String(queue.waiting.count))])
        distribute(queue)
    }

    /// Rings a free member for each waiting caller: unpaused, phone not in use, lowest penalty,
    /// the one called least recently first, and another than the last one tried when there is one.
    func distribute(_ queue: SimQueue) {
        for call in queue.waiting {
            guard case .waiting = call.phase, call.retryTimer == nil else { continue }
            let busy = Set(channels.compactMap(\.phone))
            let free = queue.members.filter { $0.available && !busy.contains($0.interface) }
            let ranked = free.enumerated().sorted {
                ($0.element.penalty, $0.element.interface == call.lastTried ? 1 : 0, $0.element.lastCall, $0.offset)
                    < ($1.element.penalty, $1.element.interface == call.lastTried ? 1 : 0, $1.element.lastCall, $1.offset)
            }
            guard let member = ranked.first?.element else { return }
            ring(call, member, in: queue)
        }
    }

    private func ring(_ call: QueueCall, _ member: QueueMember, in queue: SimQueue) {
        let caller = call.caller
        let leg = newPhoneLeg(interface: member.interface, linkedid: call.outer.uniqueid, callID: call.id)
        let primary = leg.primary
        setCallerID(primary, num: caller.callerNum, name: caller.callerName)
        if let secondary = leg.secondary {
            secondary.setConnected(num: caller.callerNum, name: caller.callerName)
            setCallerID(secondary, num: caller.callerNum, name: caller.callerName)
        }
        emit(
            "AgentCalled", .agent,
            caller.fields() + primary.fields(prefix: "Dest", exten: caller.exten)
                + [("Queue", queue.name), ("Interface", member.interface), ("MemberName", member.name)])
        dialBegin(caller, primary, dialString: member.interface)
        primary.exten = caller.exten
        primary.application = "AppQueue"
        primary.applicationData = "(Outgoing Line)"
        primary.setConnected(num: caller.callerNum, name: caller.callerName)
        setState(primary, .ringing)
        dialState(caller, primary)
        let timings = configuration.timings
        let answers = phoneAnswers(member.interface) && timings.ringTime < timings.queueTimeout
        let timer = loop.schedule(after: answers ? timings.ringTime : timings.queueTimeout) { [unowned self] in
            if answers { self.answer(call) } else { self.ringNoAnswer(call, status: "NOANSWER") }
        }
        call.phase = .ringing(QueueCall.Attempt(member: member.interface, leg: leg, startedAt: .now, timer: timer))
    }

    private func answer(_ call: QueueCall) {
        guard case .ringing(let attempt) = call.phase, let queue = queue(named: call.queue) else { return }
        let caller = call.caller
        let primary = attempt.leg.primary
        if let secondary = attempt.leg.secondary {
            secondary.priority = 6
            secondary.application = "Wait"
            secondary.applicationData = "30"
            setState(secondary, .up, refresh: false)
        }
        setState(primary, .up, refresh: false)
        dialEnd(caller, primary, status: "ANSWER")
        let position = (queue.waiting.firstIndex { $0 === call } ?? 0) + 1
        queue.waiting.removeAll { $0 === call }
        if queue.waiting.isEmpty { setDevice("Queue:\(queue.name)", "NOT_INUSE") }
        emit(
            "QueueCallerLeave", .agent,
            caller.fields()
                + [("Queue", queue.name), ("Position", String(position)), ("Count", String(queue.waiting.count))])
        let now = ContinuousClock.now
        let hold = Int(call.joinedAt.duration(to: now).components.seconds)
        let ring = Int(attempt.startedAt.duration(to: now).components.seconds)
        let memberName = queue.memberIndex(attempt.member).map { queue.members[$0].name } ?? attempt.member
        emit(
            "AgentConnect", .agent,
            caller.fields() + primary.fields(prefix: "Dest")
                + [("Queue", queue.name), ("Interface", attempt.member), ("MemberName", memberName),
                   ("HoldTime", String(hold)), ("RingTime", String(ring))])
        let bridgeID = bridge(primary, caller)
        if let index = queue.memberIndex(attempt.member) { queue.members[index].inCall = true }
        refreshPhone(attempt.member)
        let timer = loop.schedule(after: configuration.timings.talkTime) { [unowned self] in
            self.agentLegHungUp(call)
        }
        call.phase = .connected(
            QueueCall.Connection(
                member: attempt.member, leg: attempt.leg, connectedAt: now, holdSeconds: hold, bridgeID: bridgeID,
                hangupTimer: timer))
    }

    /// The queue timeout passed (or the member's phone refused): 06b.
    private func ringNoAnswer(_ call: QueueCall, status: String) {
        guard case .ringing(let attempt) = call.phase, let queue = queue(named: call.queue) else { return }
        attempt.timer.map { loop.cancel($0) }
        let primary = attempt.leg.primary
        let memberName = queue.memberIndex(attempt.member).map { queue.members[$0].name } ?? attempt.member
        let ringMilliseconds = attempt.startedAt.duration(to: .now).components
        let milliseconds = ringMilliseconds.seconds * 1000 + ringMilliseconds.attoseconds / 1_000_000_000_000_000
        emit(
            "AgentRingNoAnswer", .agent,
            call.caller.fields() + primary.fields(prefix: "Dest")
                + [("Queue", queue.name), ("Interface", attempt.member), ("MemberName", memberName),
                   ("RingTime", String(milliseconds))])
        dialEnd(call.caller, primary, status: status)
        for channel in attempt.leg.channels.reversed() { hangupChannel(channel, cause: 19, refresh: false) }
        refreshPhone(attempt.member)
        call.phase = .waiting
        call.lastTried = attempt.member
        call.retryTimer = loop.schedule(after: configuration.timings.retryTime) { [unowned self] in
            call.retryTimer = nil
            if let queue = self.queue(named: call.queue) { self.distribute(queue) }
        }
    }

    /// The caller side hangs up: an abandon while waiting (05, 06b), `Reason: caller` when connected (06).
    func callerHangsUp(_ call: QueueCall, cause: Int) {
        call.callerHangupTimer.map { loop.cancel($0) }
        call.callerHangupTimer = nil
        call.retryTimer.map { loop.cancel($0) }
        call.retryTimer = nil
        let caller = call.caller
        let queue = queue(named: call.queue)
        switch call.phase {
        case .waiting, .ringing:
            if case .ringing(let attempt) = call.phase {
                attempt.timer.map { loop.cancel($0) }
                dialEnd(caller, attempt.leg.primary, status: "CANCEL")
                for channel in attempt.leg.channels.reversed() { hangupChannel(channel, cause: 0, refresh: false) }
                refreshPhone(attempt.member)
            }
            if let queue {
                let position = (queue.waiting.firstIndex { $0 === call } ?? 0) + 1
                let hold = Int(call.joinedAt.duration(to: .now).components.seconds)
                emit(
                    "QueueCallerAbandon", .agent,
                    caller.fields()
                        + [("Queue", queue.name), ("Position", String(position)),
                           ("OriginalPosition", String(call.originalPosition)), ("HoldTime", String(hold))])
                queue.waiting.removeAll { $0 === call }
                queue.abandoned += 1
                if queue.waiting.isEmpty { setDevice("Queue:\(queue.name)", "NOT_INUSE") }
                emit(
                    "QueueCallerLeave", .agent,
                    caller.fields()
                        + [("Queue", queue.name), ("Position", String(position)),
                           ("Count", String(queue.waiting.count))])
            }
            emitPendingCompletes(call)
            hangupChannel(caller, cause: cause)
            hangupChannel(call.outer, cause: cause)
        case .connected(let connection):
            connection.hangupTimer.map { loop.cancel($0) }
            if let queue { agentComplete(call, connection, queue: queue, reason: "caller") }
            emitPendingCompletes(call)
            hangupChannel(call.outer, cause: cause)
            bridgeLeave(caller, remaining: 1)
            hangupChannel(caller, cause: cause)
            bridgeLeave(connection.leg.primary, remaining: 0)
            hangupChannel(connection.leg.primary, refresh: false)
            if let queue { finishMember(connection, queue: queue) }
            connection.leg.secondary.map { hangupChannel($0, refresh: false) }
        case .finished:
            emitPendingCompletes(call)
            hangupChannel(caller, cause: cause)
            hangupChannel(call.outer, cause: cause)
        }
        call.phase = .finished
        calls[call.id] = nil
        callsProcessed += 1
        if let queue { distribute(queue) }
    }

    /// A member's channel hangs up: refusing while it rings, `Reason: agent` when connected (06c).
    func agentLegHungUp(_ call: QueueCall) {
        switch call.phase {
        case .ringing:
            ringNoAnswer(call, status: "BUSY")
        case .connected(let connection):
            connection.hangupTimer.map { loop.cancel($0) }
            guard let queue = queue(named: call.queue) else { return }
            connection.leg.secondary.map { hangupChannel($0, refresh: false) }
            agentComplete(call, connection, queue: queue, reason: "agent")
            bridgeLeave(call.caller, remaining: 1)
            bridgeLeave(connection.leg.primary, remaining: 0)
            hangupChannel(connection.leg.primary, refresh: false)
            emitPendingCompletes(call)
            hangupChannel(call.outer)
            hangupChannel(call.caller)
            finishMember(connection, queue: queue)
            call.phase = .finished
            calls[call.id] = nil
            callsProcessed += 1
            distribute(queue)
        case .waiting, .finished:
            return
        }
    }

    private func agentComplete(_ call: QueueCall, _ connection: QueueCall.Connection, queue: SimQueue, reason: String) {
        let talk = Int(connection.connectedAt.duration(to: .now).components.seconds)
        let memberName = queue.memberIndex(connection.member).map { queue.members[$0].name } ?? connection.member
        emit(
            "AgentComplete", .agent,
            call.caller.fields() + connection.leg.primary.fields(prefix: "Dest")
                + [("Queue", queue.name), ("Interface", connection.member), ("MemberName", memberName),
                   ("HoldTime", String(connection.holdSeconds)), ("TalkTime", String(talk)), ("Reason", reason)])
        queue.completed += 1
        queue.totalHoldSeconds += connection.holdSeconds
        queue.totalTalkSeconds += talk
        if connection.holdSeconds <= queue.serviceLevel { queue.completedInServiceLevel += 1 }
    }

    /// After a Redirect the first queue's AgentComplete waits for the caller's hang-up, without the
    /// agent's channel fields (transcript 10).
    private func emitPendingCompletes(_ call: QueueCall) {
        for pending in call.pendingCompletes {
            let talk = Int(pending.connectedAt.duration(to: .now).components.seconds)
            emit(
                "AgentComplete", .agent,
                call.caller.fields()
                    + [("Queue", pending.queue), ("Interface", pending.interface), ("MemberName", pending.memberName),
                       ("HoldTime", String(pending.holdSeconds)), ("TalkTime", String(talk)), ("Reason", "caller")])
        }
        call.pendingCompletes = []
    }

    private func finishMember(_ connection: QueueCall.Connection, queue: SimQueue) {
        if let index = queue.memberIndex(connection.member) {
            queue.members[index].inCall = false
            queue.members[index].callsTaken += 1
            queue.members[index].lastCall = Self.epochSeconds()
        }
        let before = phoneStatus[connection.member]
        refreshPhone(connection.member)
        // The phone was already free (e.g. its other legs are gone): still tell about the new counters.
        if before == phoneStatus[connection.member] { announceMember(connection.member, in: queue) }
    }

    /// Redirect of a queue caller: the agent legs go, the caller moves on (into another queue when
    /// the target is an inbound number).
    func redirectQueueCaller(_ call: QueueCall, context: String, exten: String) {
        let previous = queue(named: call.queue)
        switch call.phase {
        case .connected(let connection):
            connection.hangupTimer.map { loop.cancel($0) }
            if let previous {
                let memberName =
                    previous.memberIndex(connection.member).map { previous.members[$0].name } ?? connection.member
                call.pendingCompletes.append(
                    (previous.name, connection.member, memberName, connection.holdSeconds, connection.connectedAt))
            }
            bridgeLeave(call.caller, remaining: 1)
            bridgeLeave(connection.leg.primary, remaining: 0)
            hangupChannel(connection.leg.primary, refresh: false)
            connection.leg.secondary.map { hangupChannel($0, refresh: false) }
            if let previous { finishMember(connection, queue: previous) }
        case .ringing(let attempt):
            attempt.timer.map { loop.cancel($0) }
            dialEnd(call.caller, attempt.leg.primary, status: "CANCEL")
            for channel in attempt.leg.channels.reversed() { hangupChannel(channel, cause: 0, refresh: false) }
            refreshPhone(attempt.member)
            fallthrough
        case .waiting:
            if let previous {
                let position = (previous.waiting.firstIndex { $0 === call } ?? 0) + 1
                previous.waiting.removeAll { $0 === call }
                if previous.waiting.isEmpty { setDevice("Queue:\(previous.name)", "NOT_INUSE") }
                emit(
                    "QueueCallerLeave", .agent,
                    call.caller.fields()
                        + [("Queue", previous.name), ("Position", String(position)),
                           ("Count", String(previous.waiting.count))])
            }
        case .finished:
            break
        }
        call.phase = .finished
        call.caller.context = context
        call.caller.exten = exten
        call.caller.priority = 1
        if context == "inbound", let target = configuration.inboundNumbers[exten].flatMap({ queue(named: $0) }) {
            join(call, target)
        }
        if let previous { distribute(previous) }
    }
}
