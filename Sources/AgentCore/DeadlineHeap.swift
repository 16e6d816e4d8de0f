/// Deadlines of timed statuses in a binary min-heap, so a tick costs O(log n) per expiry instead
/// of a scan of every agent. Entries are invalidated lazily: one is live only while it still
/// equals the agent's current deadline.
struct DeadlineHeap: Sendable {
    private var entries: [(at: Timestamp, agent: AgentID)] = []

    var isEmpty: Bool { entries.isEmpty }
    var earliest: Timestamp? { entries.first?.at }

    private static func less(_ a: (at: Timestamp, agent: AgentID), _ b: (at: Timestamp, agent: AgentID)) -> Bool {
        a.at < b.at || (a.at == b.at && a.agent < b.agent)
    }

    mutating func push(_ at: Timestamp, _ agent: AgentID) {
        entries.append((at, agent))
        var child = entries.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.less(entries[child], entries[parent]) else { break }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> (at: Timestamp, agent: AgentID)? {
        guard !entries.isEmpty else { return nil }
        let top = entries[0]
        let last = entries.removeLast()
        if !entries.isEmpty {
            entries[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1
                let right = left + 1
                var smallest = parent
                if left < entries.count, Self.less(entries[left], entries[smallest]) { smallest = left }
                if right < entries.count, Self.less(entries[right], entries[smallest]) { smallest = right }
                if smallest == parent { break }
                entries.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return top
    }

    /// Drops stale entries from the top, so `earliest` is a live deadline.
    mutating func prune(isLive: (Timestamp, AgentID) -> Bool) {
        while let top = entries.first, !isLive(top.at, top.agent) { _ = pop() }
    }

    /// Rebuilds from the live deadlines when stale entries dominate, keeping memory flat.
    mutating func compact(_ live: [AgentID: Timestamp]) {
        guard entries.count > 64, entries.count > 4 * live.count else { return }
        entries.removeAll(keepingCapacity: true)
        for (agent, at) in live { push(at, agent) }
    }
}
