extension AMISessionStateMachine {
    /// Numbers `action`, arms its timeout and writes it; an action that cannot be encoded is
    /// answered at once and never reaches the wire.
    mutating func dispatch(_ action: AMIAction, timeout: Duration, purpose: Purpose, at now: Instant, into actions: inout [Action]) {
        nextActionNumber &+= 1
        let number = nextActionNumber
        let id = "\(actionIDPrefix)-\(number)"
        let bytes: [UInt8]
        do {
            bytes = try AMIEncoder.encode(action, actionID: id)
        } catch {
            logger.warning("ami.action_refused", [("action", .string(action.name)), ("error", .string(error.description))])
            answer(purpose, .failure(error), at: now, into: &actions)
            return
        }
        actions.append(.arm(.action(number), at: now.advanced(by: timeout)))
        pending[id] = Pending(action: action.name, number: number, purpose: purpose, sentAt: now)
        if logger.isEnabled(.debug) {
            logger.debug("ami.sent", [("action", .string(action.description)), ("action_id", .string(id))])
        }
        actions.append(.write(bytes))
    }

    /// The action numbered `number` had no answer in time.
    mutating func expire(_ number: UInt64, at now: Instant, into actions: inout [Action]) {
        let id = "\(actionIDPrefix)-\(number)"
        guard let entry = pending.removeValue(forKey: id) else { return }
        logger.warning("ami.action_timeout", [("action", .string(entry.action)), ("action_id", .string(id))])
        answer(entry.purpose, .failure(.timeout(action: entry.action, actionID: id)), at: now, into: &actions)
    }

    mutating func finish(_ id: String, _ result: Result<AMIResponse, AMIError>, at now: Instant, into actions: inout [Action]) {
        guard let entry = pending.removeValue(forKey: id) else { return }
        actions.append(.cancel(.action(entry.number)))
        if logger.isEnabled(.debug) {
            let latency = entry.sentAt.duration(to: now)
            logger.debug(
                "ami.answered",
                [("action", .string(entry.action)), ("action_id", .string(id)), ("latency_ms", .int(Int(latency.milliseconds)))])
        }
        answer(entry.purpose, result, at: now, into: &actions)
    }

    /// Hands `result` to whoever the action was for: a caller, or the session's own step.
    mutating func answer(_ purpose: Purpose, _ result: Result<AMIResponse, AMIError>, at now: Instant, into actions: inout [Action]) {
        switch purpose {
        case .caller(let caller):
            actions.append(.complete(caller, result))
        case .challenge:
            challengeAnswered(result, at: now, into: &actions)
        case .login:
            loginAnswered(result, at: now, into: &actions)
        case .ping(let current):
            pingOutstanding = false
            if case .failure(.timeout) = result, generation == current {
                lose("no answer to Ping within \(configuration.pingTimeout.milliseconds) ms", at: now, into: &actions)
            }
        case .logoff:
            finishStop(at: now, into: &actions)
        }
    }
}
