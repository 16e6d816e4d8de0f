import Testing

import ControlPort
@testable import ControlAPI
@testable import Crypt
@testable import HTTPServing
@testable import HTTPWire

@Suite struct AuthSessionStoreTests {
    let start = ContinuousClock.now

    func at(_ seconds: Int) -> ContinuousClock.Instant { start + .seconds(seconds) }

    @Test func aSessionLooksUpToItsLogin() throws {
        let store = SessionStore(ttl: .seconds(100))
        let (token, expiresAfter) = try store.create(login: "dana@example.com", now: at(0))
        #expect(expiresAfter == .seconds(100))
        #expect(SessionToken.isWellFormed(token))
        #expect(store.lookup(token, now: at(1)) == "dana@example.com")
        #expect(store.count == 1)
    }

    @Test func theFingerprintComesBackAndStaleSessionsAreRevokedByRule() throws {
        let store = SessionStore(ttl: .seconds(100))
        let (dana, _) = try store.create(login: "dana", fingerprint: "$6$old", now: at(0))
        let (eli, _) = try store.create(login: "eli", fingerprint: "$6$eli", now: at(0))
        #expect(store.session(dana, now: at(1))?.fingerprint == "$6$old")
        // Dana's password changed; Eli's did not.
        let current = ["dana": "$6$new", "eli": "$6$eli"]
        #expect(store.revokeAll { login, fingerprint in current[login] != fingerprint } == 1)
        #expect(store.lookup(dana, now: at(2)) == nil && store.lookup(eli, now: at(2)) == "eli")
        #expect(store.revokeAll { _, _ in false } == 0 && store.count == 1)
    }

    @Test func unknownAndMalformedTokensAreNil() throws {
        let store = SessionStore()
        let (token, _) = try store.create(login: "dana@example.com", now: at(0))
        var changed = Array(token.utf8)
        changed[63] = changed[63] == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "0")
        for bad in ["", "x", token.uppercased(), String(token.dropLast()), token + "0", String(decoding: changed, as: UTF8.self), try SessionToken.generate()] {
            #expect(store.lookup(bad, now: at(1)) == nil, "\(bad)")
        }
        #expect(store.lookup(token, now: at(1)) == "dana@example.com")
    }

    @Test func aTokenSharingTheIndexButNotTheRestIsRefused() throws {
        let store = SessionStore()
        let (token, _) = try store.create(login: "dana@example.com", now: at(0))
        let impostor = String(token.prefix(16)) + String(repeating: "0", count: 48)
        #expect(store.lookup(impostor, now: at(1)) == nil)
        #expect(!store.revoke(impostor))
        #expect(store.lookup(token, now: at(1)) == "dana@example.com")
    }

    @Test func expiryIsSlidingEachUseExtendsIt() throws {
        let store = SessionStore(ttl: .seconds(100))
        let (token, _) = try store.create(login: "dana@example.com", now: at(0))
        // Used every 90 s, it lives far past its first 100 s.
        for t in stride(from: 90, through: 900, by: 90) {
            #expect(store.lookup(token, now: at(t)) == "dana@example.com", "at \(t)")
        }
        // Unused for the TTL: gone, and removed.
        #expect(store.lookup(token, now: at(1000)) == nil)
        #expect(store.count == 0)
        #expect(store.lookup(token, now: at(901)) == nil)
    }

    @Test func aSessionExpiresExactlyTTLAfterItsLastUse() throws {
        let store = SessionStore(ttl: .seconds(100))
        let (token, _) = try store.create(login: "a", now: at(0))
        #expect(store.lookup(token, now: start + .milliseconds(99_999)) == "a")
        let (other, _) = try store.create(login: "b", now: at(0))
        #expect(store.lookup(other, now: at(100)) == nil)
    }

    @Test func revokeEndsOneSession() throws {
        let store = SessionStore()
        let (one, _) = try store.create(login: "dana@example.com", now: at(0))
        let (two, _) = try store.create(login: "dana@example.com", now: at(0))
        #expect(store.revoke(one))
        #expect(!store.revoke(one))
        #expect(!store.revoke("garbage"))
        #expect(store.lookup(one, now: at(1)) == nil)
        #expect(store.lookup(two, now: at(1)) == "dana@example.com")
        #expect(store.count == 1)
    }

    @Test func revokeAllEndsEveryOneOfALoginOnly() throws {
        let store = SessionStore()
        let dana = try (0..<3).map { _ in try store.create(login: "dana@example.com", now: at(0)).token }
        let (eli, _) = try store.create(login: "eli@example.com", now: at(0))
        #expect(store.revokeAll(login: "dana@example.com") == 3)
        #expect(store.revokeAll(login: "dana@example.com") == 0)
        for token in dana { #expect(store.lookup(token, now: at(1)) == nil) }
        #expect(store.lookup(eli, now: at(1)) == "eli@example.com")
        #expect(store.count == 1)
    }

    @Test func purgeDropsOnlyTheExpired() throws {
        let store = SessionStore(ttl: .seconds(100))
        let (old, _) = try store.create(login: "a", now: at(0))
        let (used, _) = try store.create(login: "b", now: at(0))
        let (young, _) = try store.create(login: "c", now: at(50))
        #expect(store.lookup(used, now: at(60)) == "b")
        #expect(store.purgeExpired(now: at(120)) == 1)
        #expect(store.count == 2)
        #expect(store.lookup(old, now: at(120)) == nil)
        #expect(store.lookup(young, now: at(120)) == "c")
        #expect(store.purgeExpired(now: at(10_000)) == 2)
        #expect(store.count == 0)
    }

    @Test func aLoginHoldsAtMostItsCapTheIdlestGoes() throws {
        let store = SessionStore(ttl: .seconds(1000), maximumPerLogin: 3)
        let first = try store.create(login: "dana", now: at(0)).token
        let second = try store.create(login: "dana", now: at(1)).token
        let third = try store.create(login: "dana", now: at(2)).token
        // The first is the oldest but in use: the second is the one idle the longest.
        #expect(store.lookup(first, now: at(3)) == "dana")
        let fourth = try store.create(login: "dana", now: at(4)).token
        #expect(store.count == 3)
        #expect(store.lookup(second, now: at(5)) == nil)
        for token in [first, third, fourth] { #expect(store.lookup(token, now: at(5)) == "dana") }
        // Another login is not touched by dana's cap.
        let eli = try store.create(login: "eli", now: at(6)).token
        #expect(store.lookup(eli, now: at(7)) == "eli")
        #expect(store.count == 4)
    }

    @Test func aLoginLoopCannotGrowTheStorePastItsCap() throws {
        let store = SessionStore(ttl: .seconds(1000), maximumPerLogin: 1000, maximumSessions: 50)
        var tokens: [String] = []
        for i in 0..<500 { tokens.append(try store.create(login: "user\(i % 7)", now: at(i)).token) }
        #expect(store.count == 50)
        // The 50 newest are the ones kept.
        for (i, token) in tokens.enumerated() {
            #expect((store.lookup(token, now: at(600)) != nil) == (i >= 450), "\(i)")
        }
    }

    @Test func atTheCapExpiredSessionsGoBeforeLiveOnes() throws {
        let store = SessionStore(ttl: .seconds(10), maximumSessions: 3)
        _ = try store.create(login: "a", now: at(0))
        let b = try store.create(login: "b", now: at(100)).token
        let c = try store.create(login: "c", now: at(101)).token
        let d = try store.create(login: "d", now: at(102)).token
        #expect(store.count == 3)
        for token in [b, c, d] { #expect(store.lookup(token, now: at(103)) != nil) }
    }

    @Test func manyThreadsCreateLookUpAndRevokeAtOnce() async throws {
        let store = SessionStore(ttl: .seconds(1000))
        let now = at(0)
        let found = await withTaskGroup(of: Int.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    var found = 0
                    for i in 0..<200 {
                        guard let (token, _) = try? store.create(login: "user\(worker)", now: now) else { continue }
                        if store.lookup(token, now: now) == "user\(worker)" { found += 1 }
                        if i % 2 == 0 { store.revoke(token) }
                    }
                    return found
                }
            }
            return await group.reduce(0, +)
        }
        #expect(found == 1600)
        #expect(store.count == 8 * 32)
    }
}
