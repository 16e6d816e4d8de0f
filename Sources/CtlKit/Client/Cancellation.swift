#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import SystemSupport

/// A stop request that wakes a blocked `poll(2)`: `watch` waits on its descriptor beside the
/// socket, and SIGINT/SIGTERM (taken on a signal thread) or a test call `cancel()`.
public final class Cancellation: Sendable {
    let readFD: Int32
    private let writeFD: Int32
    private let cancelled = Atomic<Bool>(false)

    /// Nil when no pipe can be made (out of descriptors).
    public init?() {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return nil }
        readFD = fds[0]
        writeFD = fds[1]
        Socket.setNonBlocking(readFD)
        Socket.setNonBlocking(writeFD)
    }

    deinit {
        close(readFD)
        close(writeFD)
    }

    public var isCancelled: Bool { cancelled.load(ordering: .acquiring) }

    /// Safe from any thread, any number of times.
    public func cancel() {
        guard !cancelled.exchange(true, ordering: .acquiringAndReleasing) else { return }
        var byte: UInt8 = 1
        _ = write(writeFD, &byte, 1)
    }
}
