public import AgentCore

/// One call on an agent's extension as the store keeps it.
public struct CallRecord: Sendable, Equatable {
    public var uniqueID: String
    public var agent: AgentID
    public var direction: CallDirection
    public var channel: String
    public var started: Timestamp
    public var answered: Timestamp?
    public var ended: Timestamp?

    public init(
        uniqueID: String, agent: AgentID, direction: CallDirection, channel: String, started: Timestamp,
        answered: Timestamp? = nil, ended: Timestamp? = nil
    ) {
        self.uniqueID = uniqueID
        self.agent = agent
        self.direction = direction
        self.channel = channel
        self.started = started
        self.answered = answered
        self.ended = ended
    }
}
