import AMISimulator
import Synchronization

/// Counts the `QueueAdd` and `QueueRemove` actions the simulated Asterisk reads: an answer of 200
/// proves nothing unless Asterisk was told, so the benchmark compares these with the changes it made.
///
/// `observe` runs on the simulator's thread for every action; a lock per action is cheap next
/// to decoding it.
final class QueueActionCounter: Sendable {
    struct Counts: Sendable, Equatable {
        var adds = 0
        var removes = 0

        static func - (a: Counts, b: Counts) -> Counts { Counts(adds: a.adds - b.adds, removes: a.removes - b.removes) }
    }

    private let counts = Mutex(Counts())

    func observe(_ received: ReceivedAction) {
        switch received.action["Action"] {
        case "QueueAdd": counts.withLock { $0.adds += 1 }
        case "QueueRemove": counts.withLock { $0.removes += 1 }
        default: break
        }
    }

    var current: Counts { counts.withLock { $0 } }
}
