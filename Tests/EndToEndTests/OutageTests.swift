#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing

extension EndToEnd {
    /// Scenario 2: Asterisk drops the connection, stops answering, restarts; the daemon converges.
    @Suite struct OutageTests {
        /// Dana and Noa logged in (all three queues each), a stale member on Eli's phone (Eli is
        /// logged out) and a member on an interface ccagentd does not know.
        private func setUp(_ harness: Harness) throws {
            try harness.startDaemon()
            try harness.login(Agents.dana, at: "101")
            try harness.login(Agents.noa, at: "103")
            try harness.waitForQueues(["PJSIP/101": TestConfigs.allQueues, "PJSIP/103": TestConfigs.allQueues])
            try addForeignMembers(harness)
        }

        private func addForeignMembers(_ harness: Harness) throws {
            let client = try harness.ami()
            for (queue, interface) in [("sales", "PJSIP/102"), ("support-private", "PJSIP/102"), ("sales", "SIP/999")] {
                let answer = client.request(
                    "QueueAdd", [("Queue", queue), ("Interface", interface), ("MemberName", "left over"), ("Penalty", "0")])
                try #require(answer?["Response"] == "Success", "QueueAdd \(queue) \(interface): \(answer.map(\.description) ?? "-")")
            }
            try harness.waitForMembers("with the stale members") {
                $0.queues(of: "PJSIP/102") == ["sales", "support-private"] && $0.queues(of: "SIP/999") == ["sales"]
            }
        }

        private func checkHistories(_ harness: Harness) throws {
            for agent in [Agents.dana, Agents.noa] {
                let history = try harness.history(agent)
                #expect(contiguityProblems(history) == [], "\(agent): \(history.map(\.short))")
                #expect(history.first?.from == .unassigned, "\(agent): \(history.map(\.short))")
            }
        }

        @Test func afterADroppedConnectionMembershipConverges() throws {
            let harness = try Harness()
            defer { harness.shutdown() }
            try setUp(harness)

            // Status changes just before the drop: their queue actions may or may not get through.
            try harness.setStatus("lunch", agent: Agents.dana, at: "101")
            try harness.setStatus("break", agent: Agents.noa, at: "103")
            let mark = harness.mark
            try harness.sim("drop")
            try harness.waitForLog("ami.connection_lost", after: mark)
            let reconciled = try harness.waitForLog("reconcile.finished", after: mark)
            #expect(Int(reconciled.entry["members"] ?? "") != nil)

            // Noa's break (2 s) expires on its own after the reconnect; Dana stays at lunch.
            try harness.waitForLog("agent.status_changed", ["agent": Agents.noa, "from": "break", "cause": "timeout"], after: mark)
            let members = try harness.waitForQueues([
                "PJSIP/101": [], "PJSIP/103": TestConfigs.allQueues, "PJSIP/102": [], "SIP/999": ["sales"],
            ])
            #expect(members.member("PJSIP/103", in: "support-private")?.penalty == 5)
            try checkHistories(harness)
            #expect(try harness.history(Agents.dana).map(\.short).last == "connected->lunch(phone)")
        }

        /// amisim frozen (SIGSTOP): the daemon notices through its Ping (ping_interval = 1, 5 s to
        /// answer); Dana's break expires meanwhile and is applied when Asterisk is back.
        @Test func afterAStallMembershipConverges() throws {
            let harness = try Harness()
            defer {
                harness.amisim.signal(SIGCONT)
                harness.shutdown()
            }
            try setUp(harness)
            try harness.setStatus("break", agent: Agents.dana, at: "101")
            try harness.setStatus("lunch", agent: Agents.noa, at: "103")
            try harness.waitForQueues(["PJSIP/101": [], "PJSIP/103": []])

            let mark = harness.mark
            harness.amisim.signal(SIGSTOP)
            let expired = try harness.waitForLog(
                "agent.status_changed", ["agent": Agents.dana, "from": "break", "to": "connected"], after: mark)
            #expect(expired.entry["cause"] == "timeout")
            let lost = try harness.waitForLog("ami.connection_lost", after: mark, timeout: .seconds(20))
            #expect(lost.entry["reason"]?.contains("Ping") == true, "\(lost.entry)")
            #expect(lost.index > expired.index)
            harness.amisim.signal(SIGCONT)

            try harness.waitForLog("reconcile.finished", after: lost.index, timeout: .seconds(30))
            try harness.waitForQueues([
                "PJSIP/101": TestConfigs.allQueues, "PJSIP/103": [], "PJSIP/102": [], "SIP/999": ["sales"],
            ])
            try checkHistories(harness)
            #expect(try harness.history(Agents.dana).suffix(2).map(\.short) == ["connected->break(phone)", "break->connected(timeout)"])
        }

        /// `sim restart`: the connection closes, connects are refused for two seconds, and Asterisk
        /// comes back without its dynamic members, or (persistentmembers = yes) with all of them.
        @Test(arguments: [false, true])
        func afterAnAsteriskRestartMembershipConverges(persistentMembers: Bool) throws {
            let harness = try Harness(persistentMembers: persistentMembers)
            defer { harness.shutdown() }
            try setUp(harness)
            try harness.login(Agents.eli, at: "102")  // Eli's phone now rightly in support, still wrongly in sales
            try harness.setStatus("break", agent: Agents.dana, at: "101")
            try harness.waitForQueues(["PJSIP/101": [], "PJSIP/102": TestConfigs.supportQueues.union(["sales"])])

            // Someone changed Noa's sales penalty by hand (1 in the configuration).
            let penalty = try harness.ami().request("QueuePenalty", [("Interface", "PJSIP/103"), ("Penalty", "9"), ("Queue", "sales")])
            try #require(penalty?["Response"] == "Success", "\(penalty.map(\.description) ?? "-")")
            let mark = harness.mark
            try harness.sim("restart 2")
            try harness.waitForLog("ami.connection_lost", after: mark)
            // The break expires while Asterisk is down.
            try harness.waitForLog("agent.status_changed", ["agent": Agents.dana, "from": "break", "cause": "timeout"], after: mark)
            let booted = try harness.waitForLog("ami.fully_booted", after: mark, timeout: .seconds(30))
            #expect(booted.entry["restarted"] == "true", "\(booted.entry)")
            try harness.waitForLog("reconcile.finished", after: booted.index)
            let members = try harness.waitForQueues([
                "PJSIP/101": TestConfigs.allQueues, "PJSIP/103": TestConfigs.allQueues, "PJSIP/102": TestConfigs.supportQueues,
                "SIP/999": persistentMembers ? ["sales"] : [],
            ])
            #expect(members.member("PJSIP/101", in: "support-business")?.penalty == 2)
            try harness.waitForMembers("Noa's sales penalty back to 1") { $0.member("PJSIP/103", in: "sales")?.penalty == 1 }
            #expect(!harness.log(after: mark).contains { $0.entry.event == "ami.action_failed" }, "\(harness.daemon?.tail() ?? "")")
            try checkHistories(harness)
        }
    }
}
