import SystemSupport

/// The channels a phone (member interface) gets when it is called: `PJSIP/101-0000002a`, or the
/// pair `Local/101@agents-00000003;1` (the phone's leg) and `;2` (Asterisk's internal half).
struct PhoneLeg {
    let interface: String
    let primary: SimChannel
    let secondary: SimChannel?

    var channels: [SimChannel] { [primary] + (secondary.map { [$0] } ?? []) }
}

/// A caller in (or through) a queue. Loop-confined.
final class QueueCall {
    struct Attempt {
        let member: String
        let leg: PhoneLeg
        let startedAt: ContinuousClock.Instant
        var timer: TimerID?
    }

    struct Connection {
        let member: String
        let leg: PhoneLeg
        let connectedAt: ContinuousClock.Instant
        let holdSeconds: Int
        let bridgeID: String
        var hangupTimer: TimerID?
    }

    enum Phase {
        case waiting
        case ringing(Attempt)
        case connected(Connection)
        case finished
    }

    let id: Int
    var queue: String
    /// `;1`: the originated side, where the caller's "phone" is.
    let outer: SimChannel
    /// `;2`: the side that runs Queue().
    let caller: SimChannel
    var joinedAt: ContinuousClock.Instant = .now
    var originalPosition = 1
    var phase: Phase = .waiting
    var lastTried: String?
    var retryTimer: TimerID?
    var callerHangupTimer: TimerID?
    /// Calls with agents that were redirected away: their AgentComplete comes when the caller hangs up.
    var pendingCompletes: [(queue: String, interface: String, memberName: String, holdSeconds: Int, connectedAt: ContinuousClock.Instant)] = []

    init(id: Int, queue: String, outer: SimChannel, caller: SimChannel) {
        self.id = id
        self.queue = queue
        self.outer = outer
        self.caller = caller
    }

    var channels: [SimChannel] {
        var all = [outer, caller]
        switch phase {
        case .ringing(let attempt): all += attempt.leg.channels
        case .connected(let connection): all += connection.leg.channels
        case .waiting, .finished: break
        }
        return all
    }
}

/// Any other call: a phone rung from outside, a phone dialling out, an Originate. Hanging up any of
/// its channels ends it. Loop-confined.
final class PlainCall {
    let id: Int
    var channels: [SimChannel] = []
    var timers: [TimerID] = []
    var finished = false

    init(id: Int) { self.id = id }
}

/// The call a channel belongs to.
enum CallReference {
    case queue(QueueCall)
    case plain(PlainCall)
}
