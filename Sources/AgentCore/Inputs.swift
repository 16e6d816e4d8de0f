/// Who asked for a change.
public enum Actor: Sendable, Equatable, CustomStringConvertible {
    /// A configured user (agent, supervisor or admin, by its role).
    case user(AgentID)
    /// A local administrator (the Unix socket, an admin token).
    case admin(String)
    /// A phone feature code from the extension's dialplan (`UserEvent`).
    case phone(ExtensionID)
    /// The daemon itself: timeouts, calls, reloads, reconciles.
    case system

    public var description: String {
        switch self {
        case .user(let id): id.rawValue
        case .admin(let name): "admin:\(name)"
        case .phone(let ext): "phone:\(ext)"
        case .system: "system"
        }
    }
}

/// Why a status changed; recorded with every transition.
public enum Cause: String, Sendable, Equatable, CaseIterable {
    case agent, supervisor, admin, timeout, call, hangup, reload, reconcile, phone
}

/// A command from a person (API, CLI, phone feature code).
public enum Command: Sendable, Equatable {
    case login(AgentID, extension: ExtensionID)
    case logout(AgentID)
    case setStatus(AgentID, StatusID)
}

/// What the daemon saw of a call, reduced from AMI events (`Newchannel`, `DialBegin`, `Newstate`,
/// `Hangup`) to what the rules need.
public enum CallEvent: Sendable, Equatable {
    /// `Newchannel`: `state` is `ChannelState` (0 Down, 4 Ring, 5 Ringing, 6 Up).
    case channelCreated(uniqueID: String, channel: String, state: Int)
    /// `DialBegin` with this channel as `DestChannel`: Asterisk is calling the phone.
    case dialed(uniqueID: String, channel: String)
    /// `Newstate` to 4 (Ring) of a channel that `AgentStateMachine.waitsForRing`: the phone has
    /// dialled, so the call it placed is outgoing.
    case placed(uniqueID: String, channel: String)
    case hangup(uniqueID: String, channel: String)
    /// The daemon started a click-to-dial `Originate` towards this agent's phone: its next
    /// channel is an outgoing call although Asterisk rings the phone first.
    case originateStarted(AgentID)
}

/// Asterisk's actual state after a (re)connect: `QueueStatus` members and `CoreShowChannels`.
public struct AsteriskSnapshot: Sendable, Equatable {
    public struct Member: Sendable, Equatable {
        public var queue: QueueName
        public var interface: Interface
        public var penalty: Int
        /// False for static members from queues.conf: never touched.
        public var isDynamic: Bool

        public init(queue: QueueName, interface: Interface, penalty: Int, isDynamic: Bool) {
            self.queue = queue
            self.interface = interface
            self.penalty = penalty
            self.isDynamic = isDynamic
        }
    }

    public struct Channel: Sendable, Equatable {
        public var uniqueID: String
        public var channel: String
        /// True when Asterisk is calling the phone (the channel runs `AppDial`/`AppQueue`),
        /// false when the phone placed the call.
        public var isIncoming: Bool

        public init(uniqueID: String, channel: String, isIncoming: Bool) {
            self.uniqueID = uniqueID
            self.channel = channel
            self.isIncoming = isIncoming
        }
    }

    public var members: [Member]
    public var channels: [Channel]
    /// Queues that exist in Asterisk; a configured queue missing here is reported.
    public var queues: Set<QueueName>

    public init(members: [Member], channels: [Channel], queues: Set<QueueName>) {
        self.members = members
        self.channels = channels
        self.queues = queues
    }
}
