import AMI
import AMISimulator
import AgentCore
import ControlPort
import Daemon
import Foundation
import Store
import SystemSupport
import Testing
import TestSupport

extension DaemonTests {
    @Suite struct ReloadAndPhone {
        @Test func aBadFileIsRefusedLineByLineAndTheOldConfigurationStays() async throws {
            let harness = try DaemonHarness()
            defer { Task { await harness.close() } }
            try await harness.waitReady()
            let good = try String(contentsOfFile: harness.configPath, encoding: .utf8)
            try (good + "\n[brake]\ntype = status\ntimeout_goto = lunch\n").write(toFile: harness.configPath, atomically: true, encoding: .utf8)
            let result = await harness.daemon.reload(harness.configPath)
            guard case .refused(let errors) = result else {
                Issue.record("expected a refusal, got \(result)")
                return
            }
            #expect(errors.contains { $0.contains("lunch") && $0.contains("ccagentd.conf:") })
            #expect(harness.logs.records(named: "config.reload_failed").count == 1)
            #expect(harness.logs.records(named: "config.reload_failed").first?.value(of: "errors") == .int(errors.count))
            try #require(errors.count == 2, "\(errors)")  // both about [brake]
            let audit = try Store(path: harness.database).audit(limit: 10).first { $0.action == "reload" }
            #expect(audit?.detail == "2 errors; the old configuration stays")
            #expect(harness.logs.records(named: "config.error").count == errors.count)
            // Still the old rules: break exists and works.
            _ = try await harness.submit(.login("dana@example.com", extension: "101")).result.get()
            _ = try await harness.submit(.setStatus("dana@example.com", "break")).result.get()
        }

        @Test func aGoodFileAppliesTheMinimalChange() async throws {
            let harness = try DaemonHarness()
            defer { Task { await harness.close() } }
            try await harness.waitReady()
            _ = try await harness.submit(.login("dana@example.com", extension: "101")).result.get()
            _ = try await harness.submit(.login("eli@example.com", extension: "102")).result.get()
            try await waitUntil("both are members") { harness.isMember("PJSIP/102", of: "support-business") && harness.isMember("PJSIP/101", of: "sales") }
            let before = harness.simulator.receivedActions().count

            // Dana loses sales; eli is untouched.
            let text = try String(contentsOfFile: harness.configPath, encoding: .utf8)
                .replacingOccurrences(of: "skills = sales, support:2", with: "skills = support:2")
            try text.write(toFile: harness.configPath, atomically: true, encoding: .utf8)
            let result = await harness.daemon.reload(harness.configPath)
            #expect(result == .applied(notes: []))
            try await waitUntil("dana left sales") { !harness.isMember("PJSIP/101", of: "sales") }
            try await waitUntil("no action in flight") { await harness.daemon.inspect { $0.inFlight } == 0 }
            let sent = harness.simulator.receivedActions().dropFirst(before).map { "\($0.action["Action"] ?? "") \($0.action["Queue"] ?? "")" }
            #expect(sent.filter { !$0.hasPrefix("Ping") } == ["QueueRemove sales"])
            #expect(harness.logs.records(named: "config.reloaded").count == 1)
        }

        @Test func phoneFeatureCodesDriveTheSameCommands() async throws {
            let harness = try DaemonHarness()
            defer { Task { await harness.close() } }
            try await harness.waitReady()
            let phone = try AMIConnection(
                configuration: AMIConnectionConfiguration(port: harness.port, username: "ccd", secret: "ccdsecret"), logger: .disabled)
            phone.start()
            try await waitUntil("the dialplan's connection is up") { phone.state.isLoggedIn }
            func dial(_ headers: [(String, String)]) async throws {
                _ = try await phone.send(AMIAction("UserEvent", [("UserEvent", "ccagentd")] + headers))
            }
            try await dial([("Command", "login"), ("Extension", "101")])
            try await waitUntil("dana logged in from her phone") { await harness.state("dana@example.com")?.status == .connected }
            try await dial([("Command", "status"), ("Status", "break"), ("Extension", "101")])
            try await waitUntil("dana is on break") { await harness.state("dana@example.com")?.status == "break" }
            try await dial([("Command", "status"), ("Status", "brake"), ("Extension", "101")])
            try await dial([("Command", "status"), ("Status", "connected"), ("Extension", "102")])
            try await dial([("Command", "dance"), ("Extension", "101")])
            try await waitUntil("three refusals are logged") {
                harness.logs.records(named: "phone.refused").count == 2 && harness.logs.records(named: "phone.invalid").count == 1
            }
            try await dial([("Command", "logout"), ("Extension", "101")])
            try await waitUntil("dana logged out") { await harness.state("dana@example.com") == nil }
            await phone.shutdown()

            let store = try Store(path: harness.database)
            let history = try store.history(agent: "dana@example.com", from: Timestamp(seconds: 0), to: harness.clock.now + .seconds(1))
            #expect(history.map(\.cause) == [.phone, .phone, .phone])
            #expect(history.map(\.actor) == [.phone("101"), .phone("101"), .phone("101")])
            let audit = try store.audit(limit: 20)
            #expect(audit.filter { $0.source == "phone 101" }.count == 4)
            #expect(audit.contains { $0.source == "phone 102" && $0.outcome == "refused" })
        }

        @Test func aStoppedDaemonLogsOffAndRefusesCommandsButLeavesAgentsInTheirQueues() async throws {
            let harness = try DaemonHarness()
            try await harness.waitReady()
            _ = try await harness.submit(.login("dana@example.com", extension: "101")).result.get()
            try await waitUntil("dana is a member") { harness.isMember("PJSIP/101", of: "sales") }
            await harness.daemon.stop()
            #expect(harness.simulator.receivedActions().contains { $0.action["Action"] == "Logoff" })
            #expect(await harness.submit(.setStatus("dana@example.com", "break")).result == .failure(.stopping))
            #expect(harness.isMember("PJSIP/101", of: "sales"))
            harness.simulator.stop()
        }
    }
}
