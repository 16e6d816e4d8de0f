#if canImport(Glibc)
import Glibc
#endif

/// Checks `condition` every `interval` until it holds (true) or `timeout` passes (false, after
/// one last look). The one way tests wait for something another thread or process does.
public func eventually(
    timeout: Duration = .seconds(5), every interval: Duration = .milliseconds(10), _ condition: () throws -> Bool
) rethrows -> Bool {
    let deadline = ContinuousClock.now.advanced(by: timeout)
    while true {
        if try condition() { return true }
        if ContinuousClock.now >= deadline { return try condition() }
        sleep(for: interval)
    }
}

/// `eventually` for async conditions. A task starved on a busy machine may wake past the
/// deadline: it looks a few more times, yielding, before giving up.
public func eventually(
    timeout: Duration = .seconds(5), every interval: Duration = .milliseconds(10), _ condition: () async throws -> Bool
) async rethrows -> Bool {
    let deadline = ContinuousClock.now.advanced(by: timeout)
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: interval)
    }
    for _ in 0..<20 {
        if try await condition() { return true }
        await Task.yield()
        try? await Task.sleep(for: .milliseconds(10))
    }
    return false
}

/// `eventually`, throwing `TestSupportError("timed out waiting until <what>")` when it never holds.
public func waitUntil(
    _ what: String, timeout: Duration = .seconds(10), every interval: Duration = .milliseconds(10),
    _ condition: () async throws -> Bool
) async throws {
    guard try await eventually(timeout: timeout, every: interval, condition) else {
        throw TestSupportError("timed out waiting until \(what)")
    }
}

/// Blocks this thread for `duration` (nanosleep, resumed after a signal).
public func sleep(for duration: Duration) {
    guard duration > .zero else { return }
    let (seconds, attoseconds) = duration.components
    var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
    var remaining = timespec()
    while nanosleep(&request, &remaining) == -1 && errno == EINTR { request = remaining }
}

extension Duration {
    /// Whole milliseconds, rounded up, clamped for `poll(2)`: at least 0.
    public var pollMilliseconds: Int32 {
        let (seconds, attoseconds) = components
        guard seconds >= 0, attoseconds >= 0 || seconds > 0 else { return 0 }
        let milliseconds = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: max(0, milliseconds))
    }
}
