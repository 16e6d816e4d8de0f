public import ControlPort
import AMI
public import AgentCore
public import Config
import Store
public import SystemSupport

/// The running daemon: the one owner of the agents' state.
///
/// Everything that changes it (AMI events, commands, clock ticks, reloads, reconciles) runs on
/// the daemon's own thread, one input at a time and in arrival order; the public methods may be
/// called from any thread and hop there. For each input the core decides the effects and the
/// daemon carries them out in this order: queue actions go to Asterisk (they are idempotent and
/// a reconcile repairs them), the store writes the change into the open transaction, which
/// commits once the inputs queued with it have run (`Daemon+Commit.swift`); then listeners are
/// told and callers get their answers. Readers see committed state only.
public final class Daemon: @unchecked Sendable {
    // @unchecked: every stored `var` is touched on `loop`'s thread only.
    let loop: EventLoop
    let options: DaemonOptions
    var logger: Logger
    var settings: LoadedConfiguration
    var machine: AgentStateMachine
    let store: Store
    /// Reports read the store through a connection of their own, off the daemon's thread.
    let reports: ReportReader
    var connection: AMIConnection?
    var counters = DaemonMetrics()
    /// AMI events on their way from the connection's thread; counts read from any thread.
    let handOff = AMIHandOff()
    var observers: [@Sendable (DaemonEvent) -> Void] = []
    var stateObservers: [@Sendable (DaemonEvent, DaemonSnapshot) -> Void] = []

    var accepting = true
    var started = false
    var readyAnnounced = false
    var onReady: (@Sendable (String) -> Void)?
    var tickTimer: TimerID?
    /// The store refused the last tick's writes on their own: the next waits `storeRetryInterval`.
    var tickRefusedAt: ContinuousClock.Instant?
    var bootTimer: TimerID?
    var reconcile = ReconcileState()
    /// Queue actions sent and not yet answered.
    var inFlight = 0
    var amiState: AMIConnectionState = .idle {
        // Made once per change, not per snapshot (one per committed change, for the event stream).
        didSet { amiLink = AsteriskLink(amiState) }
    }
    /// `amiState` as the API shows it.
    var amiLink = AsteriskLink(AMIConnectionState.idle)
    var hasLoggedIn = false
    /// Unique ids of the calls being watched, to record when they are answered.
    var liveCalls: Set<String> = []
    /// The inputs waiting for their commit (group commit).
    var batch = CommitBatch()
    /// Set while the store cannot commit.
    var outage: StoreOutage?
    /// Why the store refused the writes of the input `run` just ran (that input was undone).
    var failedInput: StoreError?
    /// Queue actions sent since the start, to tell whether an input sent any.
    var actionsSentCount = 0
    /// `restore()` is running, on the caller's thread, and commits by itself.
    var restoring = false

    /// Opens the store, restores every agent it holds, and applies what expired or changed
    /// while the daemon was down. Nothing is sent to Asterisk before `start()`.
    public init(configuration: LoadedConfiguration, options: DaemonOptions = DaemonOptions(), logger: Logger) throws(DaemonError) {
        do {
            loop = try EventLoop(name: "daemon")
        } catch {
            throw .system("cannot start the daemon's thread: \(error)")
        }
        self.options = options
        self.logger = logger
        settings = configuration
        do {
            store = try Store(path: configuration.general.database)
        } catch {
            throw .store(path: configuration.general.database, error.description)
        }
        reports = ReportReader(path: configuration.general.database)
        machine = AgentStateMachine(configuration: configuration.core)
        try restore()
    }

    deinit {
        loop.shutdown()
    }

    // MARK: Public, from any thread

    /// Connects to Asterisk and starts the clock. `onReady` is called once, on the daemon's
    /// thread, after the first login and reconcile, or as soon as Asterisk proves unreachable,
    /// with a status line for systemd.
    public func start(onReady: (@Sendable (String) -> Void)? = nil) {
        loop.execute { [self] in startOnLoop(onReady: onReady) }
    }

    /// Applies a command (login, logout, status) by `actor`, coming from `source` (for the
    /// audit log: `api 10.0.0.5`, `unix socket`, `phone 101`).
    public func submit(
        _ command: Command, by actor: Actor, source: String, completion: @escaping @Sendable (CommandReply) -> Void
    ) {
        loop.execute { [self] in perform(command, by: actor, source: source, completion: completion) }
    }

    public func submit(_ command: Command, by actor: Actor, source: String) async -> CommandReply {
        await withCheckedContinuation { continuation in
            submit(command, by: actor, source: source) { continuation.resume(returning: $0) }
        }
    }

    /// Calls `observer` with every change, on the daemon's thread, after it is committed.
    public func observe(_ observer: @escaping @Sendable (DaemonEvent) -> Void) {
        loop.execute { [self] in observers.append(observer) }
    }

    /// Runs `body` with the daemon's current state on its thread, and hands back what it returns.
    /// A change still waiting for its commit is not shown: `body` runs after that commit.
    public func inspect<T: Sendable>(_ body: @escaping @Sendable (DaemonSnapshot) -> T) async -> T {
        await withCheckedContinuation { continuation in
            loop.execute { [self] in whenCommitted { [self] _ in continuation.resume(returning: body(snapshot)) } }
        }
    }

    /// Runs `body` on the daemon's thread with its current, committed state, between two inputs. For
    /// callers that answer from there (the API renders a reply and hands it to its own thread);
    /// `body` must not keep the snapshot, or the next change copies the whole state.
    public func withState(_ body: @escaping @Sendable (DaemonSnapshot) -> Void) {
        loop.execute { [self] in whenCommitted { [self] _ in body(snapshot) } }
    }

    /// Like `observe(_:)`, with the state right after the change: to decide who may see it.
    public func observe(withState observer: @escaping @Sendable (DaemonEvent, DaemonSnapshot) -> Void) {
        loop.execute { [self] in stateObservers.append(observer) }
    }

    /// Runs `work` on the daemon's thread every `interval` for as long as the thread runs: a
    /// systemd watchdog ping proves the main loop alive, not just the process.
    public func every(_ interval: Duration, _ work: @escaping @Sendable () -> Void) {
        loop.execute { [self] in repeatEvery(interval, work) }
    }

    private func repeatEvery(_ interval: Duration, _ work: @escaping @Sendable () -> Void) {
        _ = loop.schedule(after: interval) { [self] in
            work()
            repeatEvery(interval, work)
        }
    }

    var snapshot: DaemonSnapshot {
        DaemonSnapshot(
            machine: machine, settings: settings, metrics: metrics,
            ami: amiLink, storeWritable: storeWritable,
            inFlight: inFlight)
    }

    func notify(_ event: DaemonEvent) {
        for observer in observers { observer(event) }
        if !stateObservers.isEmpty {
            let state = snapshot
            for observer in stateObservers { observer(event, state) }
        }
    }
}

public enum DaemonError: Error, Sendable, Equatable, CustomStringConvertible {
    case store(path: String, String)
    case system(String)

    public var description: String {
        switch self {
        case .store(let path, let message): "cannot use the store \(path): \(message)"
        case .system(let message): message
        }
    }
}

extension AsteriskLink {
    init(_ state: AMIConnectionState) {
        self.init(name: state.name, isLoggedIn: state.isLoggedIn, description: state.description)
    }
}
