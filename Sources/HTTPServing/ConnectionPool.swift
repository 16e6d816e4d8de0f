import HTTPWire
/// The connections of one kind of listener (TCP, or the Unix socket) against their allowance, and
/// which of them are idle, in the order they became so: a full pool makes room for a newcomer by
/// closing the one idle longest. Touched on the server's thread only.
final class ConnectionPool {
    let capacity: Int
    private(set) var count = 0
    /// The idle connections, a list linked through a dictionary from the longest idle to the
    /// newest: adding, removing and finding the oldest take constant time however many are open.
    private var links: [Int: Link] = [:]
    private(set) var longestIdle: Int?
    private var newestIdle: Int?

    private struct Link {
        var older: Int?
        var newer: Int?
    }

    init(capacity: Int) {
        self.capacity = capacity
    }

    var isFull: Bool { count >= capacity }
    var idleCount: Int { links.count }

    func opened() {
        count += 1
    }

    func closed(_ id: Int) {
        count -= 1
        update(id, idle: false)
    }

    /// A connection that becomes idle goes after every one idle before it; one that stays idle
    /// keeps its place.
    func update(_ id: Int, idle: Bool) {
        if idle {
            guard links[id] == nil else { return }
            links[id] = Link(older: newestIdle, newer: nil)
            if let newestIdle { links[newestIdle]?.newer = id } else { longestIdle = id }
            newestIdle = id
        } else {
            guard let link = links.removeValue(forKey: id) else { return }
            if let older = link.older { links[older]?.newer = link.newer } else { longestIdle = link.newer }
            if let newer = link.newer { links[newer]?.older = link.older } else { newestIdle = link.older }
        }
    }
}
