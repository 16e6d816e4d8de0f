/// A queue member as the core puts it into Asterisk.
public struct Member: Sendable, Hashable {
    public var queue: QueueName
    public var interface: Interface
    public var penalty: Int
    public var memberName: String
    public var stateInterface: Interface?

    public init(queue: QueueName, interface: Interface, penalty: Int, memberName: String, stateInterface: Interface?) {
        self.queue = queue
        self.interface = interface
        self.penalty = penalty
        self.memberName = memberName
        self.stateInterface = stateInterface
    }
}

/// One recorded status change: contiguous per agent (`from` is the previous `to`).
public struct Transition: Sendable, Equatable {
    public var agent: AgentID
    public var from: StatusID
    public var to: StatusID
    public var at: Timestamp
    public var cause: Cause
    public var actor: Actor
    /// Extra words for a person: why a reload logged someone out, a limit warning.
    public var note: String?

    public init(agent: AgentID, from: StatusID, to: StatusID, at: Timestamp, cause: Cause, actor: Actor, note: String? = nil) {
        self.agent = agent
        self.from = from
        self.to = to
        self.at = at
        self.cause = cause
        self.actor = actor
        self.note = note
    }
}

/// What the daemon must do after an input. The core decides; the daemon performs.
public enum Effect: Sendable, Equatable {
    case queueAdd(Member)
    case queueRemove(queue: QueueName, interface: Interface)
    case queuePenalty(queue: QueueName, interface: Interface, penalty: Int)
    /// AstDB follow-me for a virtual extension: key = the extension, value = the mobile.
    case dbPut(family: String, key: String, value: String)
    case dbDel(family: String, key: String)
    /// Record this change in the history (and notify listeners).
    case transition(Transition)
    /// Persist the agent's current state (nil state: logged out).
    case saveAgent(AgentID, AgentState?)
    /// A call started or ended on an agent's extension.
    case callStarted(agent: AgentID, uniqueID: String, channel: String, direction: CallDirection, at: Timestamp)
    case callEnded(agent: AgentID, uniqueID: String, at: Timestamp)
    /// Something ops should read: a reload that moved an agent, a queue missing in Asterisk.
    case warning(event: String, agent: AgentID?, message: String)
}

/// Why a command was refused. Each case knows its HTTP-like class for the API.
public enum CommandError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownAgent(AgentID)
    case notAnAgent(AgentID)
    case inactive(AgentID)
    case forbidden(actor: Actor, agent: AgentID)
    case unknownStatus(StatusID)
    case unknownExtension(ExtensionID)
    case extensionNotAllowed(AgentID, ExtensionID)
    case extensionTaken(ExtensionID, by: AgentID)
    case alreadyLoggedIn(AgentID, at: ExtensionID)
    case notLoggedIn(AgentID)
    case statusNotSettable(StatusID, reason: String)
    case limitReached(StatusID, limit: Int)
    case noMobile(AgentID)

    public var description: String {
        switch self {
        case .unknownAgent(let a): "unknown agent \(a)"
        case .notAnAgent(let a): "\(a) is not a call-center agent (ccuser = no)"
        case .inactive(let a): "\(a) is not active"
        case .forbidden(let actor, let a): "\(actor) may not change \(a)"
        case .unknownStatus(let s): "unknown status \(s)"
        case .unknownExtension(let e): "unknown extension \(e)"
        case .extensionNotAllowed(let a, let e): "\(a) may not use extension \(e)"
        case .extensionTaken(let e, let by): "extension \(e) is taken by \(by)"
        case .alreadyLoggedIn(let a, let e): "\(a) is already logged in at \(e)"
        case .notLoggedIn(let a): "\(a) is not logged in"
        case .statusNotSettable(let s, let reason): "status \(s) cannot be set: \(reason)"
        case .limitReached(let s, let limit): "status \(s) is full: at most \(limit.counted("agent")) at once"
        case .noMobile(let a): "\(a) has no mobile number for a virtual extension"
        }
    }
}

/// The core's answer to one input.
public struct Outcome: Sendable, Equatable {
    public var effects: [Effect]
    /// For a command: the agent's state afterwards (nil when logged out), or why it was refused.
    public var result: Result<AgentState?, CommandError>?
    /// Things the caller should be told although the command succeeded (over a limit with `warn`).
    public var warnings: [String]

    public init(effects: [Effect] = [], result: Result<AgentState?, CommandError>? = nil, warnings: [String] = []) {
        self.effects = effects
        self.result = result
        self.warnings = warnings
    }
}

extension Array where Element == Effect {
    /// Room for `more` effects, growing geometrically: `reserveCapacity` alone grows to exactly
    /// what is asked, which in a loop (a reload, a reconcile) would make appending quadratic.
    mutating func reserve(_ more: Int) {
        let needed = count + more
        if capacity < needed { reserveCapacity(Swift.max(needed, 2 * capacity)) }
    }
}
