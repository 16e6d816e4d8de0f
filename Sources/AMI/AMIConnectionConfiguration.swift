/// Where and how to reach Asterisk. Equal configurations mean "nothing changed" on reload.
public struct AMIConnectionConfiguration: Sendable, Equatable {
    public enum Authentication: String, Sendable, Equatable {
        /// `Login` with `Secret`.
        case plain
        /// `Challenge` then `Login` with `Key: md5(challenge + secret)`: the secret never crosses the wire.
        case md5
    }

    public var host: String
    public var port: Int
    public var username: String
    public var secret: String
    public var authentication: Authentication
    /// The `Events` mask sent with `Login`. It must include `system`: only then does Asterisk
    /// send `FullyBooted` (whose `Uptime` tells a restart) and `Shutdown`.
    public var eventMask: String
    public var pingInterval: Duration
    /// How long a `Ping` may go unanswered before the connection is declared dead.
    public var pingTimeout: Duration
    public var actionTimeout: Duration
    public var connectTimeout: Duration
    public var loginTimeout: Duration
    public var backoff: Backoff
    public var maximumFrameSize: Int
    /// Pending output beyond this means Asterisk stopped reading: the connection is dropped.
    public var maximumPendingOutput: Int

    public init(
        host: String = "127.0.0.1", port: Int = 5038, username: String, secret: String,
        authentication: Authentication = .plain, eventMask: String = "system,call,agent,user",
        pingInterval: Duration = .seconds(10), pingTimeout: Duration = .seconds(5),
        actionTimeout: Duration = .seconds(10), connectTimeout: Duration = .seconds(5),
        loginTimeout: Duration = .seconds(10), backoff: Backoff = Backoff(),
        maximumFrameSize: Int = AMIFrameDecoder.defaultMaximumFrameSize, maximumPendingOutput: Int = 16 << 20
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.secret = secret
        self.authentication = authentication
        self.eventMask = eventMask
        self.pingInterval = pingInterval
        self.pingTimeout = pingTimeout
        self.actionTimeout = actionTimeout
        self.connectTimeout = connectTimeout
        self.loginTimeout = loginTimeout
        self.backoff = backoff
        self.maximumFrameSize = maximumFrameSize
        self.maximumPendingOutput = maximumPendingOutput
    }
}

/// Capped exponential backoff with jitter: attempt n waits a random time in
/// [½·d, d] where d = min(cap, initial·2ⁿ). Pure, so it is tested without sockets.
public struct Backoff: Sendable, Equatable {
    public var initial: Duration
    public var maximum: Duration

    public init(initial: Duration = .milliseconds(500), maximum: Duration = .seconds(30)) {
        self.initial = initial
        self.maximum = max(initial, maximum)
    }

    /// The ceiling for attempt `attempt` (0-based), before jitter.
    public func ceiling(attempt: Int) -> Duration {
        var delay = initial
        var n = 0
        while n < attempt, delay < maximum {
            delay = delay * 2
            n += 1
        }
        return min(delay, maximum)
    }

    /// The delay for `attempt`, with `unit` a random number in [0, 1].
    public func delay(attempt: Int, unit: Double) -> Duration {
        let ceiling = ceiling(attempt: attempt)
        let fraction = 0.5 + 0.5 * min(1, max(0, unit))
        return ceiling * fraction
    }
}
