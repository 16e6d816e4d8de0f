import Foundation

/// One queue: its members, its waiting callers and its counters. Loop-confined.
final class SimQueue {
    let name: String
    let strategy: String
    var members: [QueueMember] = []
    /// Callers waiting, in position order.
    var waiting: [QueueCall] = []
    var completed = 0
    var abandoned = 0
    var completedInServiceLevel = 0
    var totalHoldSeconds = 0
    var totalTalkSeconds = 0
    let serviceLevel = 60

    init(name: String, strategy: String) {
        self.name = name
        self.strategy = strategy
    }

    func memberIndex(_ interface: String) -> Int? {
        members.firstIndex { Self.sameInterface($0.interface, interface) }
    }

    /// Asterisk compares interfaces with `strcasecmp`: ASCII letters in either case, bytes as they
    /// are. (Foundation's `caseInsensitiveCompare` does the same for ASCII at many times the cost.)
    static func sameInterface(_ a: String, _ b: String) -> Bool {
        guard a.utf8.count == b.utf8.count else { return false }
        return zip(a.utf8, b.utf8).allSatisfy { lowercased($0) == lowercased($1) }
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
    }

    /// Average hold and talk time in seconds, as `QueueParams` and `queue show` show them.
    var averageHold: Int { completed == 0 ? 0 : totalHoldSeconds / completed }
    var averageTalk: Int { completed == 0 ? 0 : totalTalkSeconds / completed }

    var serviceLevelPerformance: Double {
        completed == 0 ? 0 : 100 * Double(completedInServiceLevel) / Double(completed)
    }
}

extension QueueMember {
    /// The member block of `QueueMemberAdded`, `…Removed`, `…Pause`, `…Penalty`, `…Status`.
    var eventFields: [(String, String)] {
        [
            ("Queue", queue), ("MemberName", name), ("Interface", interface), ("StateInterface", stateInterface),
            ("Membership", dynamic ? "dynamic" : "static"), ("Penalty", String(penalty)),
            ("CallsTaken", String(callsTaken)), ("LastCall", String(lastCall)), ("LastPause", String(lastPause)),
            ("LoginTime", String(loginTime)), ("InCall", inCall ? "1" : "0"), ("Status", String(status)),
            ("Paused", paused ? "1" : "0"), ("PausedReason", pausedReason), ("Ringinuse", "0"), ("Wrapuptime", "0"),
        ]
    }

    /// The `QueueMember` list item of `QueueStatus` (no ActionID yet: it goes last).
    var statusFields: [(String, String)] {
        [
            ("Queue", queue), ("Name", name), ("Location", interface), ("StateInterface", stateInterface),
            ("Membership", dynamic ? "dynamic" : "static"), ("Penalty", String(penalty)),
            ("CallsTaken", String(callsTaken)), ("LastCall", String(lastCall)), ("LastPause", String(lastPause)),
            ("LoginTime", String(loginTime)), ("InCall", inCall ? "1" : "0"), ("Status", String(status)),
            ("Paused", paused ? "1" : "0"), ("PausedReason", pausedReason), ("Wrapuptime", "0"),
        ]
    }

    /// Not paused and its phone free: a queue may ring it.
    var available: Bool { !paused && status == 1 }
}
