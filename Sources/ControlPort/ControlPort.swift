public import AgentCore

/// What the control API needs from the daemon, and all it may use: the narrow port between them.
/// `Daemon` implements it; the API's tests use a fake. Every method may be called from any
/// thread; the closures run on the daemon's thread unless said otherwise.
public protocol ControlPort: AnyObject, Sendable {
    /// The daemon's clock (tests move it by hand).
    func now() -> Timestamp

    /// Runs `body` with the current, committed state, between two inputs.
    func withState(_ body: @escaping @Sendable (DaemonSnapshot) -> Void)

    /// Calls `observer` with every committed change and the state right after it.
    func observe(withState observer: @escaping @Sendable (DaemonEvent, DaemonSnapshot) -> Void)

    /// Runs `work` on the daemon's thread every `interval`.
    func every(_ interval: Duration, _ work: @escaping @Sendable () -> Void)

    /// A command by `actor` from `source` (audit: `api 10.0.0.5`); answered once committed.
    func submit(_ command: Command, by actor: Actor, source: String, completion: @escaping @Sendable (CommandReply) -> Void)

    /// Reads the configuration file again and applies it, or says why not.
    func reload(completion: @escaping @Sendable (ReloadResult) -> Void)

    /// Records an admin's action that changes no agent; `completion` gets nil once the line is
    /// committed, or why the store cannot take it (the action must then not happen).
    func audit(
        actor: Actor, source: String, action: String, target: String?, outcome: String, detail: String?,
        completion: @escaping @Sendable (_ storeFailure: String?) -> Void)

    /// Time in each status and calls, per agent, within `day`, read off the daemon's thread;
    /// agents with no time in it are left out. `completion` runs on any thread.
    func timeInStatus(
        agents: [AgentID], day: Range<Timestamp>, now: Timestamp,
        completion: @escaping @Sendable (Result<[AgentDay], ReportFailure>) -> Void)
}

/// One agent's day in a report: milliseconds per status, and calls by direction.
public struct AgentDay: Sendable, Equatable {
    public var agent: AgentID
    public var milliseconds: [StatusID: Int64]
    public var incoming: Int
    public var outgoing: Int

    public init(agent: AgentID, milliseconds: [StatusID: Int64], incoming: Int, outgoing: Int) {
        self.agent = agent
        self.milliseconds = milliseconds
        self.incoming = incoming
        self.outgoing = outgoing
    }
}

/// The store could not be read for a report.
public struct ReportFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
