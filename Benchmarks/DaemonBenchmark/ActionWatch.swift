import AMI
import AMISimulator
import Synchronization

/// Watches the actions arriving at the simulator for one status change at a time: the first
/// matching `QueueAdd` / `QueueRemove` (same `Interface`, one of the agent's queues) is the
/// change's arrival time; the change is complete once one has arrived for every queue.
///
/// `observe` runs on the simulator's thread; `arm` and `wait` on the benchmark's task.
final class ActionWatch: Sendable {
    struct Arrivals: Sendable {
        var first: ContinuousClock.Instant
        var last: ContinuousClock.Instant
    }

    private struct State {
        var action = ""
        var interface = ""
        var queues: Set<String> = []
        var first: ContinuousClock.Instant?
        var last: ContinuousClock.Instant?
        var waiter: CheckedContinuation<Void, Never>?
        /// Actions seen that belong to no armed change (pings, stray queue actions).
        var others = 0
        var unexpectedQueueActions = 0
        var matched = 0
    }

    private let state = Mutex(State())

    /// Expects one `action` per queue in `queues` for `interface`. The previous change must be complete.
    func arm(action: String, interface: String, queues: [String]) {
        state.withLock { state in
            precondition(state.queues.isEmpty && state.waiter == nil, "ActionWatch armed while a change is pending")
            state.action = action
            state.interface = interface
            state.queues = Set(queues)
            state.first = nil
            state.last = nil
        }
    }

    /// Called by the simulator for every action as it is read.
    func observe(_ received: ReceivedAction) {
        let name = received.action["Action"] ?? ""
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard name == state.action, received.action["Interface"] == state.interface,
                let queue = received.action["Queue"], state.queues.remove(queue) != nil
            else {
                if name == "QueueAdd" || name == "QueueRemove" {
                    state.unexpectedQueueActions += 1
                } else {
                    state.others += 1
                }
                return nil
            }
            state.matched += 1
            if state.first == nil { state.first = received.at }
            state.last = received.at
            guard state.queues.isEmpty else { return nil }
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Waits until every expected action has arrived, and returns when the first and last did.
    func wait() async -> Arrivals {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = state.withLock { state -> Bool in
                if state.queues.isEmpty { return true }
                state.waiter = continuation
                return false
            }
            if done { continuation.resume() }
        }
        return state.withLock { state in
            // Both are set: `queues` was not empty when armed, and it empties only through `observe`.
            Arrivals(first: state.first ?? .now, last: state.last ?? .now)
        }
    }

    /// Queue actions matched to changes, and those that matched none (a reconcile, a retry).
    var counts: (matched: Int, unexpected: Int) { state.withLock { ($0.matched, $0.unexpectedQueueActions) } }

    /// What is still awaited, for a diagnostic when nothing arrives.
    var pendingDescription: String {
        state.withLock { "\($0.action) \($0.interface) still awaited in \($0.queues.sorted().joined(separator: ","))" }
    }
}
