import AgentCore
import Foundation
import Testing
import TestSupport

extension EndToEnd {
    /// Scenario 1: an agent's day at the phone, with queue membership checked at every step.
    @Suite struct AgentDayTests {
        @Test func loginStatusesTimeoutAndCallsMoveTheQueueMembership() throws {
            let harness = try Harness()
            defer { harness.shutdown() }
            try harness.startDaemon()
            let dana = Agents.dana, eli = Agents.eli

            // Nobody is logged in: only the static member.
            try harness.waitForQueues(["PJSIP/101": [], "PJSIP/102": []])

            // Login without Agent: the extension's owner.
            var mark = harness.mark
            try harness.phone("login", extension: "101")
            let login = try harness.waitForLog("agent.logged_in", ["agent": dana], after: mark).entry
            #expect(login["to"] == "connected")
            #expect(login["cause"] == "phone")
            let joined = try harness.waitForQueues(["PJSIP/101": TestConfigs.allQueues])
            #expect(joined.member("PJSIP/101", in: "sales")?.penalty == 0)
            #expect(joined.member("PJSIP/101", in: "support-private")?.penalty == 2)
            #expect(joined.member("PJSIP/101", in: "support-business")?.penalty == 2)
            #expect(joined.member("PJSIP/101", in: "sales")?.dynamic == true)

            try harness.login(eli, at: "102")
            try harness.waitForQueues(["PJSIP/101": TestConfigs.allQueues, "PJSIP/102": TestConfigs.supportQueues])

            // A status without skills takes Dana out of every queue, and only her.
            try harness.setStatus("lunch", agent: dana, at: "101")
            try harness.waitForQueues(["PJSIP/101": [], "PJSIP/102": TestConfigs.supportQueues])
            try harness.setStatus("connected", agent: dana, at: "101")
            try harness.waitForQueues(["PJSIP/101": TestConfigs.allQueues, "PJSIP/102": TestConfigs.supportQueues])

            // A timed status ends on its own, at its deadline.
            try harness.setStatus("break", agent: dana, at: "101")
            try harness.waitForQueues(["PJSIP/101": []])
            mark = harness.mark
            let expired = try harness.waitForLog("agent.status_changed", ["agent": dana, "from": "break"], after: mark).entry
            #expect(expired["to"] == "connected")
            #expect(expired["cause"] == "timeout")
            try harness.waitForQueues(["PJSIP/101": TestConfigs.allQueues])

            // An inbound sales call rings Dana (Eli has no sales skill): incoming_call keeps the queues,
            // the hang-up goes to paperwork (no queues), whose timeout brings her back.
            mark = harness.mark
            try harness.sim("call inbound sales")
            let ringing = try harness.waitForLog("agent.status_changed", ["agent": dana, "to": "incoming_call"], after: mark)
            #expect(ringing.entry["cause"] == "call")
            let during = try harness.members()
            let duringAt = Self.wallMilliseconds()
            let callStarted = try harness.waitForLog("call.started", ["agent": dana], after: mark).entry
            #expect(callStarted["direction"] == "incoming")
            let wrapUp = try harness.waitForLog("agent.status_changed", ["agent": dana, "from": "incoming_call"], after: mark)
            #expect(wrapUp.entry["to"] == "paperwork")
            #expect(wrapUp.entry["cause"] == "hangup")
            try harness.waitForLog("call.ended", ["agent": dana], after: mark)
            try harness.waitForQueues(["PJSIP/101": [], "PJSIP/102": TestConfigs.supportQueues])
            let back = try harness.waitForLog("agent.status_changed", ["agent": dana, "from": "paperwork"], after: wrapUp.index)
            #expect(back.entry["to"] == "connected")
            #expect(back.entry["cause"] == "timeout")
            try harness.waitForQueues(["PJSIP/101": TestConfigs.allQueues])

            // Dialling out from lunch: outgoing_call keeps lunch's membership (none), and the
            // hang-up returns to lunch, not to connected.
            try harness.setStatus("lunch", agent: dana, at: "101")
            try harness.waitForQueues(["PJSIP/101": []])
            mark = harness.mark
            try harness.sim("call out PJSIP/101 0501234567")
            let dialling = try harness.waitForLog("agent.status_changed", ["agent": dana, "to": "outgoing_call"], after: mark)
            #expect(dialling.entry["from"] == "lunch")
            #expect(dialling.entry["cause"] == "call")
            let duringOut = try harness.members()
            let duringOutAt = Self.wallMilliseconds()
            let hungUp = try harness.waitForLog("agent.status_changed", ["agent": dana, "from": "outgoing_call"], after: mark)
            #expect(hungUp.entry["to"] == "lunch")
            #expect(hungUp.entry["cause"] == "hangup")
            try harness.waitForQueues(["PJSIP/101": []])

            try harness.setStatus("connected", agent: dana, at: "101")
            try harness.waitForQueues(["PJSIP/101": TestConfigs.allQueues])
            mark = harness.mark
            try harness.phone("logout", extension: "101")
            try harness.waitForLog("agent.logged_out", ["agent": dana], after: mark)
            try harness.waitForQueues(["PJSIP/101": [], "PJSIP/102": TestConfigs.supportQueues])

            // The store has the whole day, contiguous and in order.
            let history = try harness.history(dana)
            #expect(contiguityProblems(history) == [])
            #expect(
                history.map(\.short) == [
                    "unassigned->connected(phone)", "connected->lunch(phone)", "lunch->connected(phone)",
                    "connected->break(phone)", "break->connected(timeout)", "connected->incoming_call(call)",
                    "incoming_call->paperwork(hangup)", "paperwork->connected(timeout)", "connected->lunch(phone)",
                    "lunch->outgoing_call(call)", "outgoing_call->lunch(hangup)", "lunch->connected(phone)",
                    "connected->unassigned(phone)",
                ])
            // The members read during each call, judged when the daemon handled the hang-up only
            // after they were read (the calls last 2 s; a starved machine may miss the window).
            if let hangup = history.first(where: { $0.from == .incomingCall }), duringAt < hangup.at.millisecondsSince1970 {
                #expect(during.queues(of: "PJSIP/101") == TestConfigs.allQueues, "incoming_call keeps the queues")
            }
            if let hangup = history.first(where: { $0.from == .outgoingCall }), duringOutAt < hangup.at.millisecondsSince1970 {
                #expect(duringOut.queues(of: "PJSIP/101").isEmpty, "outgoing_call keeps lunch's (no) queues")
            }
            // Timeouts are recorded at their deadline: two seconds after the status began.
            for (index, transition) in history.enumerated() where transition.cause == .timeout && index > 0 {
                let held = transition.at.millisecondsSince1970 - history[index - 1].at.millisecondsSince1970
                #expect((1900...3000).contains(held), "\(transition.short) after \(held) ms, expected 2000")
            }
            let stored = try harness.storedAgents().first { $0.agent.rawValue == eli }
            #expect(stored?.status == .connected)
            #expect(stored?.extensionID.rawValue == "102")
        }
    
        /// Wall-clock milliseconds, the daemon's clock for history times.
        static func wallMilliseconds() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded(.up)) }

        /// Feature codes the rules refuse, and a logout that stays in the queues.
        @Test func phoneCodesTheRulesRefuseChangeNothing() throws {
            let harness = try Harness()
            defer { harness.shutdown() }
            try harness.startDaemon(config: TestConfigs.daemon(
                port: harness.port, database: harness.databasePath, breakTimeout: 60))
            let agents = [(Agents.dana, "101"), (Agents.eli, "102"), (Agents.noa, "103"), (Agents.omer, "104")]
            for (agent, ext) in agents { try harness.login(agent, at: ext) }
            try harness.waitForQueues([
                "PJSIP/101": TestConfigs.allQueues, "PJSIP/102": TestConfigs.supportQueues,
                "PJSIP/103": TestConfigs.allQueues, "PJSIP/104": ["sales"],
            ])

            // break allows three agents at once (over_limit = deny): the fourth stays connected.
            for (agent, ext) in agents.prefix(3) { try harness.setStatus("break", agent: agent, at: ext) }
            var mark = harness.mark
            try harness.phone("status", extension: "104", [("Status", "break")])
            var refused = try harness.waitForLog("phone.refused", ["extension": "104"], after: mark)
            #expect(refused.entry["agent"] == Agents.omer)
            // An unknown status, a phone nobody is logged in at, and an extension already taken.
            try harness.phone("status", extension: "104", [("Status", "coffee")])
            refused = try harness.waitForLog("phone.refused", ["extension": "104"], after: refused.index + 1)
            try harness.phone("status", extension: "105", [("Status", "lunch")])
            refused = try harness.waitForLog("phone.refused", ["extension": "105"], after: refused.index + 1)
            try harness.phone("login", extension: "101", [("Agent", Agents.omer)])
            try harness.waitForLog("phone.refused", ["extension": "101"], after: refused.index + 1)
            #expect(!harness.log(after: mark).contains { $0.entry.event.hasPrefix("agent.") }, "\(harness.log(after: mark).map(\.entry))")
            try harness.waitForQueues([
                "PJSIP/101": [], "PJSIP/102": [], "PJSIP/103": [], "PJSIP/104": ["sales"], "PJSIP/105": [],
            ])

            // Omer stays in his queue after logging out, and a reconcile keeps him there.
            mark = harness.mark
            try harness.phone("logout", extension: "104")
            try harness.waitForLog("agent.logged_out", ["agent": Agents.omer], after: mark)
            try harness.sim("drop")
            try harness.waitForLog("reconcile.finished", after: mark)
            try harness.waitForQueues(["PJSIP/104": ["sales"], "PJSIP/101": []])
            let omer = try harness.history(Agents.omer).map(\.short)
            #expect(omer == ["unassigned->connected(phone)", "connected->unassigned(phone)"])
            #expect(try harness.storedAgents().map(\.agent.rawValue).sorted() == [Agents.dana, Agents.eli, Agents.noa])
        }
    
        /// A phone asks no password: it logs in only the owner of its personal extension. `Agent:`
        /// naming someone else (Eli at the hot desk 105) is refused with a reason that says so,
        /// and nothing changes.
        @Test func aLoginFeatureCodeForSomeoneElseIsRefusedWithTheReason() throws {
            let harness = try Harness()
            defer { harness.shutdown() }
            try harness.startDaemon()
            let mark = harness.mark
            try harness.phone("login", extension: "105", [("Agent", Agents.eli)])
            _ = eventually(timeout: .seconds(10)) {
                harness.log(after: mark).contains { ["agent.logged_in", "phone.refused"].contains($0.entry.event) }
            }
            let outcome = harness.log(after: mark).map(\.entry).filter { ["agent.logged_in", "phone.refused"].contains($0.event) }
            #expect(outcome.first?.event == "phone.refused", "\(outcome)")
            #expect(outcome.first?["error"]?.contains("log in through the API") == true, "\(outcome)")
            #expect(try harness.storedAgents().isEmpty)
        }
    }
}
