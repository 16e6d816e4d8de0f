/// Counters the daemon keeps for `/metrics` and the logs. Owned by the daemon's thread, except
/// the AMI reader's two (`eventsRead`, `eventsQueued`); read through a `DaemonSnapshot`.
public struct DaemonMetrics: Sendable, Equatable {
    /// AMI events read, all kinds (counted by the connection's reader as it reads them).
    public var eventsRead = 0
    /// AMI events and connection changes handed to the daemon's thread and not handled yet: the
    /// backlog between the two threads. At rest 0: every event read has been acted on.
    public var eventsQueued = 0
    /// Logins after the first one.
    public var reconnects = 0
    public var reconciles = 0
    /// Queue and AstDB actions sent, and those that failed, by action name.
    public var actionsSent: [String: Int] = [:]
    public var actionsFailed: [String: Int] = [:]
    /// Actions not sent because AMI was down: the reconcile on reconnect covers them.
    public var actionsDeferred = 0
    public var commands = 0
    public var commandsRefused = 0
    public var storeFailures = 0
    /// From an input entering the daemon to Asterisk's answer to the action it caused.
    public var effectLatency = LatencyHistogram()

    public init() {}
}

/// A fixed-bucket histogram of milliseconds, the Prometheus way (cumulative when exported).
public struct LatencyHistogram: Sendable, Equatable {
    public static let bounds: [Double] = [0.5, 1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000]
    /// Per bucket (not cumulative), plus one for +Inf.
    public private(set) var counts = [Int](repeating: 0, count: LatencyHistogram.bounds.count + 1)
    public private(set) var sum: Double = 0
    public private(set) var count = 0

    public init() {}

    public mutating func record(milliseconds: Double) {
        let index = Self.bounds.firstIndex(where: { milliseconds <= $0 }) ?? Self.bounds.count
        counts[index] += 1
        sum += milliseconds
        count += 1
    }
}
