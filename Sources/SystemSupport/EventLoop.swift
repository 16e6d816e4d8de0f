#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Synchronization

/// What a registered descriptor is woken for, and what woke it.
public struct IOEvents: OptionSet, Sendable {
    public let rawValue: Int16
    public init(rawValue: Int16) { self.rawValue = rawValue }
    public static let read = IOEvents(rawValue: Int16(POLLIN))
    public static let write = IOEvents(rawValue: Int16(POLLOUT))
    /// Hang-up or error: always reported, never asked for.
    public static let hangup = IOEvents(rawValue: Int16(POLLHUP) | Int16(POLLERR) | Int16(POLLNVAL))
}

public struct TimerID: Hashable, Sendable {
    let value: UInt64
}

/// One reactor thread: `poll(2)` over non-blocking descriptors, an `eventfd` to wake it, and a
/// timer heap. Handlers run on the loop thread only; `execute` is the one thread-safe entry.
///
/// Everything but `execute`, `shutdown` and `inLoop` must be called on the loop thread. That
/// confinement is what the `@unchecked Sendable` relies on.
public final class EventLoop: @unchecked Sendable {
    private struct Registration {
        var fd: Int32
        var interest: IOEvents
        var handler: (IOEvents) -> Void
    }

    private struct Timer {
        var deadline: ContinuousClock.Instant
        var id: UInt64
    }

    public let name: String
    private let wakeFD: Int32
    private let wakeWriteFD: Int32
    private let inbox = Mutex<(tasks: [@Sendable () -> Void], stopping: Bool)>(([], false))
    private let finished = Mutex<Bool>(false)
    private let threadID = Mutex<pthread_t?>(nil)
    private let done = DispatchSemaphore(value: 0)

    // Loop-confined state.
    private var registrations: [Int32: Registration] = [:]
    private var timerHeap: [Timer] = []
    private var timerWork: [UInt64: () -> Void] = [:]
    private var nextTimerID: UInt64 = 0

    public init(name: String) throws(SystemCallError) {
        self.name = name
        // A self-pipe wakes poll(2); both ends non-blocking so a full pipe never blocks `execute`.
        var fds: [Int32] = [-1, -1]
        _ = try syscall("pipe") { pipe(&fds) }
        for fd in fds { Socket.setNonBlocking(fd) }
        wakeFD = fds[0]
        wakeWriteFD = fds[1]
        // Should this throw, `deinit` closes the pipe: every stored property is set by now.
        try PosixThread.start(name: name) { [self] in self.run() }
    }

    deinit {
        Glibc.close(wakeFD)
        Glibc.close(wakeWriteFD)
    }

    /// True when called on this loop's thread.
    public var inLoop: Bool {
        guard let id = threadID.withLock({ $0 }) else { return false }
        return pthread_equal(id, pthread_self()) != 0
    }

    /// Runs `work` on the loop thread, soon. Safe from any thread.
    public func execute(_ work: @escaping @Sendable () -> Void) {
        // Only the first task since the loop last drained its inbox writes to the pipe: the loop
        // takes every queued task at once, so one wake serves them all (a busy AMI feed no longer
        // costs a write(2) per event).
        let first = inbox.withLock { state -> Bool in
            if state.stopping { return false }
            state.tasks.append(work)
            return state.tasks.count == 1
        }
        if first { wake() }
    }

    /// Stops the loop after the tasks already queued, and waits for its thread to end.
    /// Handlers still registered are dropped without being called.
    public func shutdown() {
        let first = inbox.withLock { state -> Bool in
            let was = state.stopping
            state.stopping = true
            return !was
        }
        if first { wake() }
        if inLoop { return }
        let alreadyWaited = finished.withLock { value -> Bool in
            defer { value = true }
            return value
        }
        if !alreadyWaited { done.wait() }
    }

    // MARK: Loop thread only

    public func register(fd: Int32, interest: IOEvents, handler: @escaping (IOEvents) -> Void) {
        precondition(inLoop, "EventLoop.register off the loop thread")
        registrations[fd] = Registration(fd: fd, interest: interest, handler: handler)
    }

    public func setInterest(fd: Int32, _ interest: IOEvents) {
        precondition(inLoop, "EventLoop.setInterest off the loop thread")
        registrations[fd]?.interest = interest
    }

    public func deregister(fd: Int32) {
        precondition(inLoop, "EventLoop.deregister off the loop thread")
        registrations[fd] = nil
    }

    @discardableResult
    public func schedule(after delay: Duration, _ work: @escaping () -> Void) -> TimerID {
        schedule(at: ContinuousClock.now.advanced(by: delay), work)
    }

    @discardableResult
    public func schedule(at deadline: ContinuousClock.Instant, _ work: @escaping () -> Void) -> TimerID {
        precondition(inLoop, "EventLoop.schedule off the loop thread")
        nextTimerID &+= 1
        let id = nextTimerID
        timerWork[id] = work
        pushTimer(Timer(deadline: deadline, id: id))
        return TimerID(value: id)
    }

    public func cancel(_ timer: TimerID) {
        precondition(inLoop, "EventLoop.cancel off the loop thread")
        timerWork[timer.value] = nil  // its heap entry is dropped lazily when it comes due
        // A server re-arms an idle timer per request: without this, cancelled entries of a
        // minute's requests would pile up. Rebuilding when most are dead keeps it amortized O(1).
        if timerHeap.count > 64, timerHeap.count > 2 * timerWork.count { compactTimers() }
    }

    /// Heap entries, live and cancelled-but-not-yet-dropped: for tests.
    var scheduledTimerEntries: Int { timerHeap.count }

    /// Drops the heap entries of cancelled timers and restores the heap order.
    private func compactTimers() {
        timerHeap.removeAll { timerWork[$0.id] == nil }
        var index = timerHeap.count / 2
        while index > 0 {
            index -= 1
            siftDown(from: index)
        }
    }

    // MARK: The loop

    private func wake() {
        var one: UInt8 = 1
        _ = Glibc.write(wakeWriteFD, &one, 1)
    }

    private func run() {
        threadID.withLock { $0 = pthread_self() }
        var pollSet: [pollfd] = []
        var stopping = false
        while !stopping {
            // Tasks first, so work queued before a shutdown still runs.
            let (tasks, stop) = inbox.withLock { state -> ([@Sendable () -> Void], Bool) in
                defer { state.tasks.removeAll(keepingCapacity: true) }
                return (state.tasks, state.stopping)
            }
            for task in tasks { task() }
            if stop {
                stopping = true
                break
            }
            runDueTimers()

            pollSet.removeAll(keepingCapacity: true)
            pollSet.append(pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0))
            for registration in registrations.values {
                pollSet.append(pollfd(fd: registration.fd, events: registration.interest.rawValue, revents: 0))
            }
            let timeout = pollTimeoutMilliseconds()
            let ready = pollSet.withUnsafeMutableBufferPointer { poll($0.baseAddress, nfds_t($0.count), timeout) }
            if ready <= 0 { continue }
            if pollSet[0].revents != 0 {
                var drain = [UInt8](repeating: 0, count: 64)
                while Glibc.read(wakeFD, &drain, drain.count) > 0 {}
            }
            for entry in pollSet.dropFirst() where entry.revents != 0 {
                // A handler may have deregistered or replaced this descriptor meanwhile.
                guard let registration = registrations[entry.fd] else { continue }
                registration.handler(IOEvents(rawValue: entry.revents))
            }
        }
        registrations.removeAll()
        timerWork.removeAll()
        timerHeap.removeAll()
        inbox.withLock { $0.tasks.removeAll() }
        done.signal()
    }

    private func runDueTimers() {
        let now = ContinuousClock.now
        while let first = timerHeap.first, first.deadline <= now {
            popTimer()
            if let work = timerWork.removeValue(forKey: first.id) { work() }
        }
    }

    private func pollTimeoutMilliseconds() -> Int32 {
        while let first = timerHeap.first, timerWork[first.id] == nil { popTimer() }
        guard let first = timerHeap.first else { return -1 }
        let remaining = ContinuousClock.now.duration(to: first.deadline)
        if remaining <= .zero { return 0 }
        let (seconds, attoseconds) = remaining.components
        let milliseconds = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: milliseconds)
    }

    // A binary min-heap on (deadline, id): equal deadlines fire in scheduling order.
    private func less(_ a: Timer, _ b: Timer) -> Bool {
        a.deadline < b.deadline || (a.deadline == b.deadline && a.id < b.id)
    }

    private func pushTimer(_ timer: Timer) {
        timerHeap.append(timer)
        var child = timerHeap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard less(timerHeap[child], timerHeap[parent]) else { break }
            timerHeap.swapAt(child, parent)
            child = parent
        }
    }

    private func popTimer() {
        let last = timerHeap.removeLast()
        guard !timerHeap.isEmpty else { return }
        timerHeap[0] = last
        siftDown(from: 0)
    }

    private func siftDown(from start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < timerHeap.count, less(timerHeap[left], timerHeap[smallest]) { smallest = left }
            if right < timerHeap.count, less(timerHeap[right], timerHeap[smallest]) { smallest = right }
            if smallest == parent { break }
            timerHeap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
