import HTTPWire
import HTTPServing
import Crypt
/// Recent failures per key (a login or an address) for `LoginRateLimiter`: a sliding window
/// that keeps at most `limit` instants per key and at most `maximumKeys` keys.
struct FailureLog {
    let limit: Int
    let window: Duration
    let maximumKeys: Int
    /// Each key's failures still inside the window, oldest first, at most `limit` of them.
    private(set) var failures: [String: [ContinuousClock.Instant]] = [:]

    init(limit: Int, window: Duration, maximumKeys: Int) {
        self.limit = max(1, limit)
        self.window = window
        self.maximumKeys = max(1, maximumKeys)
    }

    /// How long until `key` may try again, or nil when it may now. With `limit` failures in the
    /// window, that is when the oldest of them leaves it.
    func retryAfter(_ key: String, now: ContinuousClock.Instant) -> Duration? {
        guard let times = failures[key] else { return nil }
        let recent = times.filter { now < $0 + window }
        guard recent.count >= limit else { return nil }
        return recent[recent.count - limit] + window - now
    }

    mutating func record(_ key: String, now: ContinuousClock.Instant) {
        if failures[key] == nil, failures.count >= maximumKeys { makeRoom(now: now) }
        var times = failures[key, default: []].filter { now < $0 + window }
        times.append(now)
        if times.count > limit { times.removeFirst(times.count - limit) }
        failures[key] = times
    }

    mutating func clear(_ key: String) { failures[key] = nil }

    /// Takes back the latest failure of `key` (an attempt charged in advance that succeeded).
    mutating func removeNewest(_ key: String) {
        guard var times = failures[key], !times.isEmpty else { return }
        times.removeLast()
        failures[key] = times.isEmpty ? nil : times
    }

    /// Drops the keys whose every failure has left the window.
    mutating func purge(now: ContinuousClock.Instant) {
        failures = failures.filter { _, times in times.last.map { now < $0 + window } ?? false }
    }

    /// Full: first what has expired; if every key is still live, the one quiet the longest. That
    /// key forgets its failures early, the price of a bound on memory; the other limit (per
    /// address or per login) still holds for it.
    private mutating func makeRoom(now: ContinuousClock.Instant) {
        purge(now: now)
        guard failures.count >= maximumKeys else { return }
        var quietest: (key: String, last: ContinuousClock.Instant)?
        for (key, times) in failures {
            guard let last = times.last else { continue }
            if quietest.map({ last < $0.last }) ?? true { quietest = (key, last) }
        }
        if let quietest { failures[quietest.key] = nil }
    }
}
