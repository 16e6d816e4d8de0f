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
    /// What one group may learn of another (nothing), and how long a credential lasts.
    @Suite struct APIIsolationTests {
        @Test func anotherGroupLeavesNoTrace() throws {
            let harness = try APITests.start()
            defer { harness.shutdown() }
            #expect(try harness.api("POST", "/v1/agents/noa@example.com/login", body: ["extension": "103"], overSocket: true).status == 200)
            #expect(try harness.api("PUT", "/v1/agents/noa@example.com/status", body: ["status": "break"], overSocket: true).status == 200)
            let dana = try harness.session("dana@example.com")

            let offer = try harness.api("GET", "/v1/agents/dana@example.com/extensions", token: dana).json?["extensions"]?.arrayValue
            let at103 = offer?.first { $0["id"] == "103" }
            #expect(at103?["taken"] == true && at103?["taken_by"] == .null, "\(String(describing: at103))")
            let taken = try harness.api("POST", "/v1/agents/dana@example.com/login", body: ["extension": "103"], token: dana)
            #expect(taken.status == 409 && taken.errorCode == "extension_taken" && !taken.text.contains("noa"), "\(taken.text)")

            let statuses = try harness.api("GET", "/v1/statuses", token: dana).json?["statuses"]?.arrayValue ?? []
            #expect(statuses.first { $0["id"] == "break" }?["agents"] == 0, "Noa's break is team-b's business")
            let admin = try harness.api("GET", "/v1/statuses", overSocket: true).json?["statuses"]?.arrayValue ?? []
            #expect(admin.first { $0["id"] == "break" }?["agents"] == 1)
            #expect(try harness.api("GET", "/healthz").json?["agents_logged_in"] == nil, "no counts without a token")
        }

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
