import SystemSupport

/// The rules of one AMI session, pure: what happened goes in (a command, a name resolved, a
/// connect's outcome, bytes read, the socket lost, a timer due), with the time it happened; the
/// actions the I/O layer performs come out (resolve, connect, write, close, arm or cancel a
/// timer, answer a caller, report a state or an event). It reads no clock and touches no socket,
/// so tests drive it with a manual clock; `AMIConnection.Session` is the shell around it.
///
/// `Caller` is whatever the shell needs to answer whoever sent an action (a completion closure;
/// a name in tests). The machine only logs, through the logger it is given.
struct AMISessionStateMachine<Instant: InstantProtocol<Duration>, Caller> {
    /// Where the session is. Only `loggedIn` takes actions; `authenticationFailed` waits for a
    /// new configuration, `stopped` for nothing.
    enum State: Equatable {
        case idle
        case resolving
        /// To `address`; `remainingAddresses` are tried after it.
        case connecting
        case awaitingBanner
        /// The `Challenge` or `Login` is out.
        case loggingIn
        case loggedIn
        /// The connection was lost; a `retry` timer is armed.
        case waitingToRetry
        case authenticationFailed
        case stopped
    }

    /// Why an action was sent: for a caller, or for the session itself.
    enum Purpose {
        case caller(Caller)
        case challenge
        case login
        case ping(generation: UInt64)
        case logoff
    }

    struct Pending {
        var action: String
        var number: UInt64
        var purpose: Purpose
        var response: AMIMessage?
        var events: [AMIMessage] = []
        var sentAt: Instant
    }

    var configuration: AMIConnectionConfiguration
    var state: State = .idle
    /// Bumped whenever a connection is begun and a socket opened or closed, so late callbacks of
    /// an old one (a resolution, a timer, a readiness) are ignored.
    var generation: UInt64 = 0
    var attempt = 0
    /// The address being connected to, and those to try after it.
    var address: SocketAddress?
    var remainingAddresses: [SocketAddress] = []
    var decoder: AMIFrameDecoder
    var pending: [String: Pending] = [:]
    var nextActionNumber: UInt64 = 0
    let actionIDPrefix: String
    var pingOutstanding = false
    var lastBoot: (uptime: Int, at: Instant)?
    let logger: Logger
    /// A random number in [0, 1] for the backoff's jitter.
    let unitRandom: () -> Double

    /// - Parameter actionIDPrefix: unique per process, so an ActionID is never reused, even
    ///   across reconnects.
    init(
        configuration: AMIConnectionConfiguration, logger: Logger, actionIDPrefix: String,
        unitRandom: @escaping () -> Double = { Double.random(in: 0...1) }
    ) {
        self.configuration = configuration
        self.logger = logger
        self.actionIDPrefix = actionIDPrefix
        self.unitRandom = unitRandom
        decoder = AMIFrameDecoder(expectsBanner: true, maximumFrameSize: configuration.maximumFrameSize)
    }

    // MARK: Commands

    /// Starts connecting; retries until `stop`, except after an authentication failure.
    mutating func start(at now: Instant) -> [Action] {
        guard state == .idle else { return [] }
        var actions: [Action] = []
        connect(into: &actions)
        return actions
    }

    /// A new configuration: when it differs, the connection is re-made with it (an
    /// authentication failure is cleared).
    mutating func update(configuration new: AMIConnectionConfiguration, at now: Instant) -> [Action] {
        guard new != configuration else { return [] }
        configuration = new
        logger.info("ami.reconfigured", [("host", .string(new.host)), ("port", .int(new.port)), ("username", .string(new.username))])
        switch state {
        case .idle, .stopped:
            return []
        default:
            var actions: [Action] = []
            close(failing: .connectionLost(reason: "configuration changed"), at: now, into: &actions)
            // A failed Logoff of a stop under way has stopped the connection: it stays stopped.
            guard state != .stopped else { return actions }
            attempt = 0
            connect(into: &actions)
            return actions
        }
    }

    /// Sends `action` for `caller`, who is answered exactly once: the response, a timeout,
    /// `connectionLost`, `notConnected` or an encoding error.
    mutating func send(_ action: AMIAction, timeout: Duration?, caller: Caller, at now: Instant) -> [Action] {
        guard state == .loggedIn else { return [.complete(caller, .failure(.notConnected))] }
        var actions: [Action] = []
        dispatch(action, timeout: timeout ?? configuration.actionTimeout, purpose: .caller(caller), at: now, into: &actions)
        return actions
    }

    /// Logs off (waiting up to `grace` for Asterisk's `Goodbye`), then closes and fails what is
    /// still pending. Ends with `stopFinished`, once per call.
    mutating func stop(grace: Duration, at now: Instant) -> [Action] {
        var actions: [Action] = []
        if state == .loggedIn {
            dispatch(AMIAction("Logoff"), timeout: grace, purpose: .logoff, at: now, into: &actions)
        } else {
            finishStop(at: now, into: &actions)
        }
        return actions
    }

    mutating func enter(_ new: State, reporting reported: AMIConnectionState, into actions: inout [Action]) {
        state = new
        actions.append(.emit(.stateChanged(reported)))
    }
}
