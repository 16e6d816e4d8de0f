import HTTPWire
import HTTPServing
import Crypt
public import SystemSupport
import Synchronization

/// The API's login sessions, in memory (a restart logs everyone out, which is what a daemon
/// restart should do): token → login, with a sliding expiry and bounded size.
///
/// A session lives `ttl` after its last use. Each login holds at most `maximumPerLogin`
/// sessions and the store at most `maximumSessions`; beyond either, the session idle the longest
/// is dropped, so a login loop cannot grow memory without bound.
///
/// Sessions are indexed by the first 16 hex digits of their token (64 random bits, a lookup key
/// that says nothing of the rest) and the whole token is then compared in constant time, so
/// the time of an answer never tells how much of a guessed token was right.
public final class SessionStore: Sendable {
    public let ttl: Duration
    public let maximumPerLogin: Int
    public let maximumSessions: Int
    private let state = Mutex(State())

    struct Session {
        let token: String
        let login: String
        /// What the login's password hash was when the session began: a changed password ends it.
        let fingerprint: String
        var expires: ContinuousClock.Instant
    }

    struct State {
        var sessions: [UInt64: Session] = [:]
        /// The index keys of each login's sessions.
        var byLogin: [String: [UInt64]] = [:]
    }

    public init(ttl: Duration = .seconds(28800), maximumPerLogin: Int = 32, maximumSessions: Int = 100_000) {
        self.ttl = ttl
        self.maximumPerLogin = max(1, maximumPerLogin)
        self.maximumSessions = max(1, maximumSessions)
    }

    public var count: Int { state.withLock { $0.sessions.count } }

    /// A new session for `login`: its token, and how long it lives unused. `fingerprint` (the
    /// password hash it was opened with) comes back from `session(_:now:)`.
    public func create(
        login: String, fingerprint: String = "", now: ContinuousClock.Instant
    ) throws(SystemCallError) -> (token: String, expiresAfter: Duration) {
        while true {
            let token = try SessionToken.generate()
            guard let key = Self.indexKey(token) else { continue }
            let created = state.withLock { state in
                // Two tokens sharing 64 random bits: never in practice; draw again rather than shadow one.
                guard state.sessions[key] == nil else { return false }
                makeRoom(for: login, in: &state, now: now)
                state.sessions[key] = Session(token: token, login: login, fingerprint: fingerprint, expires: now + ttl)
                state.byLogin[login, default: []].append(key)
                return true
            }
            if created { return (token, ttl) }
        }
    }

    /// The login of a live session, whose life this use extends by `ttl`; nil for an unknown,
    /// malformed or expired token (an expired one is removed).
    public func lookup(_ token: String, now: ContinuousClock.Instant) -> String? {
        session(token, now: now)?.login
    }

    /// `lookup`, with the fingerprint the session was created with.
    public func session(_ token: String, now: ContinuousClock.Instant) -> (login: String, fingerprint: String)? {
        guard let key = Self.indexKey(token) else { return nil }
        return state.withLock { state in
            guard var session = state.sessions[key], constantTimeEquals(session.token.utf8, token.utf8) else { return nil }
            guard now < session.expires else {
                Self.remove(key, from: &state)
                return nil
            }
            session.expires = now + ttl
            state.sessions[key] = session
            return (session.login, session.fingerprint)
        }
    }

    /// Ends one session (logout). False when there was no such session.
    @discardableResult
    public func revoke(_ token: String) -> Bool {
        guard let key = Self.indexKey(token) else { return false }
        return state.withLock { state in
            guard let session = state.sessions[key], constantTimeEquals(session.token.utf8, token.utf8) else { return false }
            Self.remove(key, from: &state)
            return true
        }
    }

    /// Ends every session of `login` (a user removed or its password changed); how many there were.
    @discardableResult
    public func revokeAll(login: String) -> Int {
        state.withLock { state in
            let keys = state.byLogin.removeValue(forKey: login) ?? []
            for key in keys { state.sessions[key] = nil }
            return keys.count
        }
    }

    /// Ends every session for which `isStale(login, fingerprint)` holds (after a reload: users
    /// removed, made inactive, or with a new password); how many.
    @discardableResult
    public func revokeAll(where isStale: (_ login: String, _ fingerprint: String) -> Bool) -> Int {
        state.withLock { state in
            let stale = state.sessions.filter { isStale($0.value.login, $0.value.fingerprint) }.keys
            for key in stale { Self.remove(key, from: &state) }
            return stale.count
        }
    }

    /// Drops every expired session; how many. Call it now and then (lookups drop only the ones they meet).
    @discardableResult
    public func purgeExpired(now: ContinuousClock.Instant) -> Int {
        state.withLock { state in Self.purgeExpired(&state, now: now) }
    }

    // MARK: - Inside the lock

    private func makeRoom(for login: String, in state: inout State, now: ContinuousClock.Instant) {
        if let keys = state.byLogin[login], keys.count >= maximumPerLogin {
            Self.removeIdlest(among: keys, from: &state)
        }
        if state.sessions.count >= maximumSessions, Self.purgeExpired(&state, now: now) == 0 {
            // Full of live sessions: scanning them all is rare and cheap beside the password check before it.
            Self.removeIdlest(among: state.sessions.keys, from: &state)
        }
    }

    private static func removeIdlest(among keys: some Sequence<UInt64>, from state: inout State) {
        var idlest: (key: UInt64, expires: ContinuousClock.Instant)?
        for key in keys {
            guard let expires = state.sessions[key]?.expires else { continue }
            if idlest.map({ expires < $0.expires }) ?? true { idlest = (key, expires) }
        }
        if let idlest { remove(idlest.key, from: &state) }
    }

    private static func purgeExpired(_ state: inout State, now: ContinuousClock.Instant) -> Int {
        let expired = state.sessions.filter { $0.value.expires <= now }.keys
        for key in expired { remove(key, from: &state) }
        return expired.count
    }

    private static func remove(_ key: UInt64, from state: inout State) {
        guard let session = state.sessions.removeValue(forKey: key) else { return }
        state.byLogin[session.login]?.removeAll { $0 == key }
        if state.byLogin[session.login]?.isEmpty == true { state.byLogin[session.login] = nil }
    }

    /// The first 16 hex digits of a well-formed token as a number; nil for anything else.
    static func indexKey(_ token: String) -> UInt64? {
        guard SessionToken.isWellFormed(token) else { return nil }
        var key: UInt64 = 0
        for digit in token.utf8.prefix(16) { key = key << 4 | UInt64(digit <= 0x39 ? digit - 0x30 : digit - 0x61 + 10) }
        return key
    }
}
