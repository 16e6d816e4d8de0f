import AMISimulator
import AgentCore
@testable import Daemon
import Foundation
@testable import Store
import Synchronization
import Testing
import TestSupport

/// A store that cannot commit (a full disk) loses nothing that was acknowledged and acknowledges
/// nothing it lost: commands are refused and undone, Asterisk is brought back, events from
/// Asterisk wait in order and are recorded once the store commits again.
extension DaemonTests {
    @Suite struct StoreOutage {
        static let diskFull = StoreError.sql(sql: "COMMIT", code: 13, message: "database or disk is full")

        /// Makes every commit of the daemon's store fail (nil: succeed again), on its thread.
        func failCommits(_ harness: DaemonHarness, with failure: StoreError?) async {
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                harness.daemon.loop.execute {
                    harness.daemon.store.database.failingCommits = failure
                    done.resume()
                }
            }
        }

        func history(_ harness: DaemonHarness, _ agent: AgentID) throws -> [Transition] {
            try Store(path: harness.database).history(agent: agent, from: Timestamp(seconds: 0), to: harness.clock.now + .seconds(3600))
        }

        func isContiguous(_ history: [Transition]) -> Bool {
            zip(history, history.dropFirst()).allSatisfy { $0.to == $1.from && $0.at <= $1.at }
        }

        @Test func aCommandTheStoreCannotCommitIsRefusedUndoneAndAsteriskBroughtBack() async throws {
            let harness = try DaemonHarness()
            defer { Task { await harness.close() } }
            try await harness.waitReady()
            _ = try await harness.submit(.login("dana@example.com", extension: "101")).result.get()
            try await waitUntil("dana is in sales") { harness.isMember("PJSIP/101", of: "sales") }

            await failCommits(harness, with: Self.diskFull)
            let reply = await harness.submit(.setStatus("dana@example.com", "break"))
            #expect(reply.result == .failure(.storeUnavailable("database or disk is full")))
            // As if it never came: the daemon, its store and (after the reconcile) Asterisk.
            #expect(await harness.state("dana@example.com")?.status == .connected)
            #expect(await harness.daemon.inspect { $0.storeWritable } == false)
            #expect(try history(harness, "dana@example.com").map(\.to) == [.connected])
            // The break's QueueRemove went out before the commit failed: the reconcile adds her back.
            let sent = harness.simulator.receivedActions().filter { $0.action.name == "QueueRemove" }.count
            #expect(sent >= 1)
            try await waitUntil("a reconcile put dana back in sales") {
                harness.isMember("PJSIP/101", of: "sales") && harness.simulator.receivedActions().filter { $0.action.name == "QueueAdd" }.count >= 4
            }
            #expect(!harness.logs.records(named: "store.write_failed").isEmpty)
            #expect(harness.logs.records(named: "agent.status_changed").isEmpty, "no log line says a change happened")

            // Space comes back: the next attempt (a tick, 100 ms later) commits and says so.
            await failCommits(harness, with: nil)
            try await waitUntil("the store is writable again") { await harness.daemon.inspect { $0.storeWritable } }
            #expect(!harness.logs.records(named: "store.recovered").isEmpty)
            let audit = try Store(path: harness.database).audit(limit: 10)
            #expect(audit.contains { $0.action == "store_recovered" && $0.detail?.contains("failed commit") == true })
            _ = try await harness.submit(.setStatus("dana@example.com", "break")).result.get()
            try await waitUntil("the break took dana out of sales") { !harness.isMember("PJSIP/101", of: "sales") }
            let after = try history(harness, "dana@example.com")
            #expect(after.map(\.to) == [.connected, "break"])
            #expect(isContiguous(after))
        }

        @Test func callEventsWaitInOrderAndAreRecordedWhenTheStoreCommitsAgain() async throws {
            let harness = try DaemonHarness()
            defer { Task { await harness.close() } }
            try await harness.waitReady()
            _ = try await harness.submit(.login("eli@example.com", extension: "102")).result.get()
            try await waitUntil("eli is a member") { harness.isMember("PJSIP/102", of: "support-private") }

            await failCommits(harness, with: Self.diskFull)
            // A command makes the daemon learn that the store cannot commit.
            #expect(await harness.submit(.setStatus("eli@example.com", "break")).result == .failure(.storeUnavailable("database or disk is full")))
            let callTime = harness.clock.now
            harness.simulator.inboundCall(queue: "support-private", hangupAfter: .milliseconds(300))
            try await waitUntil("the call was read and held") {
                await harness.daemon.inspect { $0.metrics.eventsQueued == 0 } && !harness.logs.records(named: "store.still_failing").isEmpty
            }
            #expect(await harness.state("eli@example.com")?.status == .connected, "a change that cannot be stored is not made")
            // Refused at once between attempts, without touching the agents.
            let refused = await harness.submit(.setStatus("eli@example.com", "break"))
            #expect(refused.result == .failure(.storeUnavailable("database or disk is full")))

            try await Task.sleep(for: .milliseconds(600))  // the call ends while the store still fails
            harness.clock.advance(by: .seconds(10))  // recorded as of when it happened, not when stored
            await failCommits(harness, with: nil)
            try await waitUntil("the held call was recorded, in order") {
                (try? history(harness, "eli@example.com").map(\.to.rawValue)) == ["connected", "incoming_call", "paperwork"]
            }
            let recorded = try history(harness, "eli@example.com")
            #expect(isContiguous(recorded))
            #expect(recorded.dropFirst().map(\.at) == [callTime, callTime], "\(recorded.map(\.at))")
            #expect(await harness.state("eli@example.com")?.status == "paperwork")
            #expect(await harness.daemon.inspect { $0.storeWritable })
            let calls = try Store(path: harness.database).calls(
                agent: "eli@example.com", from: Timestamp(seconds: 0), to: harness.clock.now + .seconds(3600))
            #expect(calls.count == 1)
            #expect(calls.first?.ended != nil)
        }

        @Test func changesCommittedTogetherDoNotShareOneAnothersFate() async throws {
            let harness = try DaemonHarness()
            defer { Task { await harness.close() } }
            try await harness.waitReady()
            _ = try await harness.submit(.login("dana@example.com", extension: "101")).result.get()
            _ = try await harness.submit(.login("eli@example.com", extension: "102")).result.get()
            // The store refuses eli's history rows (a statement's error, not the disk's).
            try Store(path: harness.database).database.executeScript(
                """
                CREATE TRIGGER refuse_eli BEFORE INSERT ON status_history WHEN NEW.agent = 'eli@example.com'
                BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;
                """)

            // Both in one batch: run back to back on the daemon's thread, then one commit.
            let replies = Mutex<[String: CommandReply]>([:])
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                let daemon = harness.daemon
                daemon.loop.execute {
                    let both = Mutex(0)
                    for agent in ["eli@example.com", "dana@example.com"] {
                        daemon.perform(.setStatus(AgentID(agent), "break"), by: .admin("test"), source: "test") { reply in
                            replies.withLock { $0[agent] = reply }
                            if both.withLock({ $0 += 1; return $0 }) == 2 { done.resume() }
                        }
                    }
                }
            }
            let eli = try #require(replies.withLock { $0["eli@example.com"] })
            let dana = try #require(replies.withLock { $0["dana@example.com"] })
            #expect(eli.result == .failure(.storeUnavailable("refused by the test")))
            #expect((try? dana.result.get())??.status == "break", "dana's change commits although eli's was refused")
            #expect(await harness.state("eli@example.com")?.status == .connected)
            #expect(await harness.state("dana@example.com")?.status == "break")
            #expect(await harness.daemon.inspect { $0.storeWritable }, "one refused input is not a store outage")
            #expect(try history(harness, "dana@example.com").map(\.to.rawValue) == ["connected", "break"])
            #expect(try history(harness, "eli@example.com").map(\.to.rawValue) == ["connected"])
            #expect(!harness.logs.records(named: "store.input_failed").isEmpty)
            try await waitUntil("eli is back in the queues the refused break took her out of") {
                harness.isMember("PJSIP/102", of: "support-private") && !harness.isMember("PJSIP/101", of: "sales")
            }
        }

        @Test func aReloadTheStoreCannotCommitKeepsTheOldConfiguration() async throws {
            let harness = try DaemonHarness()
            defer { Task { await harness.close() } }
            try await harness.waitReady()
            _ = try await harness.submit(.login("noa@example.com", extension: "103")).result.get()
            // The new file drops noa: applying it would log her out.
            let text = daemonTestFixture(port: harness.port, database: harness.database).removing("noa@example.com").text
            #expect(!text.contains("noa@example.com"))
            try text.write(toFile: harness.configPath, atomically: true, encoding: .utf8)

            await failCommits(harness, with: Self.diskFull)
            let result = await harness.daemon.reload(harness.configPath)
            #expect(result == .storeUnavailable("database or disk is full"))
            #expect(await harness.state("noa@example.com")?.status == .connected)
            #expect(await harness.daemon.inspect { $0.settings.core.users["noa@example.com"] != nil })

            await failCommits(harness, with: nil)
            try await waitUntil("the store is writable again") { await harness.daemon.inspect { $0.storeWritable } }
            #expect(await harness.daemon.reload(harness.configPath) == .applied(notes: []))
            #expect(await harness.state("noa@example.com") == nil)
        }
    }
}
