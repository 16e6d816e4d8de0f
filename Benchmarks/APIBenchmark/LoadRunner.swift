import Dispatch
import Foundation
import Synchronization

/// One client of a phase: it lives on its own thread, so it needs not be `Sendable` (only its
/// type is passed to that thread).
protocol LoadClient: AnyObject, SendableMetatype {
    associatedtype Summary: Sendable
    /// Unmeasured set-up before the clock starts (logging its agents in).
    func prepare() throws
    /// One request and the check of its answer: nil when the answer was the expected one,
    /// else what was wrong with it.
    func step() -> String?
    /// Unmeasured clean-up after the last step (bringing its agents back to `connected`).
    func finish() throws
    /// What the client did that the phase checks afterwards.
    var summary: Summary { get }
}

/// When a phase measures: requests started in `[from, until)` are counted, the ones before are warm-up.
struct PhaseSchedule: Sendable {
    var from: ContinuousClock.Instant
    var until: ContinuousClock.Instant
}

/// What one client thread measured.
struct ClientTally<Summary: Sendable>: Sendable {
    /// From writing a request to reading its whole answer, in nanoseconds, measured requests only.
    var latencies: [Int64] = []
    var warmupRequests = 0
    /// Wrong answers, warm-up and clean-up included: any fails the run.
    var errors = 0
    var errorSamples: [String] = []
    /// This thread's CPU time over its measured requests.
    var cpuSeconds = 0.0
    var summary: Summary?

    mutating func recordError(_ description: String) {
        errors += 1
        if errorSamples.count < 5 { errorSamples.append(description) }
    }
}

/// A phase's outcome: every client's tally and the process's usage over the measured window.
struct PhaseOutcome<Summary: Sendable>: Sendable {
    var tallies: [ClientTally<Summary>]
    var schedule: PhaseSchedule
    var usageFrom: ProcessUsage
    var usageUntil: ProcessUsage
}

/// Runs a phase: `clients` threads, each with its own client; all prepare, then `beforeClock`
/// runs (the caller's checkpoint), then they request as fast as answers come back through
/// `warmup` and `duration`, and finish. `sample` is taken where the measured window starts and ends.
enum LoadRunner {
    static func run<Client: LoadClient>(
        clients: Int, warmup: Duration, duration: Duration, make: @escaping @Sendable (Int) throws -> Client,
        beforeClock: () async throws -> Void, sample: () -> ProcessUsage
    ) async throws -> PhaseOutcome<Client.Summary> {
        let gate = StartGate(threads: clients)
        let ready = DispatchGroup()
        let done = DispatchGroup()
        let tallies = Mutex<[ClientTally<Client.Summary>]>([])
        let failures = Mutex<[String]>([])
        for index in 0..<clients {
            ready.enter()
            done.enter()
            Thread.detachNewThread {
                defer { done.leave() }
                let client: Client
                do {
                    client = try make(index)
                    try client.prepare()
                } catch {
                    failures.withLock { $0.append("client \(index): \(error)") }
                    ready.leave()
                    return
                }
                ready.leave()
                guard let schedule = gate.wait() else { return }
                var tally = drive(client, schedule)
                do {
                    try client.finish()
                } catch {
                    tally.recordError("clean-up: \(error)")
                }
                tally.summary = client.summary
                tallies.withLock { [tally] in $0.append(tally) }
            }
        }
        await wait(for: ready)
        let failed = failures.withLock { $0 }
        guard failed.isEmpty else {
            gate.open(nil)
            await wait(for: done)
            throw BenchmarkFailure("\(failed.count) clients failed to prepare:\n  " + failed.prefix(5).joined(separator: "\n  "))
        }
        do {
            try await beforeClock()
        } catch {
            gate.open(nil)
            await wait(for: done)
            throw error
        }
        let start = ContinuousClock.now
        let schedule = PhaseSchedule(from: start.advanced(by: warmup), until: start.advanced(by: warmup + duration))
        gate.open(schedule)
        try await Task.sleep(until: schedule.from, clock: .continuous)
        let usageFrom = sample()
        try await Task.sleep(until: schedule.until, clock: .continuous)
        let usageUntil = sample()
        await wait(for: done)
        return PhaseOutcome(tallies: tallies.withLock { $0 }, schedule: schedule, usageFrom: usageFrom, usageUntil: usageUntil)
    }

    /// The request loop of one thread.
    private static func drive<Client: LoadClient>(_ client: Client, _ schedule: PhaseSchedule) -> ClientTally<Client.Summary> {
        var tally = ClientTally<Client.Summary>()
        tally.latencies.reserveCapacity(1 << 16)
        var cpuFrom: Double?
        while true {
            let started = ContinuousClock.now
            guard started < schedule.until else { break }
            let measured = started >= schedule.from
            if measured, cpuFrom == nil { cpuFrom = ProcessUsage.threadCPUSeconds() }
            let failure = client.step()
            let elapsed = started.duration(to: .now)
            if let failure { tally.recordError(failure) }
            if measured {
                let (seconds, attoseconds) = elapsed.components
                tally.latencies.append(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
            } else {
                tally.warmupRequests += 1
            }
        }
        if let cpuFrom { tally.cpuSeconds = ProcessUsage.threadCPUSeconds() - cpuFrom }
        return tally
    }

    /// Suspends (without holding a thread of the cooperative pool) until `group` is empty.
    private static func wait(for group: DispatchGroup) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            group.notify(queue: .global()) { continuation.resume() }
        }
    }
}

/// Holds the client threads after they prepared, and lets them all go at once with the
/// schedule (or with nil, to give up).
final class StartGate: Sendable {
    private let threads: Int
    private let semaphore = DispatchSemaphore(value: 0)
    private let schedule = Mutex<PhaseSchedule?>(nil)

    init(threads: Int) { self.threads = threads }

    func open(_ schedule: PhaseSchedule?) {
        self.schedule.withLock { $0 = schedule }
        for _ in 0..<threads { semaphore.signal() }
    }

    func wait() -> PhaseSchedule? {
        semaphore.wait()
        return schedule.withLock { $0 }
    }
}
