import AMISimulator
import AgentCore
import Config
import ControlPort
import Daemon
import Foundation
import Store
import Testing
import TestSupport

extension DaemonTests {
    @Suite struct Recovery {
        @Test func changesWhileAsteriskIsDownAreRecordedAndConvergedOnReconnect() async throws {
            let harness = try DaemonHarness()
            defer { Task { await harness.close() } }
            try await harness.waitReady()
            _ = try await harness.submit(.login("dana@example.com", extension: "101")).result.get()
            _ = try await harness.submit(.login("eli@example.com", extension: "102")).result.get()
            try await waitUntil("both are members") { harness.isMember("PJSIP/102", of: "support-private") && harness.isMember("PJSIP/101", of: "sales") }

            harness.simulator.restart(downtime: .milliseconds(600))
            try await waitUntil("the daemon saw Asterisk go") { await !harness.daemon.inspect { $0.ami.isLoggedIn } }
            // Accepted and recorded while AMI is down.
            _ = try await harness.submit(.setStatus("dana@example.com", "break")).result.get()
            _ = try await harness.submit(.login("noa@example.com", extension: "103")).result.get()

            try await waitUntil("membership converged after the restart") {
                !harness.isMember("PJSIP/101", of: "sales") && harness.isMember("PJSIP/102", of: "support-private")
                    && harness.isMember("PJSIP/102", of: "support-business") && harness.members("sales") == ["PJSIP/103:1"]
            }
            #expect(harness.isMember("Local/199@agents/n", of: "support-business"))
            let metrics = await harness.daemon.inspect { $0.metrics }
            #expect(metrics.reconnects >= 1)
            #expect(metrics.actionsDeferred >= 1)
        }

        @Test func aStalledAsteriskIsLeftAndConvergedAfterwards() async throws {
            let harness = try DaemonHarness()
            defer { Task { await harness.close() } }
            try await harness.waitReady()
            _ = try await harness.submit(.login("eli@example.com", extension: "102")).result.get()
            try await waitUntil("eli is a member") { harness.isMember("PJSIP/102", of: "support-private") }
            harness.simulator.setStalled(true)
            _ = try await harness.submit(.setStatus("eli@example.com", "break")).result.get()
            try await waitUntil("the ping timed out", timeout: .seconds(15)) { await !harness.daemon.inspect { $0.ami.isLoggedIn } }
            harness.simulator.setStalled(false)
            try await waitUntil("eli left the queues after the reconnect") {
                !harness.isMember("PJSIP/102", of: "support-private") && !harness.isMember("PJSIP/102", of: "support-business")
            }
        }

        @Test func aRestartRestoresAgentsAndFiresExpiredTimeoutsAtTheirDeadlines() async throws {
            let clock = ManualClock()
            let first = try DaemonHarness(clock: clock)
            try await first.waitReady()
            _ = try await first.submit(.login("dana@example.com", extension: "101")).result.get()
            _ = try await first.submit(.setStatus("dana@example.com", "break")).result.get()
            let breakStarted = clock.now
            _ = try await first.submit(.login("eli@example.com", extension: "102")).result.get()
            await first.daemon.stop()

            // Down for two minutes: the 60 s break expired meanwhile.
            clock.advance(by: .seconds(120))
            let second = try DaemonHarness(reuse: first, clock: clock, simulator: (first.simulator, first.port))
            defer { Task { await second.close() } }
            try await second.waitReady()
            #expect(await second.state("dana@example.com")?.status == .connected)
            #expect(await second.state("eli@example.com")?.status == .connected)
            #expect(second.logs.records(named: "daemon.restored").first?["timeouts"] == "1")
            let store = try Store(path: second.database)
            let history = try store.history(agent: "dana@example.com", from: Timestamp(seconds: 0), to: clock.now + .seconds(1))
            #expect(history.map(\.to.rawValue) == ["connected", "break", "connected"])
            #expect(history.last?.at == breakStarted + .seconds(60))
            #expect(history.last?.cause == .timeout)
            try await waitUntil("dana is back in her queues") { second.isMember("PJSIP/101", of: "sales") }
        }

        @Test func aCorruptStoreIsAClearErrorAtStart() throws {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("daemon-corrupt-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let database = directory.appendingPathComponent("ccagentd.sqlite").path
            try Data(repeating: 0x5A, count: 8192).write(to: URL(fileURLWithPath: database))
            let configuration = try ConfigLoader.load(text: daemonTestConfiguration(port: 1, database: database), file: "test.conf").get()
            #expect {
                _ = try Daemon(configuration: configuration, logger: .disabled)
            } throws: { error in
                guard let error = error as? DaemonError, case .store(let path, _) = error else { return false }
                return path == database
            }
            // Its directory cannot exist: a file stands where it should be.
            let blocker = directory.appendingPathComponent("not-a-directory").path
            try Data("x".utf8).write(to: URL(fileURLWithPath: blocker))
            let unreachable = try ConfigLoader.load(
                text: daemonTestConfiguration(port: 1, database: blocker + "/ccagentd.sqlite"), file: "test.conf"
            ).get()
            #expect(throws: DaemonError.self) { _ = try Daemon(configuration: unreachable, logger: .disabled) }
        }
    }
}
