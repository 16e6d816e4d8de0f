import Testing

import ControlPort
@testable import ControlAPI
@testable import Crypt
@testable import HTTPServing
@testable import HTTPWire

@Suite struct AuthRateLimiterTests {
    let start = ContinuousClock.now

    func at(_ seconds: Int) -> ContinuousClock.Instant { start + .seconds(seconds) }

    func fail(_ limiter: LoginRateLimiter, _ login: String, from address: String = "192.0.2.1", at seconds: Int, times: Int = 1) {
        for _ in 0..<times { limiter.recordFailure(login: login, address: address, now: at(seconds)) }
    }

    @Test func aLoginIsLimitedAfterItsFailuresUntilTheOldestLeavesTheWindow() {
        let limiter = LoginRateLimiter(perLogin: 3, perAddress: 100, window: .seconds(300))
        for t in [0, 10, 20] {
            #expect(limiter.check(login: "dana", address: "192.0.2.1", now: at(t)) == .allowed)
            fail(limiter, "dana", at: t)
        }
        #expect(limiter.check(login: "dana", address: "192.0.2.1", now: at(20)) == .limited(retryAfter: .seconds(280)))
        // From anywhere: it is the account that is being guessed.
        #expect(limiter.check(login: "dana", address: "198.51.100.7", now: at(100)) == .limited(retryAfter: .seconds(200)))
        #expect(limiter.check(login: "dana", address: "192.0.2.1", now: at(299)) == .limited(retryAfter: .seconds(1)))
        // The failure at 0 has left the window: one more try.
        #expect(limiter.check(login: "dana", address: "192.0.2.1", now: at(300)) == .allowed)
        fail(limiter, "dana", at: 300)
        #expect(limiter.check(login: "dana", address: "192.0.2.1", now: at(300)) == .limited(retryAfter: .seconds(10)))
        // Other logins are not affected.
        #expect(limiter.check(login: "eli", address: "192.0.2.1", now: at(300)) == .allowed)
    }

    @Test func retryAfterIsExactBelowASecond() {
        let limiter = LoginRateLimiter(perLogin: 1, perAddress: 100, window: .seconds(60))
        limiter.recordFailure(login: "dana", address: "a", now: start + .milliseconds(500))
        #expect(limiter.check(login: "dana", address: "a", now: start + .milliseconds(60_400)) == .limited(retryAfter: .milliseconds(100)))
        #expect(limiter.check(login: "dana", address: "a", now: start + .milliseconds(60_500)) == .allowed)
    }

    /// Everyone behind one address (an office NAT, a reverse proxy, loopback) shares it: its
    /// failures slow its further failures down, and never lock anybody out.
    @Test func anAddressOverItsAllowanceIsSlowedNeverLocked() {
        let limiter = LoginRateLimiter(perLogin: 5, perAddress: 4, window: .seconds(300), maximumFailureDelay: .seconds(3))
        for (i, login) in ["a", "b", "c", "d"].enumerated() {
            #expect(limiter.recordFailure(login: login, address: "203.0.113.9", now: at(i)) == .zero)
        }
        #expect(limiter.check(login: "e", address: "203.0.113.9", now: at(10)) == .allowed)
        #expect(limiter.checkAndCharge(login: "e", address: "203.0.113.9", now: at(10)) == .allowed)
        // Each failure beyond the allowance is answered a second later than the one before, up to the cap.
        #expect(limiter.chargeFailure(login: "e", address: "203.0.113.9", now: at(10)) == .seconds(1))
        let delays = (11..<15).map { limiter.recordFailure(login: "x\($0)", address: "203.0.113.9", now: at($0)) }
        #expect(delays == [.seconds(2), .seconds(3), .seconds(3), .seconds(3)])
        // Another address is not slowed.
        #expect(limiter.recordFailure(login: "f", address: "203.0.113.10", now: at(15)) == .zero)
        // Once fewer than its allowance are left in the window, the address starts afresh.
        let later = (0..<5).map { limiter.recordFailure(login: "g\($0)", address: "203.0.113.9", now: at(400)) }
        #expect(later == [.zero, .zero, .zero, .zero, .seconds(1)])
    }

    @Test func onlyTheLoginsOwnFailuresLockIt() {
        let limiter = LoginRateLimiter(perLogin: 2, perAddress: 2, window: .seconds(100))
        fail(limiter, "dana", from: "y", at: 0)
        fail(limiter, "other", from: "x", at: 10)
        fail(limiter, "more", from: "x", at: 20)
        fail(limiter, "dana", from: "z", at: 50)
        // dana: failures at 0 and 50, locked until 100, from wherever; x is only slowed.
        #expect(limiter.check(login: "dana", address: "x", now: at(60)) == .limited(retryAfter: .seconds(40)))
        #expect(limiter.check(login: "dana", address: "w", now: at(60)) == .limited(retryAfter: .seconds(40)))
        #expect(limiter.check(login: "other", address: "x", now: at(60)) == .allowed)
    }

    @Test func anAdminUnlockForgetsTheLoginsFailures() {
        let limiter = LoginRateLimiter(perLogin: 3, perAddress: 100, window: .seconds(300))
        fail(limiter, "Dana@example.com", at: 0, times: 3)
        #expect(limiter.check(login: "dana@example.com", address: "192.0.2.9", now: at(60)) == .limited(retryAfter: .seconds(240)))
        #expect(limiter.unlock(login: "DANA@example.com", now: at(60)) == .seconds(240))
        #expect(limiter.check(login: "dana@example.com", address: "192.0.2.9", now: at(60)) == .allowed)
        // Its whole allowance back, not one try.
        fail(limiter, "dana@example.com", at: 61, times: 2)
        #expect(limiter.check(login: "dana@example.com", address: "192.0.2.9", now: at(62)) == .allowed)
        #expect(limiter.unlock(login: "eli@example.com", now: at(62)) == nil)
        #expect(limiter.unlock(login: "dana@example.com", now: at(62)) == nil, "two failures of three: not locked")
        #expect(limiter.check(login: "dana@example.com", address: "192.0.2.9", now: at(62)) == .allowed)
    }

    @Test func successClearsTheLoginButNotTheAddress() {
        let limiter = LoginRateLimiter(perLogin: 3, perAddress: 5, window: .seconds(300))
        fail(limiter, "dana", at: 0, times: 2)
        limiter.recordSuccess(login: "dana", address: "192.0.2.1", now: at(1))
        fail(limiter, "dana", at: 2, times: 2)
        #expect(limiter.check(login: "dana", address: "192.0.2.2", now: at(3)) == .allowed)
        // The address has its 4 failures still; one more fills it, and the next is slowed.
        fail(limiter, "eli", at: 3)
        #expect(limiter.recordFailure(login: "zoe", address: "192.0.2.1", now: at(4)) == .seconds(1))
    }

    @Test func loginsCountWhateverTheirCase() {
        let limiter = LoginRateLimiter(perLogin: 2, perAddress: 100)
        fail(limiter, "dana@example.com", from: "a", at: 0)
        fail(limiter, "Dana@Example.COM", from: "b", at: 0)
        #expect(limiter.check(login: "DANA@example.com", address: "c", now: at(1)) != .allowed)
    }

    @Test func ipv6CountsPer64() {
        #expect(LoginRateLimiter.addressKey("2001:db8:1:2:aaaa::1") == "2001:db8:1:2::/64")
        #expect(LoginRateLimiter.addressKey("2001:0db8:0001:0002:ffff:ffff:ffff:ffff") == "2001:db8:1:2::/64")
        #expect(LoginRateLimiter.addressKey("::1") == "0:0:0:0::/64")
        #expect(LoginRateLimiter.addressKey("::ffff:192.0.2.1") == "192.0.2.1")
        #expect(LoginRateLimiter.addressKey("192.0.2.1") == "192.0.2.1")
        #expect(LoginRateLimiter.addressKey("unix") == "unix")
        let limiter = LoginRateLimiter(perLogin: 100, perAddress: 2)
        fail(limiter, "a", from: "2001:db8:1:2::1", at: 0)
        fail(limiter, "b", from: "2001:db8:1:2::2", at: 0)
        #expect(limiter.recordFailure(login: "c", address: "2001:db8:1:2:ffff::3", now: at(1)) == .seconds(1))
        #expect(limiter.recordFailure(login: "c", address: "2001:db8:1:3::1", now: at(1)) == .zero)
    }

    @Test func aFloodOfRandomLoginsFromManyAddressesStaysBounded() {
        let limiter = LoginRateLimiter(perLogin: 1, perAddress: 1, window: .seconds(300), maximumTrackedKeys: 500)
        func address(_ i: Int) -> String { "10.0.\(i >> 8 & 255).\(i & 255)" }
        for i in 0..<5000 {
            limiter.recordFailure(login: "guess\(i)@example.com", address: address(i), now: start + .milliseconds(i))
        }
        #expect(limiter.trackedKeys == 1000)
        // The newest are the ones still counted.
        let now = start + .seconds(5)
        #expect(limiter.check(login: "guess4999@example.com", address: "192.0.2.1", now: now) != .allowed)
        #expect(limiter.check(login: "guess0@example.com", address: "192.0.2.1", now: now) == .allowed)
        #expect(limiter.recordFailure(login: "x", address: address(4999), now: now) == .seconds(1))
        #expect(limiter.recordFailure(login: "x", address: address(0), now: now) == .zero)
    }

    @Test func keysHoldAtMostTheirLimitOfInstants() {
        let limiter = LoginRateLimiter(perLogin: 3, perAddress: 3, window: .seconds(300))
        fail(limiter, "dana", at: 0, times: 1000)
        #expect(limiter.check(login: "dana", address: "other", now: at(1)) == .limited(retryAfter: .seconds(299)))
        var log = FailureLog(limit: 3, window: .seconds(300), maximumKeys: 10)
        for _ in 0..<1000 { log.record("k", now: at(0)) }
        #expect(log.failures["k"]?.count == 3)
    }

    @Test func oldFailuresArePurged() {
        let limiter = LoginRateLimiter(perLogin: 5, perAddress: 20, window: .seconds(300))
        for i in 0..<100 { fail(limiter, "user\(i)", from: "192.0.2.\(i)", at: i) }
        #expect(limiter.trackedKeys == 200)
        limiter.purge(now: at(350))
        #expect(limiter.trackedKeys == 2 * 49)
        limiter.purge(now: at(1000))
        #expect(limiter.trackedKeys == 0)
    }

    @Test func atTheCapTheExpiredGoFirstThenTheQuietest() {
        var log = FailureLog(limit: 2, window: .seconds(100), maximumKeys: 3)
        log.record("old", now: at(0))
        log.record("quiet", now: at(150))
        log.record("busy", now: at(160))
        log.record("busy", now: at(170))
        log.record("new", now: at(180))
        #expect(Set(log.failures.keys) == ["quiet", "busy", "new"])
        log.record("newer", now: at(190))
        #expect(Set(log.failures.keys) == ["busy", "new", "newer"])
        #expect(log.retryAfter("busy", now: at(190)) == .seconds(70))
    }

    @Test func aParallelBurstGetsNoMoreThanTheLimitThrough() async {
        let limiter = LoginRateLimiter(perLogin: 5, perAddress: 1000, window: .seconds(300))
        let now = at(0)
        let allowed = await withTaskGroup(of: Bool.self) { group in
            for i in 0..<200 {
                group.addTask { limiter.checkAndCharge(login: "dana", address: "10.0.0.\(i % 50)", now: now) == .allowed }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(allowed == 5)
        #expect(limiter.check(login: "dana", address: "10.0.0.99", now: now) == .limited(retryAfter: .seconds(300)))
    }

    @Test func aChargedAttemptThatSucceedsIsRefunded() {
        let limiter = LoginRateLimiter(perLogin: 3, perAddress: 3, window: .seconds(300))
        // An office behind one address: good logins never use up the address's allowance.
        for t in 0..<10 {
            #expect(limiter.checkAndCharge(login: "agent\(t)", address: "192.0.2.1", now: at(t)) == .allowed)
            limiter.refund(login: "agent\(t)", address: "192.0.2.1", now: at(t))
        }
        // Bad ones count, and a limited attempt is not charged.
        for t in 10..<13 {
            #expect(limiter.checkAndCharge(login: "dana", address: "192.0.2.1", now: at(t)) == .allowed)
            limiter.chargeFailure(login: "dana", address: "192.0.2.1", now: at(t))
        }
        #expect(limiter.checkAndCharge(login: "dana", address: "192.0.2.1", now: at(13)) == .limited(retryAfter: .seconds(297)))
        // The address is full: eli still gets checked, and a failure of hers is answered late.
        #expect(limiter.checkAndCharge(login: "eli", address: "192.0.2.1", now: at(14)) == .allowed)
        #expect(limiter.chargeFailure(login: "eli", address: "192.0.2.1", now: at(14)) == .seconds(1))
        // A good password clears the login; the address keeps its failures.
        #expect(limiter.checkAndCharge(login: "eli", address: "192.0.2.1", now: at(15)) == .allowed)
        limiter.refund(login: "eli", address: "192.0.2.1", now: at(15))
        #expect(limiter.check(login: "eli", address: "198.51.100.1", now: at(15)) == .allowed)
        #expect(limiter.recordFailure(login: "zoe", address: "192.0.2.1", now: at(16)) == .seconds(2))
    }

    @Test func manyGoodLoginsAtOnceFromOneAddressAreBusyNeverBlocked() {
        let limiter = LoginRateLimiter(perLogin: 5, perAddress: 4, window: .seconds(300))
        // A front-end sends 10 logins at once: 4 run, the rest are told to come back in a moment.
        let first = (0..<10).map { limiter.checkAndCharge(login: "agent\($0)", address: "192.0.2.1", now: at(0)) }
        #expect(first.filter { $0 == .allowed }.count == 4 && first.filter { $0 == .busy }.count == 6)
        for index in 0..<4 { limiter.refund(login: "agent\(index)", address: "192.0.2.1", now: at(0)) }
        // They all succeed in turn; no failure was recorded, so nothing is blocked for minutes.
        for index in 4..<10 {
            #expect(limiter.checkAndCharge(login: "agent\(index)", address: "192.0.2.1", now: at(1)) == .allowed)
            limiter.refund(login: "agent\(index)", address: "192.0.2.1", now: at(1))
        }
        #expect(limiter.check(login: "x", address: "192.0.2.1", now: at(2)) == .allowed)
        // Checks in flight never exceed the address's allowance at any moment; failures beyond it are slowed.
        for index in 0..<4 { _ = limiter.checkAndCharge(login: "guess\(index)", address: "198.51.100.7", now: at(3)) }
        #expect(limiter.checkAndCharge(login: "guess9", address: "198.51.100.7", now: at(3)) == .busy)
        let delays = (0..<4).map { limiter.chargeFailure(login: "guess\($0)", address: "198.51.100.7", now: at(3)) }
        #expect(delays == [.zero, .zero, .zero, .zero])
        #expect(limiter.checkAndCharge(login: "guess9", address: "198.51.100.7", now: at(4)) == .allowed)
        #expect(limiter.chargeFailure(login: "guess9", address: "198.51.100.7", now: at(4)) == .seconds(1))
    }
}
