import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// What `LoginRateLimiter.check` says of a login attempt.
public enum LoginRateDecision: Sendable, Equatable {
    case allowed
    /// Too many recent failures: answer 429 with `Retry-After` (whole seconds, rounded up).
    case limited(retryAfter: Duration)
    /// As many checks as the address may fail are already running: nothing failed yet, so try
    /// again in a moment (429, `Retry-After: 1`).
    case busy
}

/// Limits failed password logins per login and per client address over a sliding window, so a
/// password cannot be guessed fast from one place nor one account from many.
///
/// Use: `check` before verifying the password (a limited attempt is not verified at all), then
/// `recordFailure` or `recordSuccess`; or, when checks run in parallel, `checkAndCharge` then
/// `refund` on success. Failures for logins that do not exist count too, the same
/// way, so the answers do not tell which logins exist. Memory is bounded: each key keeps at most
/// its limit of instants, keys whose failures have all left the window are purged, and each table
/// holds at most `maximumTrackedKeys` keys.
///
/// IPv6 addresses count per /64, the block one host or one customer usually holds, so hopping
/// addresses inside it does not escape the limit.
public final class LoginRateLimiter: Sendable {
    public let perLogin: Int
    public let perAddress: Int
    public let window: Duration
    public let maximumTrackedKeys: Int
    private let state: Mutex<State>

    struct State {
        var logins: FailureLog
        var addresses: FailureLog
        /// Checks charged to each address and not yet settled.
        var inFlight: [String: Int] = [:]
    }

    public init(perLogin: Int = 5, perAddress: Int = 20, window: Duration = .seconds(300), maximumTrackedKeys: Int = 10_000) {
        self.perLogin = max(1, perLogin)
        self.perAddress = max(1, perAddress)
        self.window = window
        self.maximumTrackedKeys = max(1, maximumTrackedKeys)
        state = Mutex(
            State(
                logins: FailureLog(limit: perLogin, window: window, maximumKeys: maximumTrackedKeys),
                addresses: FailureLog(limit: perAddress, window: window, maximumKeys: maximumTrackedKeys)))
    }

    public func check(login: String, address: String, now: ContinuousClock.Instant) -> LoginRateDecision {
        let (loginKey, addressKey) = (Self.loginKey(login), Self.addressKey(address))
        let wait = state.withLock { state in
            [state.logins.retryAfter(loginKey, now: now), state.addresses.retryAfter(addressKey, now: now)].compactMap { $0 }.max()
        }
        return wait.map { .limited(retryAfter: $0) } ?? .allowed
    }

    /// `check`, and when allowed the attempt counts at once, before its (slow) password check:
    /// against the login (so a parallel burst on one account gets exactly its limit through),
    /// and as one check in flight for the address, which may have at most `perAddress` of them
    /// (`.busy` beyond). Settle each allowed attempt with `refund` (good password) or
    /// `chargeFailure` (bad). Good logins from one office therefore never block it: only
    /// failures fill the address's window.
    public func checkAndCharge(login: String, address: String, now: ContinuousClock.Instant) -> LoginRateDecision {
        let (loginKey, addressKey) = (Self.loginKey(login), Self.addressKey(address))
        return state.withLock { state -> LoginRateDecision in
            let wait = [state.logins.retryAfter(loginKey, now: now), state.addresses.retryAfter(addressKey, now: now)].compactMap { $0 }.max()
            if let wait { return .limited(retryAfter: wait) }
            let running = state.inFlight[addressKey, default: 0]
            guard running < perAddress else { return .busy }
            state.logins.record(loginKey, now: now)
            state.inFlight[addressKey] = running + 1
            return .allowed
        }
    }

    /// After `checkAndCharge`, a good password: the login's failures are forgotten (as
    /// `recordSuccess`) and the address's check is done.
    public func refund(login: String, address: String, now: ContinuousClock.Instant) {
        let (loginKey, addressKey) = (Self.loginKey(login), Self.addressKey(address))
        state.withLock { state in
            state.logins.clear(loginKey)
            Self.settle(addressKey, in: &state)
        }
    }

    /// After `checkAndCharge`, a bad password: the address's check is done and counts as a
    /// failure (the login's was counted when charged).
    public func chargeFailure(login: String, address: String, now: ContinuousClock.Instant) {
        let addressKey = Self.addressKey(address)
        state.withLock { state in
            state.addresses.record(addressKey, now: now)
            Self.settle(addressKey, in: &state)
        }
    }

    private static func settle(_ addressKey: String, in state: inout State) {
        let left = state.inFlight[addressKey, default: 1] - 1
        state.inFlight[addressKey] = left > 0 ? left : nil
    }

    public func recordFailure(login: String, address: String, now: ContinuousClock.Instant) {
        let (loginKey, addressKey) = (Self.loginKey(login), Self.addressKey(address))
        state.withLock { state in
            state.logins.record(loginKey, now: now)
            state.addresses.record(addressKey, now: now)
        }
    }

    /// Forgets the login's failures; the address's stay (one good password from an address that
    /// is guessing others' must not reset its count).
    public func recordSuccess(login: String, address: String, now: ContinuousClock.Instant) {
        let loginKey = Self.loginKey(login)
        state.withLock { state in state.logins.clear(loginKey) }
    }

    /// Drops whatever has left the window. Call it now and then; recording does it when full.
    public func purge(now: ContinuousClock.Instant) {
        state.withLock { state in
            state.logins.purge(now: now)
            state.addresses.purge(now: now)
        }
    }

    /// Keys held, logins and addresses together: for metrics and tests.
    public var trackedKeys: Int { state.withLock { $0.logins.failures.count + $0.addresses.failures.count } }

    // MARK: - Keys

    /// Logins are e-mail addresses: `Dana@Example.com` must not be five more tries at `dana@example.com`.
    static func loginKey(_ login: String) -> String { login.lowercased() }

    /// An IPv6 address as its /64 (`2001:db8:1:2::/64`); an IPv4 one (also when mapped into IPv6)
    /// and anything else (`unix`) as it is.
    static func addressKey(_ address: String) -> String {
        var bytes = in6_addr()
        guard inet_pton(AF_INET6, address, &bytes) == 1 else { return address }
        return withUnsafeBytes(of: &bytes) { raw in
            let octets = Array(raw)
            // ::ffff:a.b.c.d is an IPv4 client.
            if octets[0..<10].allSatisfy({ $0 == 0 }), octets[10] == 0xff, octets[11] == 0xff {
                return octets[12..<16].map(String.init).joined(separator: ".")
            }
            let groups = stride(from: 0, to: 8, by: 2).map { String(UInt16(octets[$0]) << 8 | UInt16(octets[$0 + 1]), radix: 16) }
            return groups.joined(separator: ":") + "::/64"
        }
    }
}
