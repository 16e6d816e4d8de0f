import AgentCore
import Foundation
import Testing
import TestSupport

extension EndToEnd {
    /// Scenario 3: kill -9 in the middle of a burst of status changes, then start again.
    @Suite struct CrashRestartTests {
        @Test func aKilledDaemonLosesNoCommittedChangeAndConvergesOnRestart() throws {
            let harness = try Harness()
            defer { harness.shutdown() }
            let first = try harness.startDaemon()
            let agents = [(Agents.dana, "101"), (Agents.eli, "102"), (Agents.noa, "103")]
            for (agent, ext) in agents { try harness.login(agent, at: ext) }

            // A burst: every agent flips between lunch and connected, sent without waiting.
            let client = try harness.ami()
            let burst = 300
            let mark = harness.mark
            var ids: [String] = []
            for step in 0..<burst {
                let (_, ext) = agents[step % agents.count]
                let status = (step / agents.count) % 2 == 0 ? "lunch" : "connected"
                ids.append(
                    client.send(
                        action: "UserEvent", [("UserEvent", "ccagentd"), ("Command", "status"), ("Extension", ext), ("Status", status)]))
            }
            func changesLogged() -> [LogEntry] {
                harness.log(after: mark).map(\.entry).filter { $0.event == "agent.status_changed" }
            }
            try #require(eventually(timeout: .seconds(20), every: .milliseconds(2)) { changesLogged().count >= 20 }, "\(first.tail())")
            first.kill()
            let logged = changesLogged()
            // Mid-burst: not every change made it (else this test proves little).
            #expect(logged.count < burst, "the burst ended before the kill")
            _ = client.collect(ids.last ?? "", list: false, timeout: .seconds(10))

            // Every change the daemon reported (it logs after the commit) is in the store, in order.
            var stored: [String: [String]] = [:]
            for (agent, _) in agents {
                let history = try harness.history(agent)
                #expect(contiguityProblems(history) == [], "\(agent): \(history.map(\.short))")
                #expect(history.first?.short == "unassigned->connected(phone)")
                stored[agent] = history.dropFirst().map(\.short)
            }
            for (agent, _) in agents {
                let reported = logged.filter { $0["agent"] == agent }.map { "\($0["from"] ?? "")->\($0["to"] ?? "")(\($0["cause"] ?? ""))" }
                let committed = stored[agent] ?? []
                #expect(Array(committed.prefix(reported.count)) == reported, "\(agent): reported \(reported), stored \(committed)")
            }
            let saved = try harness.storedAgents()
            #expect(saved.count == agents.count)

            // The restarted daemon restores them and converges Asterisk to the stored statuses.
            let restartMark = 0
            try harness.startDaemon(waitUntilReady: false)
            let restored = try harness.waitForLog("daemon.restored", after: restartMark)
            #expect(restored.entry["agents"] == String(agents.count))
            try harness.waitForLog("daemon.ready", after: restartMark)
            var expected: [String: Set<String>] = [:]
            let queues = [Agents.dana: TestConfigs.allQueues, Agents.eli: TestConfigs.supportQueues, Agents.noa: TestConfigs.allQueues]
            for state in saved {
                expected[state.interface.rawValue] = state.status == .connected ? queues[state.agent.rawValue] ?? [] : []
                #expect(state.status == .connected || state.status == StatusID("lunch"))
            }
            try harness.waitForQueues(expected)
            // Nothing moved on the way: the restored statuses are the stored ones.
            #expect(try harness.storedAgents().map { "\($0.agent.rawValue)=\($0.status.rawValue)" }.sorted()
                == saved.map { "\($0.agent.rawValue)=\($0.status.rawValue)" }.sorted())

            // And it works: a status change after the restart is applied.
            let dana = try #require(saved.first { $0.agent.rawValue == Agents.dana })
            let next = dana.status == .connected ? "lunch" : "connected"
            try harness.setStatus(next, agent: Agents.dana, at: "101")
            try harness.waitForQueues(["PJSIP/101": next == "connected" ? TestConfigs.allQueues : []])
            #expect(contiguityProblems(try harness.history(Agents.dana)) == [])
        }

        /// Killed while Dana is on a call that ends before the restart: the restored
        /// incoming_call is ended by the reconcile (no live channel), into the wrap-up status.
        @Test func aCallThatEndedWhileTheDaemonWasDeadIsEndedOnRestart() throws {
            let harness = try Harness()
            defer { harness.shutdown() }
            let first = try harness.startDaemon()
            try harness.login(Agents.dana, at: "101")
            try harness.waitForQueues(["PJSIP/101": TestConfigs.allQueues])
            try harness.sim("call inbound sales")
            try harness.waitForLog("agent.status_changed", ["agent": Agents.dana, "to": "incoming_call"])
            first.kill()
            #expect(try harness.storedAgents().first?.status == .incomingCall)

            // The call ends (talk_time 2 s) with nobody watching.
            let client = try harness.ami()
            try #require(
                eventually(timeout: .seconds(15), every: .milliseconds(100)) {
                    client.command("core show channels")?.contains("0 active channels") == true
                }, "the call never ended")

            try harness.startDaemon()
            let ended = try harness.waitForLog("agent.status_changed", ["agent": Agents.dana, "from": "incoming_call"])
            #expect(ended.entry["to"] == "paperwork", "\(ended.entry)")
            #expect(ended.entry["cause"] == "reconcile", "\(ended.entry)")
            try harness.waitForQueues(["PJSIP/101": []])
            let back = try harness.waitForLog("agent.status_changed", ["agent": Agents.dana, "from": "paperwork"], after: ended.index)
            #expect(back.entry["to"] == "connected" && back.entry["cause"] == "timeout", "\(back.entry)")
            try harness.waitForQueues(["PJSIP/101": TestConfigs.allQueues])
            let history = try harness.history(Agents.dana)
            #expect(contiguityProblems(history) == [])
            #expect(
                history.map(\.short) == [
                    "unassigned->connected(phone)", "connected->incoming_call(call)", "incoming_call->paperwork(reconcile)",
                    "paperwork->connected(timeout)",
                ])
        }
    }
}
