import ControlPort
import ControlAPI
@testable import Crypt
@testable import HTTPServing
@testable import HTTPWire
import Foundation
import Testing

extension EndToEnd {
    /// ccagentctl unlocks a login through the daemon (the router's rules for it are ControlAPITests'
    /// RouterLoginLimitTests).
    @Suite struct APILoginLockTests {
        @Test func ccagentctlUnlocksALogin() throws {
            let harness = try APITests.start()
            defer { harness.shutdown() }
            for _ in 0..<3 { _ = try harness.api("POST", "/v1/sessions", body: ["login": "eli@example.com", "password": "guess"]) }
            #expect(try harness.api("POST", "/v1/sessions", body: ["login": "eli@example.com", "password": "demo"]).status == 429)
            let unlocked = try CtlTests.ctl(["--socket", harness.socketPath, "unlock", "eli@example.com"])
            #expect(unlocked.status == 0 && unlocked.out == "eli@example.com: unlocked", "\(unlocked)")
            #expect(try harness.api("POST", "/v1/sessions", body: ["login": "eli@example.com", "password": "demo"]).status == 201)
            let port = try harness.apiPort()
            let dana = try harness.session("dana@example.com")
            let refused = try CtlTests.ctl(["--url", "http://127.0.0.1:\(port)", "--token", dana, "unlock", "eli@example.com"])
            #expect(refused.status == 77 && refused.err == "Error: only admins may unlock a login", "\(refused)")
        }
    }
}
