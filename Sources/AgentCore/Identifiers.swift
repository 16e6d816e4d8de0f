/// Small identifier types, so a queue name is never passed where an agent is expected.
public protocol StringIdentifier: Hashable, Comparable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    var rawValue: String { get }
    init(_ rawValue: String)
}

extension StringIdentifier {
    public init(stringLiteral value: String) { self.init(value) }
    public var description: String { rawValue }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// An agent's login (its e-mail).
public struct AgentID: StringIdentifier {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
}

/// A status: one of the five built-ins or a custom one from the configuration.
public struct StatusID: StringIdentifier {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }

    public static let connected: StatusID = "connected"
    public static let virtual: StatusID = "virtual"
    public static let unassigned: StatusID = "unassigned"
    public static let incomingCall: StatusID = "incoming_call"
    public static let outgoingCall: StatusID = "outgoing_call"
    /// The five statuses every configuration has; their names are fixed.
    public static let builtIns: [StatusID] = [.connected, .virtual, .unassigned, .incomingCall, .outgoingCall]

    public var isBuiltIn: Bool { Self.builtIns.contains(self) }
    public var isCall: Bool { self == .incomingCall || self == .outgoingCall }
}

/// A skill: a named set of queues.
public struct SkillID: StringIdentifier {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
}

/// An Asterisk queue.
public struct QueueName: StringIdentifier {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
}

/// An extension: a phone, or a virtual one.
public struct ExtensionID: StringIdentifier {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
}

/// An Asterisk interface: `PJSIP/101`, `Local/101@agents/n`, `Local/+972501234567@ccagentd-remote/n`.
public struct Interface: StringIdentifier {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
}

/// A group: agents in different groups do not see each other.
public struct GroupID: StringIdentifier {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
}
