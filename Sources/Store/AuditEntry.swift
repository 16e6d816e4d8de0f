public import AgentCore

/// One line of the audit log: who did what, from where, and how it ended.
public struct AuditEntry: Sendable, Equatable {
    public var at: Timestamp
    public var actor: Actor
    /// Where the request came from: `api 10.0.0.5`, `unix socket`, `phone 101`.
    public var source: String
    /// What was asked: `login`, `set_status`, `reload`.
    public var action: String
    /// What it was asked on: an agent, a file; nil when nothing in particular.
    public var target: String?
    /// `ok`, `refused`, `failed`.
    public var outcome: String
    public var detail: String?

    public init(
        at: Timestamp, actor: Actor, source: String, action: String, target: String? = nil, outcome: String,
        detail: String? = nil
    ) {
        self.at = at
        self.actor = actor
        self.source = source
        self.action = action
        self.target = target
        self.outcome = outcome
        self.detail = detail
    }
}
