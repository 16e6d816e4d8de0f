import SystemSupport

extension AMISessionStateMachine {
    // MARK: Inputs

    /// The outcome of a `resolve`.
    mutating func resolved(_ result: Result<[SocketAddress], SystemCallError>, generation current: UInt64, at now: Instant) -> [Action] {
        guard generation == current, state == .resolving else { return [] }
        var actions: [Action] = []
        switch result {
        case .success(let found) where !found.isEmpty:
            connectNext(found, at: now, into: &actions)
        case .success:
            lose("\(configuration.host) has no address", at: now, into: &actions)
        case .failure(let error):
            lose("cannot resolve \(configuration.host): \(error)", at: now, into: &actions)
        }
        return actions
    }

    /// A `startConnect` opened its socket: it is registered under the new `generation`.
    mutating func connectStarted(at now: Instant) -> [Action] {
        guard state == .connecting else { return [] }
        generation &+= 1
        return [.arm(.connect(generation: generation), at: now.advanced(by: configuration.connectTimeout))]
    }

    /// A `startConnect` failed at once: the next address is tried.
    mutating func connectStartFailed(_ error: SystemCallError, at now: Instant) -> [Action] {
        guard state == .connecting else { return [] }
        logger.debug("ami.connect_failed", [("address", .string(address?.description ?? "")), ("error", .string(error.description))])
        var actions: [Action] = []
        connectNext(remainingAddresses, at: now, into: &actions)
        return actions
    }

    /// The socket being connected became writable: `error` is its pending error, if any.
    mutating func connected(error: SystemCallError?, at now: Instant) -> [Action] {
        guard state == .connecting else { return [] }
        var actions: [Action] = []
        if let error {
            logger.debug("ami.connect_failed", [("error", .string(error.description))])
            closeSocket(into: &actions)
            connectNext(remainingAddresses, at: now, into: &actions)
            return actions
        }
        address = nil
        remainingAddresses = []
        state = .awaitingBanner
        actions.append(.arm(.login(generation: generation), at: now.advanced(by: configuration.loginTimeout)))
        return actions
    }

    // MARK: Steps

    mutating func connect(into actions: inout [Action]) {
        generation &+= 1
        enter(.resolving, reporting: .connecting(attempt: attempt), into: &actions)
        logger.info(
            "ami.connecting",
            [("host", .string(configuration.host)), ("port", .int(configuration.port)), ("attempt", .int(attempt + 1))])
        actions.append(.resolve(host: configuration.host, port: configuration.port, generation: generation))
    }

    mutating func connectNext(_ addresses: [SocketAddress], at now: Instant, into actions: inout [Action]) {
        guard let first = addresses.first else {
            address = nil
            lose("no address of \(configuration.host) accepted the connection", at: now, into: &actions)
            return
        }
        address = first
        remainingAddresses = Array(addresses.dropFirst())
        state = .connecting
        actions.append(.startConnect(first))
    }

    mutating func connectTimedOut(at now: Instant, into actions: inout [Action]) {
        logger.debug("ami.connect_failed", [("address", .string(address?.description ?? "")), ("error", "timed out")])
        closeSocket(into: &actions)
        connectNext(remainingAddresses, at: now, into: &actions)
    }

    mutating func logIn(bannerVersion: String, at now: Instant, into actions: inout [Action]) {
        state = .loggingIn
        logger.debug("ami.banner", [("version", .string(bannerVersion))])
        switch configuration.authentication {
        case .plain:
            sendLogin([("Username", configuration.username), ("Secret", configuration.secret)], at: now, into: &actions)
        case .md5:
            dispatch(AMIAction("Challenge", [("AuthType", "MD5")]), timeout: configuration.loginTimeout, purpose: .challenge, at: now, into: &actions)
        }
    }

    mutating func challengeAnswered(_ result: Result<AMIResponse, AMIError>, at now: Instant, into actions: inout [Action]) {
        switch result {
        case .success(let response) where response.isSuccess:
            guard let challenge = response.message["Challenge"] else {
                lose("Challenge answered without a challenge", at: now, into: &actions)
                return
            }
            let key = MD5.hex(Array((challenge + configuration.secret).utf8))
            sendLogin([("AuthType", "MD5"), ("Username", configuration.username), ("Key", key)], at: now, into: &actions)
        case .success(let response):
            loginRefused(response.text ?? "Challenge refused", at: now, into: &actions)
        case .failure(.connectionLost), .failure(.shutDown):
            break  // already handled where the connection ended
        case .failure(let error):
            lose("challenge failed: \(error)", at: now, into: &actions)
        }
    }

    mutating func sendLogin(_ credentials: [(String, String)], at now: Instant, into actions: inout [Action]) {
        let action = AMIAction("Login", credentials + [("Events", configuration.eventMask)])
        dispatch(action, timeout: configuration.loginTimeout, purpose: .login, at: now, into: &actions)
    }

    mutating func loginAnswered(_ result: Result<AMIResponse, AMIError>, at now: Instant, into actions: inout [Action]) {
        switch result {
        case .success(let response) where response.isSuccess:
            loggedIn(at: now, into: &actions)
        case .success(let response):
            loginRefused(response.text ?? "login refused", at: now, into: &actions)
        case .failure(.connectionLost), .failure(.shutDown):
            break  // already handled where the connection ended
        case .failure(let error):
            lose("login failed: \(error)", at: now, into: &actions)
        }
    }

    mutating func loggedIn(at now: Instant, into actions: inout [Action]) {
        attempt = 0
        enter(.loggedIn, reporting: .loggedIn, into: &actions)
        logger.info(
            "ami.connected",
            [("host", .string(configuration.host)), ("port", .int(configuration.port)),
             ("username", .string(configuration.username))])
        schedulePing(at: now, into: &actions)
    }
}
