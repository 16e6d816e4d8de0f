import ControlPort
import AMI
import Synchronization

/// The way from the AMI connection's reader thread to the daemon's thread. Each report is
/// reduced where it is read (`AMIInput`): the events the daemon ignores stop there, and the
/// others cross as a few strings, not as frames. The reader never waits for the daemon's thread
/// (Asterisk drops a session it cannot write to) and nothing is dropped, so when that thread
/// stalls (a commit stuck behind a slow disk) the queue between them grows: with whole frames,
/// by about 1.5 KB per event, 110 MB for a 3 s stall under 25,000 events/s.
///
/// Counts, readable from any thread: every event read, and the inputs handed over and not yet
/// handled. Both zero-sum at rest: when `queued` is 0, every event read has been acted on.
final class AMIHandOff: Sendable {
    private let read = Atomic<Int>(0)
    private let queued = Atomic<Int>(0)
    /// The deepest `queued` seen by the daemon's thread since `drainedBacklog` last returned it.
    private let deepest = Atomic<Int>(0)

    /// On the reader's thread: counts the report, and returns what the daemon's thread must see
    /// of it, if anything.
    func receive(_ event: AMIConnectionEvent) -> AMIInput? {
        let input = AMIInput(event)
        // Queued before read: whoever sees the event read also sees it queued.
        if input != nil { queued.add(1, ordering: .sequentiallyConsistent) }
        if case .event = event { read.add(1, ordering: .sequentiallyConsistent) }
        return input
    }

    /// On the daemon's thread, once an input is handled.
    func handled() {
        let depth = queued.subtract(1, ordering: .sequentiallyConsistent).oldValue
        if depth > deepest.load(ordering: .relaxed) { deepest.store(depth, ordering: .relaxed) }
    }

    /// On the daemon's thread: once the queue is empty again after holding `threshold` inputs or
    /// more, how deep it got (and forgets it); nil otherwise.
    func drainedBacklog(atLeast threshold: Int) -> Int? {
        guard queued.load(ordering: .sequentiallyConsistent) == 0, deepest.load(ordering: .relaxed) >= threshold else { return nil }
        return deepest.exchange(0, ordering: .relaxed)
    }

    var eventsRead: Int { read.load(ordering: .sequentiallyConsistent) }
    var inputsQueued: Int { queued.load(ordering: .sequentiallyConsistent) }
}
