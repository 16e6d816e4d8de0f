public import AgentCore

/// What listeners (the API's event stream, tests) are told, on the daemon's thread, after the
/// change is committed to the store.
public enum DaemonEvent: Sendable, Equatable {
    case transition(Transition)
    case callStarted(agent: AgentID, uniqueID: String, channel: String, direction: CallDirection, at: Timestamp)
    case callEnded(agent: AgentID, uniqueID: String, at: Timestamp)
    case ami(AsteriskLink)
    /// A reconcile with Asterisk finished; `actions` is how many queue actions it needed.
    case reconciled(actions: Int)
    case configurationReloaded
}

/// The answer to a command submitted to the daemon.
public struct CommandReply: Sendable, Equatable {
    /// The agent's state afterwards (nil when logged out), or why it was refused.
    public var result: Result<AgentState?, DaemonCommandError>
    /// Said to the caller although the command succeeded (e.g. a status over its `warn` limit).
    public var warnings: [String]
    /// The queues the agent is a member of afterwards, as the daemon keeps Asterisk.
    public var members: [Member]

    public init(result: Result<AgentState?, DaemonCommandError>, warnings: [String] = [], members: [Member] = []) {
        self.result = result
        self.warnings = warnings
        self.members = members
    }
}

public enum DaemonCommandError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The rules refused it.
    case refused(CommandError)
    /// The daemon is stopping and takes no more commands.
    case stopping
    /// The store could not commit the change (a full disk, an I/O error): it did not happen.
    case storeUnavailable(String)

    public var description: String {
        switch self {
        case .refused(let error): error.description
        case .stopping: "the daemon is stopping"
        case .storeUnavailable(let reason): "the change was not made: the store cannot commit (\(reason))"
        }
    }
}
