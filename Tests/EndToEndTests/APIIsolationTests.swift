#if canImport(Glibc)
import Glibc
#endif
import ControlPort
import ControlAPI
@testable import Crypt
@testable import HTTPServing
@testable import HTTPWire
import Foundation
import Testing

extension EndToEnd {
    /// A reload re-reads the admin tokens file and the users, and the API ends at once what no
    /// longer holds (the router's side of it is ControlAPITests' RouterSessionTests).
    @Suite struct APIIsolationTests {
        @Test func aReloadEndsSessionsAndStreamsThatNoLongerHold() throws {
            let harness = try APITests.start()
            defer { harness.shutdown() }
            let dana = try harness.session("dana@example.com")
            let eli = try harness.session("eli@example.com")
            let eliStream = try APIStreamTests.stream(harness, token: eli)
            let adminStream = try APIStreamTests.stream(harness, token: APITests.adminToken)

            // Dana made inactive, the admin token withdrawn.
            let original = try String(contentsOfFile: harness.configPath, encoding: .utf8)
            let inactive = original.replacingOccurrences(
                of: "name = Dana Levi\n", with: "name = Dana Levi\nactive = no\n")
            try #require(inactive != original)
            try inactive.write(toFile: harness.configPath, atomically: true, encoding: .utf8)
            try "# no tokens\n".write(toFile: harness.directory + "/api-tokens", atomically: true, encoding: .utf8)
            chmod(harness.directory + "/api-tokens", 0o600)
            #expect(try harness.api("POST", "/v1/reload", overSocket: true).status == 200)
            adminStream.read(timeout: .seconds(5))
            #expect(adminStream.closed, "a stream opened with a withdrawn token ends")
            #expect(try harness.api("GET", "/v1/agents", token: APITests.adminToken).status == 401)

            // Dana back: her old token stays dead; a new login works.
            try original.write(toFile: harness.configPath, atomically: true, encoding: .utf8)
            #expect(try harness.api("POST", "/v1/reload", overSocket: true).status == 200)
            #expect(try harness.api("GET", "/v1/agents", token: dana).status == 401)
            _ = try harness.session("dana@example.com")

            // Eli logs out: his stream ends with his session.
            #expect(try harness.api("DELETE", "/v1/sessions/current", token: eli).status == 204)
            eliStream.read(timeout: .seconds(5))
            #expect(eliStream.closed)
            try harness.waitForLog("api.sessions_ended")
        }
    }
}
