import HTTPWire
import HTTPServing
import Crypt
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// What `LoginRateLimiter.check` says of a login attempt.
public enum LoginRateDecision: Sendable, Equatable {
    case allowed
    /// The login has failed too often: answer 429 with `Retry-After` (whole seconds, rounded up).
    case limited(retryAfter: Duration)
    /// As many checks as the address may run at once are already running: nothing failed yet,
    /// so try again in a moment (429, `Retry-After: 1`).
    case busy
}

/// Limits failed password logins over a sliding window: per login, a lock; per client address,
/// a slowdown.
///
/// - A login that failed `perLogin` times is locked, from everywhere, until the oldest failure
///   leaves the window (or an admin `unlock`s it): that account is being guessed.
/// - An address that failed `perAddress` times is slowed, never locked: every further failure
///   from it is answered a second later than the one before, up to `maximumFailureDelay`.
///   Everyone behind one address (an office NAT, a reverse proxy, loopback) shares it, so its
///   failures must not refuse anybody's right password.
///
/// Use: `checkAndCharge` before verifying the password (a locked login is not verified at all),
/// then `refund` (good password) or `chargeFailure` (bad). Failures for logins that do not exist
/// count too, the same way, so the answers do not tell which logins exist. Memory is bounded:
/// each key keeps at most its limit of instants, keys whose failures have all left the window
/// are purged, and each table holds at most `maximumTrackedKeys` keys.
///
/// IPv6 addresses count per /64, the block one host or one customer usually holds, so hopping
/// addresses inside it does not escape the limit.
public final class LoginRateLimiter: Sendable {
    public let perLogin: Int
    public let perAddress: Int
    public let window: Duration
    public let maximumTrackedKeys: Int
    /// The longest an answer to a failure is held back.
    public let maximumFailureDelay: Duration
    private let state: Mutex<State>

    struct State {
        var logins: FailureLog
        var addresses: FailureLog
        /// Failures of each address beyond its allowance, since it last had room.
        var overLimit: [String: Int] = [:]
        /// Checks charged to each address and not yet settled.
        var inFlight: [String: Int] = [:]
    }

    public init(
        perLogin: Int = 5, perAddress: Int = 20, window: Duration = .seconds(300), maximumTrackedKeys: Int = 10_000,
        maximumFailureDelay: Duration = .seconds(10)
    ) {
        self.perLogin = max(1, perLogin)
        self.perAddress = max(1, perAddress)
        self.window = window
        self.maximumTrackedKeys = max(1, maximumTrackedKeys)
        self.maximumFailureDelay = maximumFailureDelay
        state = Mutex(
            State(
                logins: FailureLog(limit: perLogin, window: window, maximumKeys: maximumTrackedKeys),
                addresses: FailureLog(limit: perAddress, window: window, maximumKeys: maximumTrackedKeys)))
    }

    /// Whether the login may try now. The address never refuses: it only slows failures.
    public func check(login: String, address: String, now: ContinuousClock.Instant) -> LoginRateDecision {
        lockedFor(login: login, now: now).map { .limited(retryAfter: $0) } ?? .allowed
    }

    /// `check`, and when allowed the attempt counts at once, before its (slow) password check:
    /// against the login (so a parallel burst on one account gets exactly its limit through),
    /// and as one check in flight for the address, which may have at most `perAddress` of them
    /// (`.busy` beyond: that bounds the CPU one address can take). Settle each allowed attempt
    /// with `refund` (good password) or `chargeFailure` (bad).
    public func checkAndCharge(login: String, address: String, now: ContinuousClock.Instant) -> LoginRateDecision {
        let (loginKey, addressKey) = (Self.loginKey(login), Self.addressKey(address))
        return state.withLock { state -> LoginRateDecision in
            if let wait = state.logins.retryAfter(loginKey, now: now) { return .limited(retryAfter: wait) }
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
    /// failure (the login's was counted when charged). Returns how long to hold the answer back.
    @discardableResult
    public func chargeFailure(login: String, address: String, now: ContinuousClock.Instant) -> Duration {
        let addressKey = Self.addressKey(address)
        return state.withLock { state in
            Self.settle(addressKey, in: &state)
            return recordAddressFailure(addressKey, in: &state, now: now)
        }
    }

    private static func settle(_ addressKey: String, in state: inout State) {
        let left = state.inFlight[addressKey, default: 1] - 1
        state.inFlight[addressKey] = left > 0 ? left : nil
    }

    /// Counts a failure of the address; the delay for its answer: none within the allowance,
    /// then one second more for each failure beyond it, at most `maximumFailureDelay`.
    private func recordAddressFailure(_ key: String, in state: inout State, now: ContinuousClock.Instant) -> Duration {
        let full = state.addresses.retryAfter(key, now: now) != nil
        state.addresses.record(key, now: now)
        guard full else {
            state.overLimit[key] = nil
            return .zero
        }
        if state.overLimit[key] == nil, state.overLimit.count >= maximumTrackedKeys {
            state.overLimit = state.overLimit.filter { state.addresses.failures[$0.key] != nil }
        }
        let over = state.overLimit[key, default: 0] + 1
        state.overLimit[key] = over
        return min(.seconds(over), maximumFailureDelay)
    }

    /// A failure without `checkAndCharge`; returns how long to hold its answer back.
    @discardableResult
    public func recordFailure(login: String, address: String, now: ContinuousClock.Instant) -> Duration {
        let (loginKey, addressKey) = (Self.loginKey(login), Self.addressKey(address))
        return state.withLock { state in
            state.logins.record(loginKey, now: now)
            return recordAddressFailure(addressKey, in: &state, now: now)
        }
    }

    /// Forgets the login's failures; the address's stay (one good password from an address that
    /// is guessing others' must not reset its count).
    public func recordSuccess(login: String, address: String, now: ContinuousClock.Instant) {
        let loginKey = Self.loginKey(login)
        state.withLock { state in state.logins.clear(loginKey) }
    }

    /// How long the login is still locked for; nil when it is not.
    public func lockedFor(login: String, now: ContinuousClock.Instant) -> Duration? {
        let loginKey = Self.loginKey(login)
        return state.withLock { $0.logins.retryAfter(loginKey, now: now) }
    }

    /// An admin's unlock: the login's failures are forgotten. Returns how long it was still
    /// locked for, nil when it was not locked.
    @discardableResult
    public func unlock(login: String, now: ContinuousClock.Instant) -> Duration? {
        let loginKey = Self.loginKey(login)
        return state.withLock { state in
            let left = state.logins.retryAfter(loginKey, now: now)
            state.logins.clear(loginKey)
            return left
        }
    }

    /// Drops whatever has left the window. Call it now and then; recording does it when full.
    public func purge(now: ContinuousClock.Instant) {
        state.withLock { state in
            state.logins.purge(now: now)
            state.addresses.purge(now: now)
            state.overLimit = state.overLimit.filter { state.addresses.failures[$0.key] != nil }
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
