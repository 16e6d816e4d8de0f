#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization
import SystemSupport

/// Passes every record on, and keeps the simulator's count of flood events (`amisim.flood_finished`).
final class CapturingLogSink: LogSink {
    private let next: any LogSink
    private let emitted = Mutex<Int?>(nil)

    init(next: any LogSink) { self.next = next }

    func write(_ record: LogRecord) {
        if record.event == "amisim.flood_finished", let events = record["events"].flatMap({ Int($0) }) {
            emitted.withLock { $0 = events }
        }
        next.write(record)
    }

    /// Events the last flood emitted (all classes, before any session's mask), once it finished.
    var floodEmitted: Int? { emitted.withLock { $0 } }
}

/// The step number of the status-change sequence, shared by the latency and flood phases.
final class Counter: Sendable {
    private let current = Mutex(0)

    func next() -> Int {
        current.withLock { value in
            defer { value += 1 }
            return value
        }
    }

    /// The number `next()` will return.
    var value: Int { current.withLock { $0 } }
}

/// Ends the process with a diagnostic when a phase makes no progress for `limit`: a lost action
/// must not hang a benchmark run forever.
final class Watchdog: Sendable {
    private struct State {
        var phase = "start-up"
        var progressAt = ContinuousClock.now
        var running = true
    }

    private let limit: Duration
    private let state = Mutex(State())

    init(limit: Duration) { self.limit = limit }

    func start(describe: @escaping @Sendable () -> String) {
        Thread.detachNewThread { [self] in
            while true {
                Thread.sleep(forTimeInterval: 1)
                let (running, phase, idle) = self.state.withLock { ($0.running, $0.phase, $0.progressAt.duration(to: .now)) }
                guard running else { return }
                if idle > limit {
                    progress("DaemonBenchmark: no progress for \(idle) in phase \(phase): \(describe())")
                    exit(2)
                }
            }
        }
    }

    func phase(_ name: String) {
        state.withLock {
            $0.phase = name
            $0.progressAt = .now
        }
    }

    func advance() { state.withLock { $0.progressAt = .now } }

    func stop() { state.withLock { $0.running = false } }
}

/// Calls `change` `perSecond` times a second until `end` (never when 0), then once more if it
/// left an agent on break (an odd `sequence`), so the memberships end as they began.
func changes<Timing>(
    perSecond: Int, until end: ContinuousClock.Instant, sequence: Counter, _ change: () async throws -> Timing
) async throws -> [Timing] {
    guard perSecond > 0 else { return [] }
    let interval = Duration.seconds(1) / perSecond
    var timings: [Timing] = []
    var next = ContinuousClock.now.advanced(by: interval)
    while next < end {
        try await Task.sleep(until: next, clock: .continuous)
        timings.append(try await change())
        next = max(next.advanced(by: interval), .now)
    }
    if sequence.value % 2 == 1 { timings.append(try await change()) }
    return timings
}
