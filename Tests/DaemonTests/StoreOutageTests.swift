import AMISimulator
import AgentCore
import Config
import ControlPort
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

        /// A daemon with eli logged in at 102 and in her queues; then every commit fails.
        func eliLoggedInThenTheStoreFails() async throws -> DaemonHarness {
            let harness = try DaemonHarness()
            try await harness.waitReady()
            _ = try await harness.submit(.login("eli@example.com", extension: "102")).result.get()
            try await waitUntil("eli is a member") { harness.isMember("PJSIP/102", of: "support-private") }
            await failCommits(harness, with: Self.diskFull)
            return harness
        }

        /// An outside call rings eli's phone and hangs up; returns once the daemon has read all of it.
        func callComesAndGoes(_ harness: DaemonHarness) async throws {
            let channel = try #require(harness.simulator.callPhone(interface: "PJSIP/102"))
            try await Task.sleep(for: .milliseconds(200))
            harness.simulator.hangup(channel)
            try await waitUntil("the call's events were read and held") {
                await harness.daemon.inspect { $0.metrics.eventsQueued == 0 } && harness.simulator.channels().isEmpty
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
            let harness = try await eliLoggedInThenTheStoreFails()
            defer { Task { await harness.close() } }
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

        static let queueActions: Set<String> = ["QueueAdd", "QueueRemove", "QueuePenalty", "DBPut", "DBDel"]

        func queueActionCount(_ harness: DaemonHarness) -> Int {
            harness.simulator.receivedActions().count { Self.queueActions.contains($0.action.name ?? "") }
        }

        @Test func triesOfAStoreThatStillFailsSendAsteriskNothingToUndo() async throws {
            let harness = try await eliLoggedInThenTheStoreFails()
            defer { Task { await harness.close() } }
            #expect(await harness.submit(.setStatus("eli@example.com", "break")).result == .failure(.storeUnavailable("database or disk is full")))
            // A call that would send eli to paperwork (out of her queues) comes and goes meanwhile.
            try await callComesAndGoes(harness)
            try await waitUntil("the refused break's queue actions were undone") {
                harness.isMember("PJSIP/102", of: "support-private") && harness.isMember("PJSIP/102", of: "support-business")
            }
            try await Task.sleep(for: .milliseconds(500))  // the undo's reconcile runs its course

            // Ten retry intervals: each try probes the store, and replays nothing while it fails.
            let before = queueActionCount(harness)
            let probes = harness.logs.records(named: "store.still_failing").count
            try await Task.sleep(for: .seconds(1))
            #expect(harness.logs.records(named: "store.still_failing").count >= probes + 3, "the store is still tried")
            #expect(queueActionCount(harness) == before, "\(harness.simulator.receivedActions().suffix(6).map { $0.action.name ?? "" })")
            #expect(harness.isMember("PJSIP/102", of: "support-private"))
            #expect(await harness.state("eli@example.com")?.status == .connected)

            await failCommits(harness, with: nil)
            try await waitUntil("the held call was recorded") {
                (try? history(harness, "eli@example.com").map(\.to.rawValue)) == ["connected", "incoming_call", "paperwork"]
            }
            try await waitUntil("paperwork took eli out of her queues") { !harness.isMember("PJSIP/102", of: "support-private") }
        }

        @Test func aTimedStatusThatExpiredBeforeAHeldCallExpiresFirst() async throws {
            let harness = try DaemonHarness()
            defer { Task { await harness.close() } }
            try await harness.waitReady()
            _ = try await harness.submit(.login("eli@example.com", extension: "102")).result.get()
            let breakStart = harness.clock.now
            _ = try await harness.submit(.setStatus("eli@example.com", "break")).result.get()

            await failCommits(harness, with: Self.diskFull)
            #expect(await harness.submit(.setStatus("eli@example.com", "paperwork")).result == .failure(.storeUnavailable("database or disk is full")))
            // The 60 s break ends during the outage; a call comes a second later.
            harness.clock.advance(by: .seconds(61))
            try await callComesAndGoes(harness)
            #expect(await harness.state("eli@example.com")?.status == "break", "nothing changes while the store cannot commit")

            await failCommits(harness, with: nil)
            try await waitUntil("the held call was recorded") {
                (try? history(harness, "eli@example.com").last?.to.rawValue) == "paperwork"
            }
            let recorded = try history(harness, "eli@example.com")
            #expect(recorded.map(\.to.rawValue) == ["connected", "break", "connected", "incoming_call", "paperwork"])
            #expect(recorded.map(\.at).dropFirst(2).first == breakStart + .seconds(60), "the break ended at its deadline")
            #expect(recorded.dropFirst(2).first?.cause == .timeout)
            #expect(isContiguous(recorded))
        }

        @Test func twoReloadsInABatchThatCannotCommitLeaveTheConfigurationBeforeTheFirst() async throws {
            let harness = try DaemonHarness()
            defer { Task { await harness.close() } }
            try await harness.waitReady()
            _ = try await harness.submit(.login("noa@example.com", extension: "103")).result.get()
            _ = try await harness.submit(.login("dana@example.com", extension: "101")).result.get()
            let text = try String(contentsOfFile: harness.configPath, encoding: .utf8)
            let withoutNoa = text.replacingOccurrences(
                of: "[noa@example.com]\ntype = user\nname = Noa Mizrahi\nskills = sales:1\nextension = 103\nstay_in_queues_on_logout = yes\n", with: "")
            let withoutEither = withoutNoa.replacingOccurrences(
                of: "[dana@example.com]\ntype = user\nname = Dana Levi\nskills = sales, support:2\nextension = 101\n", with: "")
            #expect(!withoutNoa.contains("noa@") && !withoutEither.contains("dana@"))
            let first = try ConfigLoader.load(text: withoutNoa, file: harness.configPath).get()
            let second = try ConfigLoader.load(text: withoutEither, file: harness.configPath).get()

            await failCommits(harness, with: Self.diskFull)
            // Both queued on the daemon's thread before its commit: one batch.
            let results = Mutex<[ReloadResult]>([])
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                for configuration in [first, second] {
                    harness.daemon.reload(with: configuration) { result in
                        if results.withLock({ $0.append(result); return $0.count }) == 2 { done.resume() }
                    }
                }
            }
            #expect(results.withLock { $0 } == Array(repeating: .storeUnavailable("database or disk is full"), count: 2))
            #expect(await harness.daemon.inspect { $0.settings.core.users["noa@example.com"] != nil && $0.settings.core.users["dana@example.com"] != nil })
            #expect(await harness.state("noa@example.com")?.status == .connected)
            #expect(await harness.state("dana@example.com")?.status == .connected)
        }

        @Test func aTimedStatusWhoseExpiryTheStoreRefusesIsTriedAgainAtTheRetryIntervalNotEveryTick() async throws {
            let harness = try DaemonHarness()
            defer { Task { await harness.close() } }
            try await harness.waitReady()
            _ = try await harness.submit(.login("eli@example.com", extension: "102")).result.get()
            _ = try await harness.submit(.setStatus("eli@example.com", "break")).result.get()
            try Store(path: harness.database).database.executeScript(
                """
                CREATE TRIGGER refuse_eli BEFORE INSERT ON status_history WHEN NEW.agent = 'eli@example.com'
                BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;
                """)
            harness.clock.advance(by: .seconds(61))
            try await waitUntil("the expiry was refused") { !harness.logs.records(named: "store.input_failed").isEmpty }
            // 25 ticks of 20 ms, 5 retry intervals of 100 ms.
            try await Task.sleep(for: .milliseconds(500))
            let refusals = harness.logs.records(named: "store.input_failed").count
            #expect(refusals <= 8, "tried \(refusals) times in 500 ms")
            #expect(await harness.state("eli@example.com")?.status == "break")
            #expect(await harness.daemon.inspect { $0.storeWritable }, "one refused input is not a store outage")

            try Store(path: harness.database).database.executeScript("DROP TRIGGER refuse_eli")
            try await waitUntil("the break expired once the store took it") { await harness.state("eli@example.com")?.status == .connected }
            #expect(try history(harness, "eli@example.com").map(\.to.rawValue) == ["connected", "break", "connected"])
        }
    }
}
