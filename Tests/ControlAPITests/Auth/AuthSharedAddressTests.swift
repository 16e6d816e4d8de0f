import Testing

import ControlPort
@testable import ControlAPI
@testable import Crypt
@testable import HTTPServing
@testable import HTTPWire

/// The hole of issue 11: everyone behind one address shared its limit, so 20 bad passwords from
/// anyone there locked every user out for 300 s, the right password included.
@Suite struct AuthSharedAddressTests {
    let start = ContinuousClock.now

    func at(_ seconds: Int) -> ContinuousClock.Instant { start + .seconds(seconds) }

    @Test func twentyFailuresFromAnAddressDoNotLockAnotherLoginThere() {
        let limiter = LoginRateLimiter(perLogin: 5, perAddress: 20, window: .seconds(300))
        for i in 0..<25 { limiter.recordFailure(login: "user\(i)@example.com", address: "127.0.0.1", now: at(i)) }
        #expect(limiter.check(login: "dana@example.com", address: "127.0.0.1", now: at(30)) == .allowed)
    }

    @Test func aRightPasswordFromAnAddressThatKeepsGuessingIsStillChecked() {
        let limiter = LoginRateLimiter(perLogin: 5, perAddress: 20, window: .seconds(300))
        for i in 0..<1000 {
            _ = limiter.checkAndCharge(login: "guess\(i % 300)@example.com", address: "192.0.2.1", now: at(i % 60))
            limiter.chargeFailure(login: "guess\(i % 300)@example.com", address: "192.0.2.1", now: at(i % 60))
        }
        #expect(limiter.checkAndCharge(login: "dana@example.com", address: "192.0.2.1", now: at(60)) == .allowed)
        limiter.refund(login: "dana@example.com", address: "192.0.2.1", now: at(60))
    }
}
