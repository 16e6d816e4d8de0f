import ControlPort
import ControlAPI
@testable import Crypt
@testable import HTTPServing
@testable import HTTPWire
import Foundation
import Testing

extension EndToEnd {
    /// Everyone behind one address (a reverse proxy, an office NAT, loopback here) shared the
    /// per-address login limit: 20 bad passwords from anyone locked every user out for 300 s.
    @Suite struct APISharedAddressTests {
        @Test func badPasswordsFromOneAddressDoNotStopAnotherUsersRightPassword() throws {
            let harness = try APITests.start()
            defer { harness.shutdown() }
            var times: [Duration] = []
            for attempt in 1...22 {
                let started = ContinuousClock.now
                let wrong = try harness.api("POST", "/v1/sessions", body: ["login": .string("guess\(attempt)@example.com"), "password": "nope"])
                times.append(ContinuousClock.now - started)
                #expect(wrong.status == 401, "attempt \(attempt): \(wrong.status) \(wrong.text)")
            }
            let dana = try harness.api("POST", "/v1/sessions", body: ["login": "dana@example.com", "password": "demo"])
            #expect(dana.status == 201, "\(dana.text)")
            // The address is slowed instead: a second more for each failure beyond its 20.
            #expect(times[20] >= .seconds(1) && times[21] >= .seconds(2), "\(times)")
            try harness.waitForLog("api.login_failed", ["login": "guess22@example.com", "delay_ms": "2000"])
        }
    }
}
