extension AMISessionStateMachine {
    /// A timer armed by the machine is due.
    mutating func timerFired(_ timer: Timer, at now: Instant) -> [Action] {
        var actions: [Action] = []
        switch timer {
        case .connect(let current):
            guard generation == current, state == .connecting else { break }
            connectTimedOut(at: now, into: &actions)
        case .login(let current):
            guard generation == current, state == .awaitingBanner || state == .loggingIn else { break }
            lose("no banner or login answer within \(configuration.loginTimeout.milliseconds) ms", at: now, into: &actions)
        case .retry(let current):
            guard generation == current, state == .waitingToRetry else { break }
            connect(into: &actions)
        case .ping(let current):
            guard generation == current, state == .loggedIn else { break }
            if !pingOutstanding {
                pingOutstanding = true
                dispatch(AMIAction("Ping"), timeout: configuration.pingTimeout, purpose: .ping(generation: current), at: now, into: &actions)
            }
            schedulePing(at: now, into: &actions)
        case .action(let number):
            expire(number, at: now, into: &actions)
        }
        return actions
    }

    /// The next keepalive: one timer, replaced as each one fires.
    mutating func schedulePing(at now: Instant, into actions: inout [Action]) {
        actions.append(.arm(.ping(generation: generation), at: now.advanced(by: configuration.pingInterval)))
    }
}
