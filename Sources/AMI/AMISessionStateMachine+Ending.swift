extension AMISessionStateMachine {
    /// The socket failed or reached its end (`reason` says how): what was in flight fails and a
    /// retry follows.
    mutating func connectionLost(_ reason: String, at now: Instant) -> [Action] {
        var actions: [Action] = []
        lose(reason, at: now, into: &actions)
        return actions
    }

    /// The connection ended for a reason other than credentials: fail what was in flight
    /// (never re-send it) and retry with backoff.
    mutating func lose(_ reason: String, at now: Instant, into actions: inout [Action]) {
        switch state {
        case .resolving, .connecting, .awaitingBanner, .loggingIn, .loggedIn: break
        default: return
        }
        state = .waitingToRetry  // before failing what was pending, so that nothing re-enters here
        close(failing: .connectionLost(reason: reason), at: now, into: &actions)
        // A failed Logoff of a stop may have stopped the connection: then it stays stopped.
        guard state == .waitingToRetry else { return }
        actions.append(.emit(.stateChanged(.lost(reason: reason))))
        logger.warning(
            "ami.connection_lost",
            [("host", .string(configuration.host)), ("port", .int(configuration.port)), ("reason", .string(reason))])
        let delay = configuration.backoff.delay(attempt: attempt, unit: unitRandom())
        attempt += 1
        enter(.waitingToRetry, reporting: .retrying(in: delay, attempt: attempt), into: &actions)
        logger.info("ami.reconnecting", [("retry_in_ms", .int(Int(delay.milliseconds))), ("attempt", .int(attempt + 1))])
        actions.append(.arm(.retry(generation: generation), at: now.advanced(by: delay)))
    }

    mutating func loginRefused(_ message: String, at now: Instant, into actions: inout [Action]) {
        state = .authenticationFailed
        close(failing: .authenticationFailed(message: message), at: now, into: &actions)
        enter(.authenticationFailed, reporting: .authenticationFailed(message: message), into: &actions)
        logger.error(
            "ami.login_failed",
            [("username", .string(configuration.username)), ("error", .string(message)), ("retry", "no, until the configuration changes")])
    }

    mutating func finishStop(at now: Instant, into actions: inout [Action]) {
        if state != .stopped {
            close(failing: .shutDown, at: now, into: &actions)
            enter(.stopped, reporting: .stopped, into: &actions)
            logger.info("ami.stopped")
        }
        actions.append(.stopFinished)
    }

    /// Closes the socket, cancels every timer and fails what is pending with `error`, oldest first.
    mutating func close(failing error: AMIError, at now: Instant, into actions: inout [Action]) {
        closeSocket(into: &actions)
        actions.append(.cancelAllTimers)
        pingOutstanding = false
        let failed = pending.values.sorted { $0.number < $1.number }
        pending.removeAll()
        for entry in failed {
            answer(entry.purpose, .failure(error), at: now, into: &actions)
        }
    }

    mutating func closeSocket(into actions: inout [Action]) {
        generation &+= 1
        address = nil
        decoder = AMIFrameDecoder(expectsBanner: true, maximumFrameSize: configuration.maximumFrameSize)
        actions.append(.closeSocket)
    }
}
