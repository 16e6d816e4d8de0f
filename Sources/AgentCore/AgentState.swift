/// One agent as the core knows it. Logged-out agents have no state at all (their status is
/// `unassigned`).
public struct AgentState: Sendable, Equatable {
    public var agent: AgentID
    public var status: StatusID
    /// When the current status began: the base of its deadline.
    public var since: Timestamp
    public var extensionID: ExtensionID
    /// The member interface in the queues: the phone's, or the remote Local channel for a
    /// virtual extension.
    public var interface: Interface
    public var stateInterface: Interface?
    public var isVirtual: Bool
    /// Calls in progress on the extension, by `Uniqueid`.
    public var calls: [String: CallDirection]
    /// The status a call interrupted ("last"), or the one asked for during the call, which
    /// replaces it. Set only while `status` is a call status.
    public var statusBeforeCall: StatusID?
    /// Who asked for `statusBeforeCall` during the call, if someone did: that request is
    /// honoured at hangup, even over a wrap-up `on_hangup`.
    public var requestedBy: Actor?

    public init(
        agent: AgentID, status: StatusID, since: Timestamp, extensionID: ExtensionID, interface: Interface,
        stateInterface: Interface?, isVirtual: Bool, calls: [String: CallDirection] = [:],
        statusBeforeCall: StatusID? = nil, requestedBy: Actor? = nil
    ) {
        self.agent = agent
        self.status = status
        self.since = since
        self.extensionID = extensionID
        self.interface = interface
        self.stateInterface = stateInterface
        self.isVirtual = isVirtual
        self.calls = calls
        self.statusBeforeCall = statusBeforeCall
        self.requestedBy = requestedBy
    }

    /// The status whose membership applies: a call keeps the membership of what it interrupted.
    public var membershipStatus: StatusID {
        status.isCall ? (statusBeforeCall ?? .connected) : status
    }
}

public enum CallDirection: String, Sendable, Equatable {
    case incoming, outgoing

    public var status: StatusID { self == .incoming ? .incomingCall : .outgoingCall }
}
