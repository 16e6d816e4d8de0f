import ControlPort
public import AMI
public import AgentCore

/// How a daemon runs, apart from its configuration file: what tests and benchmarks tune.
public struct DaemonOptions: Sendable {
    /// The file a reload (SIGHUP) reads again; nil when the configuration came from elsewhere.
    public var configPath: String?
    /// How often timed statuses are checked. Expired ones are recorded at their deadline, not
    /// at the tick, so this only bounds how late the move is seen.
    public var tickInterval: Duration
    /// The wall clock; tests pass their own.
    public var clock: @Sendable () -> Timestamp
    /// After a failed queue action, the first reconcile waits this long; it doubles up to
    /// `maximumReconcileRetry` while actions keep failing.
    public var reconcileRetry: Duration
    public var maximumReconcileRetry: Duration
    /// Waiting for `FullyBooted` after a login before reconciling anyway (an Asterisk that does
    /// not send it, or an event mask without `system`).
    public var fullyBootedWait: Duration
    /// A stop waits this long for queue actions still in flight before logging off.
    public var stopGrace: Duration
    /// While the store cannot commit, how often the daemon tries again (with the inputs from
    /// Asterisk that wait for it); commands in between are refused at once.
    public var storeRetryInterval: Duration
    /// Inputs from Asterisk kept, in order, while the store cannot commit; past this many the
    /// newest are dropped and a reconcile after the recovery reads the truth from Asterisk.
    public var maximumWaitingInputs: Int
    /// Adjusts the AMI connection settings derived from the file (timeouts, backoff in tests).
    public var tuneConnection: @Sendable (AMIConnectionConfiguration) -> AMIConnectionConfiguration

    public init(
        configPath: String? = nil, tickInterval: Duration = .milliseconds(250),
        clock: @escaping @Sendable () -> Timestamp = WallClock.now,
        reconcileRetry: Duration = .seconds(5), maximumReconcileRetry: Duration = .seconds(300),
        fullyBootedWait: Duration = .seconds(5), stopGrace: Duration = .seconds(2),
        storeRetryInterval: Duration = .seconds(1), maximumWaitingInputs: Int = 100_000,
        tuneConnection: @escaping @Sendable (AMIConnectionConfiguration) -> AMIConnectionConfiguration = { $0 }
    ) {
        self.configPath = configPath
        self.tickInterval = tickInterval
        self.clock = clock
        self.reconcileRetry = reconcileRetry
        self.maximumReconcileRetry = maximumReconcileRetry
        self.fullyBootedWait = fullyBootedWait
        self.stopGrace = stopGrace
        self.storeRetryInterval = storeRetryInterval
        self.maximumWaitingInputs = maximumWaitingInputs
        self.tuneConnection = tuneConnection
    }
}
