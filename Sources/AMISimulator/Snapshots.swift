public import AMI

/// A queue member as the simulator holds it (the fields of `QueueMember` / `QueueMemberAdded`).
public struct QueueMember: Sendable, Equatable {
    public var queue: String
    public var interface: String
    public var name: String
    public var stateInterface: String
    public var penalty: Int
    public var paused: Bool
    public var pausedReason: String
    /// False for static members from the configuration.
    public var dynamic: Bool
    public var callsTaken: Int
    /// Epoch seconds; 0 when never.
    public var lastCall: Int
    public var lastPause: Int
    public var loginTime: Int
    public var inCall: Bool
    /// The device state number: 1 not in use, 2 in use, 6 ringing.
    public var status: Int
}

/// One live channel.
public struct ChannelSnapshot: Sendable, Equatable {
    public var name: String
    public var uniqueid: String
    public var linkedid: String
    /// 0 Down, 4 Ring, 5 Ringing, 6 Up.
    public var state: Int
    public var callerIDNum: String
    public var context: String
    public var exten: String
    public var application: String
    /// The phone (member interface) this channel is a leg of, if any.
    public var interface: String?
}

/// An action as the simulator read it, with when it arrived (for latency measurements).
public struct ReceivedAction: Sendable {
    public var at: ContinuousClock.Instant
    public var action: AMIMessage
}
