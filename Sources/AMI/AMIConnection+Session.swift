import Dispatch
import SystemSupport

extension AMIConnection {
    /// The connection's state machine and socket. Confined to `loop`'s thread: every method
    /// runs there, which is what `@unchecked Sendable` relies on.
    final class Session: @unchecked Sendable {
        private enum Phase: Equatable {
            case idle, resolving, connecting, awaitingBanner, loggingIn, loggedIn, waitingToRetry
            case authenticationFailed, stopped
        }

        private struct Pending {
            var action: String
            var completion: Completion
            var timer: TimerID
            var response: AMIMessage?
            var events: [AMIMessage] = []
            var sentAt: ContinuousClock.Instant
        }

        private let loop: EventLoop
        private var configuration: AMIConnectionConfiguration
        private let logger: Logger
        private let emit: @Sendable (AMIConnectionEvent) -> Void

        private var phase: Phase = .idle
        /// Bumped whenever a socket is opened or closed, so late callbacks of an old one are ignored.
        private var generation: UInt64 = 0
        private var attempt = 0
        private var fd: Int32 = -1
        private var addresses: [SocketAddress] = []
        private var decoder: AMIFrameDecoder
        private var outbound: [UInt8] = []
        private var outboundIndex = 0
        /// A flush is queued on the loop behind the tasks already there.
        private var flushScheduled = false
        private var pending: [String: Pending] = [:]
        private var nextActionNumber: UInt64 = 0
        private let actionIDPrefix: String
        private var timers: [TimerID] = []
        /// The next keepalive, replaced as each one fires: in `timers` it would add an entry every
        /// ping interval for as long as the session lasts (25 MB a year at the default 10 s).
        private var pingTimer: TimerID?
        private var pingOutstanding = false
        private var lastBoot: (uptime: Int, at: ContinuousClock.Instant)?
        private let readBuffer: UnsafeMutableRawBufferPointer

        init(
            loop: EventLoop, configuration: AMIConnectionConfiguration, logger: Logger,
            emit: @escaping @Sendable (AMIConnectionEvent) -> Void
        ) {
            self.loop = loop
            self.configuration = configuration
            self.logger = logger
            self.emit = emit
            decoder = AMIFrameDecoder(expectsBanner: true, maximumFrameSize: configuration.maximumFrameSize)
            // Unique per process, so an ActionID is never reused, even across reconnects.
            actionIDPrefix = "ccd-" + String(UInt32.random(in: 0...UInt32.max), radix: 16)
            readBuffer = .allocate(byteCount: 65536, alignment: 16)
        }

        deinit {
            readBuffer.deallocate()
            if fd >= 0 { Socket.close(fd) }
        }

        // MARK: Commands

        func start() {
            guard phase == .idle else { return }
            connect()
        }

        func update(configuration new: AMIConnectionConfiguration) {
            guard new != configuration else { return }
            configuration = new
            logger.info("ami.reconfigured", [("host", .string(new.host)), ("port", .int(new.port)), ("username", .string(new.username))])
            switch phase {
            case .idle, .stopped:
                return
            default:
                close(failing: .connectionLost(reason: "configuration changed"))
                attempt = 0
                connect()
            }
        }

        func send(_ action: AMIAction, timeout: Duration?, completion: @escaping Completion) {
            guard phase == .loggedIn else {
                completion(.failure(.notConnected))
                return
            }
            dispatch(action, timeout: timeout ?? configuration.actionTimeout, completion: completion)
        }

        func stop(grace: Duration, done: @escaping @Sendable () -> Void) {
            guard phase == .loggedIn else {
                finishStop(done)
                return
            }
            dispatch(AMIAction("Logoff"), timeout: grace) { [self] _ in finishStop(done) }
        }

        private func finishStop(_ done: @Sendable () -> Void) {
            if phase != .stopped {
                close(failing: .shutDown)
                setPhase(.stopped, state: .stopped)
                logger.info("ami.stopped")
            }
            done()
        }

        // MARK: Connecting

        private func connect() {
            generation &+= 1
            let current = generation
            setPhase(.resolving, state: .connecting(attempt: attempt))
            logger.info(
                "ami.connecting",
                [("host", .string(configuration.host)), ("port", .int(configuration.port)), ("attempt", .int(attempt + 1))])
            let host = configuration.host
            let port = configuration.port
            // getaddrinfo may block on DNS: never on the reactor thread.
            DispatchQueue.global().async { [loop, self] in
                let result = Result { () throws(SystemCallError) in try SocketAddress.resolve(host: host, port: port) }
                loop.execute { [self] in
                    guard generation == current, phase == .resolving else { return }
                    switch result {
                    case .success(let found) where !found.isEmpty:
                        addresses = found
                        connectNextAddress()
                    case .success:
                        lost("\(host) has no address")
                    case .failure(let error):
                        lost("cannot resolve \(host): \(error)")
                    }
                }
            }
        }

        private func connectNextAddress() {
            guard !addresses.isEmpty else {
                lost("no address of \(configuration.host) accepted the connection")
                return
            }
            let address = addresses.removeFirst()
            do {
                fd = try Socket.startConnect(to: address)
            } catch {
                logger.debug("ami.connect_failed", [("address", .string(address.description)), ("error", .string(error.description))])
                connectNextAddress()
                return
            }
            generation &+= 1
            let current = generation
            phase = .connecting
            loop.register(fd: fd, interest: .write) { [self] events in handleIO(events, generation: current) }
            timers.append(
                loop.schedule(after: configuration.connectTimeout) { [self] in
                    guard generation == current, phase == .connecting else { return }
                    logger.debug("ami.connect_failed", [("address", .string(address.description)), ("error", "timed out")])
                    closeSocket()
                    connectNextAddress()
                })
        }

        private func connected() {
            let error = Socket.pendingError(fd)
            guard error == 0 else {
                logger.debug("ami.connect_failed", [("error", .string(SystemCallError(call: "connect", code: error).description))])
                closeSocket()
                connectNextAddress()
                return
            }
            addresses = []
            phase = .awaitingBanner
            loop.setInterest(fd: fd, .read)
            let current = generation
            timers.append(
                loop.schedule(after: configuration.loginTimeout) { [self] in
                    guard generation == current, phase == .awaitingBanner || phase == .loggingIn else { return }
                    lost("no banner or login answer within \(configuration.loginTimeout.milliseconds) ms")
                })
        }

        private func logIn(bannerVersion: String) {
            phase = .loggingIn
            logger.debug("ami.banner", [("version", .string(bannerVersion))])
            switch configuration.authentication {
            case .plain:
                sendLogin([("Username", configuration.username), ("Secret", configuration.secret)])
            case .md5:
                dispatch(AMIAction("Challenge", [("AuthType", "MD5")]), timeout: configuration.loginTimeout) { [self] result in
                    switch result {
                    case .success(let response) where response.isSuccess:
                        guard let challenge = response.message["Challenge"] else {
                            lost("Challenge answered without a challenge")
                            return
                        }
                        let key = MD5.hex(Array((challenge + configuration.secret).utf8))
                        sendLogin([("AuthType", "MD5"), ("Username", configuration.username), ("Key", key)])
                    case .success(let response):
                        loginRefused(response.text ?? "Challenge refused")
                    case .failure(.connectionLost), .failure(.shutDown):
                        break  // already handled where the connection ended
                    case .failure(let error):
                        lost("challenge failed: \(error)")
                    }
                }
            }
        }

        private func sendLogin(_ credentials: [(String, String)]) {
            let action = AMIAction("Login", credentials + [("Events", configuration.eventMask)])
            dispatch(action, timeout: configuration.loginTimeout) { [self] result in
                switch result {
                case .success(let response) where response.isSuccess:
                    loggedIn()
                case .success(let response):
                    loginRefused(response.text ?? "login refused")
                case .failure(.connectionLost), .failure(.shutDown):
                    break  // already handled where the connection ended
                case .failure(let error):
                    lost("login failed: \(error)")
                }
            }
        }

        private func loggedIn() {
            attempt = 0
            setPhase(.loggedIn, state: .loggedIn)
            logger.info(
                "ami.connected",
                [("host", .string(configuration.host)), ("port", .int(configuration.port)),
                 ("username", .string(configuration.username))])
            schedulePing()
        }

        private func loginRefused(_ message: String) {
            phase = .authenticationFailed
            close(failing: .authenticationFailed(message: message))
            setPhase(.authenticationFailed, state: .authenticationFailed(message: message))
            logger.error(
                "ami.login_failed",
                [("username", .string(configuration.username)), ("error", .string(message)), ("retry", "no, until the configuration changes")])
        }

        // MARK: Keepalive

        private func schedulePing() {
            let current = generation
            pingTimer = loop.schedule(after: configuration.pingInterval) { [self] in
                guard generation == current, phase == .loggedIn else { return }
                if !pingOutstanding {
                    pingOutstanding = true
                    dispatch(AMIAction("Ping"), timeout: configuration.pingTimeout) { [self] result in
                        pingOutstanding = false
                        if case .failure(.timeout) = result, generation == current {
                            lost("no answer to Ping within \(configuration.pingTimeout.milliseconds) ms")
                        }
                    }
                }
                schedulePing()
            }
        }

        // MARK: Actions

        private func dispatch(_ action: AMIAction, timeout: Duration, completion: @escaping Completion) {
            nextActionNumber &+= 1
            let id = "\(actionIDPrefix)-\(nextActionNumber)"
            let bytes: [UInt8]
            do {
                bytes = try AMIEncoder.encode(action, actionID: id)
            } catch {
                logger.warning("ami.action_refused", [("action", .string(action.name)), ("error", .string(error.description))])
                completion(.failure(error))
                return
            }
            let timer = loop.schedule(after: timeout) { [self] in expire(id) }
            pending[id] = Pending(action: action.name, completion: completion, timer: timer, sentAt: .now)
            if logger.isEnabled(.debug) {
                logger.debug("ami.sent", [("action", .string(action.description)), ("action_id", .string(id))])
            }
            write(bytes)
        }

        private func expire(_ id: String) {
            guard let entry = pending.removeValue(forKey: id) else { return }
            logger.warning("ami.action_timeout", [("action", .string(entry.action)), ("action_id", .string(id))])
            entry.completion(.failure(.timeout(action: entry.action, actionID: id)))
        }

        private func finish(_ id: String, _ result: Result<AMIResponse, AMIError>) {
            guard let entry = pending.removeValue(forKey: id) else { return }
            loop.cancel(entry.timer)
            if logger.isEnabled(.debug) {
                let latency = ContinuousClock.now - entry.sentAt
                logger.debug(
                    "ami.answered",
                    [("action", .string(entry.action)), ("action_id", .string(id)), ("latency_ms", .int(Int(latency.milliseconds)))])
            }
            entry.completion(result)
        }

        // MARK: I/O

        private func handleIO(_ events: IOEvents, generation current: UInt64) {
            guard current == generation else { return }
            if phase == .connecting {
                connected()
                return
            }
            if !events.isDisjoint(with: [.read, .hangup]) {
                readAvailable(generation: current)
            }
            if current == generation, events.contains(.write) {
                flush()
            }
        }

        private func readAvailable(generation current: UInt64) {
            // Bounded per wake-up so timers and writes get their turn under a flood.
            for _ in 0..<64 {
                let result: IOResult
                do {
                    result = try Socket.read(fd, into: readBuffer)
                } catch {
                    lost("read failed: \(error)")
                    return
                }
                switch result {
                case .processed(let count):
                    decoder.append(UnsafeRawBufferPointer(rebasing: readBuffer[0..<count]))
                    drainFrames(generation: current)
                    guard current == generation else { return }
                case .wouldBlock:
                    return
                case .endOfFile:
                    lost("Asterisk closed the connection")
                    return
                }
            }
        }

        private func drainFrames(generation current: UInt64) {
            while current == generation {
                let frame: AMIFrame?
                do {
                    frame = try decoder.next()
                } catch {
                    // The decoder has skipped the bad frame: resync and go on.
                    logger.warning("ami.malformed_frame", [("error", .string(error.description))])
                    continue
                }
                guard let frame else { return }
                handle(frame)
            }
        }

        private func handle(_ frame: AMIFrame) {
            switch frame {
            case .banner(let version):
                if phase == .awaitingBanner { logIn(bannerVersion: version) }
            case .message(let message):
                if phase == .awaitingBanner {
                    lost("Asterisk sent a message before its banner")
                    return
                }
                switch message.kind {
                case .response: handleResponse(message)
                case .event: handleEvent(message)
                case .action, .unknown: logger.debug("ami.unexpected_frame", [("frame", .string(message.name ?? ""))])
                }
            }
        }

        private func handleResponse(_ message: AMIMessage) {
            guard let id = message.actionID, pending[id] != nil else {
                logger.debug("ami.unmatched_response", [("action_id", .string(message.actionID ?? ""))])
                return
            }
            if message.has("EventList", "start") {
                pending[id]?.response = message
                return
            }
            finish(id, .success(AMIResponse(message: message)))
        }

        private func handleEvent(_ message: AMIMessage) {
            if let id = message.actionID, let entry = pending[id], let response = entry.response {
                if message.has("EventList", "Complete") {
                    finish(id, .success(AMIResponse(message: response, events: entry.events, complete: message)))
                } else {
                    // Kept until the list completes (5,000 QueueMember events for a big call center).
                    pending[id]?.events.append(message.compacted())
                }
                return
            }
            if message.has("Event", "FullyBooted") {
                fullyBooted(message)
            }
            emit(.event(message))
            if message.has("Event", "Shutdown") {
                let restart = message["Restart"] ?? "?"
                lost("Asterisk is shutting down (\(message["Shutdown"] ?? "?"), restart: \(restart))")
            }
        }

        private func fullyBooted(_ message: AMIMessage) {
            let uptime = message["Uptime"].flatMap { Int($0) }
            let now = ContinuousClock.now
            var restarted = false
            if let uptime, let last = lastBoot {
                // Lower than last time, or lower than it should have grown to since (its grain is
                // one second), means Asterisk restarted meanwhile.
                let expected = last.uptime + Int((now - last.at).milliseconds / 1000)
                restarted = uptime < last.uptime || uptime + 1 < expected
            }
            if let uptime { lastBoot = (uptime, now) }
            var fields: [(String, LogValue)] = [("restarted", .bool(restarted))]
            if let uptime { fields.insert(("uptime_s", .int(uptime)), at: 0) }  // absent, not "?", when Asterisk did not say
            logger.info("ami.fully_booted", fields)
            emit(.fullyBooted(uptime: uptime, restarted: restarted))
        }

        /// Queues `bytes`; they go out with everything else written before the loop turns to
        /// its next task, in one system call: a burst of actions is one `send`, not one each.
        private func write(_ bytes: [UInt8]) {
            guard fd >= 0 else { return }
            outbound.append(contentsOf: bytes)
            if outbound.count - outboundIndex > configuration.maximumPendingOutput {
                lost("Asterisk stopped reading: more than \(configuration.maximumPendingOutput) bytes pending")
                return
            }
            guard !flushScheduled else { return }
            flushScheduled = true
            loop.execute { [weak self] in
                guard let self else { return }
                flushScheduled = false
                flush()
            }
        }

        private func flush() {
            guard fd >= 0 else { return }
            while outboundIndex < outbound.count {
                let result: IOResult
                do {
                    result = try outbound.withUnsafeBytes { raw throws(SystemCallError) in
                        try Socket.write(fd, from: UnsafeRawBufferPointer(rebasing: raw[outboundIndex...]))
                    }
                } catch {
                    lost("write failed: \(error)")
                    return
                }
                switch result {
                case .processed(let count):
                    outboundIndex += count
                case .wouldBlock, .endOfFile:
                    loop.setInterest(fd: fd, [.read, .write])
                    return
                }
            }
            outbound.removeAll(keepingCapacity: outbound.capacity <= 1 << 20)
            outboundIndex = 0
            loop.setInterest(fd: fd, .read)
        }

        // MARK: Ending a connection

        /// The connection ended for a reason other than credentials: fail what was in flight
        /// (never re-send it) and retry with backoff.
        private func lost(_ reason: String) {
            switch phase {
            case .resolving, .connecting, .awaitingBanner, .loggingIn, .loggedIn: break
            default: return
            }
            phase = .waitingToRetry  // before failing callbacks, so none of them re-enters here
            close(failing: .connectionLost(reason: reason))
            // A failed callback (the Logoff of a stop) may have stopped the connection: then it stays stopped.
            guard phase == .waitingToRetry else { return }
            emit(.stateChanged(.lost(reason: reason)))
            logger.warning(
                "ami.connection_lost",
                [("host", .string(configuration.host)), ("port", .int(configuration.port)), ("reason", .string(reason))])
            let delay = configuration.backoff.delay(attempt: attempt, unit: Double.random(in: 0...1))
            attempt += 1
            setPhase(.waitingToRetry, state: .retrying(in: delay, attempt: attempt))
            logger.info("ami.reconnecting", [("retry_in_ms", .int(Int(delay.milliseconds))), ("attempt", .int(attempt + 1))])
            let current = generation
            timers.append(
                loop.schedule(after: delay) { [self] in
                    guard generation == current, phase == .waitingToRetry else { return }
                    connect()
                })
        }

        private func close(failing error: AMIError) {
            closeSocket()
            for timer in timers { loop.cancel(timer) }
            timers.removeAll()
            pingTimer.map(loop.cancel)
            pingTimer = nil
            pingOutstanding = false
            let failed = pending
            pending.removeAll()
            for (_, entry) in failed.sorted(by: { $0.value.sentAt < $1.value.sentAt }) {
                loop.cancel(entry.timer)
                entry.completion(.failure(error))
            }
        }

        private func closeSocket() {
            generation &+= 1
            if fd >= 0 {
                loop.deregister(fd: fd)
                Socket.close(fd)
                fd = -1
            }
            decoder = AMIFrameDecoder(expectsBanner: true, maximumFrameSize: configuration.maximumFrameSize)
            outbound.removeAll()
            outboundIndex = 0
        }

        private func setPhase(_ new: Phase, state: AMIConnectionState) {
            phase = new
            emit(.stateChanged(state))
        }
    }
}
