import AgentCore
import ControlPort
@testable import Daemon
import Foundation
import Store
import Testing
import TestSupport

extension DaemonTests {
    /// An admin's action outside the agents (an unlock of a login) is audited like a command: told
    /// once its line is committed, or told that the store cannot take it, so it is not done.
    @Suite struct AdminAudit {
        func audit(_ harness: DaemonHarness, detail: String) async -> String? {
            await withCheckedContinuation { done in
                harness.daemon.audit(actor: .admin("ops"), source: "api:local", action: "unlock", target: "eli@example.com", detail: detail) {
                    done.resume(returning: $0)
                }
            }
        }

        @Test func theLineIsCommittedBeforeTheAnswerOrTheAnswerSaysWhyNot() async throws {
            let harness = try DaemonHarness()
            defer { Task { await harness.close() } }
            try await harness.waitReady()
            #expect(await audit(harness, detail: "first") == nil)
            #expect(try Store(path: harness.database).audit(limit: 1).first?.detail == "first")

            await StoreOutage().failCommits(harness, with: StoreOutage.diskFull)
            #expect(await audit(harness, detail: "lost") == "database or disk is full")
            #expect(try Store(path: harness.database).audit(limit: 10).allSatisfy { $0.detail != "lost" })
            await StoreOutage().failCommits(harness, with: nil)
            try await waitUntil("the store is writable again") { await harness.daemon.inspect { $0.storeWritable } }
            #expect(await audit(harness, detail: "again") == nil)
            let line = try #require(try Store(path: harness.database).audit(limit: 10).first { $0.action == "unlock" })
            #expect(line.detail == "again" && line.actor == .admin("ops") && line.target == "eli@example.com")
        }
    }
}
