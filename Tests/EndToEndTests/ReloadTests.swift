#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing

extension EndToEnd {
    /// Scenario 4: SIGHUP with a bad file changes nothing; with a good one, only what changed.
    @Suite struct ReloadTests {
        @Test func aBadFileIsRefusedAndTheOldConfigurationKeepsWorking() throws {
            let harness = try Harness()
            defer { harness.shutdown() }
            let daemon = try harness.startDaemon()
            try harness.login(Agents.dana, at: "101")
            try harness.waitForQueues(["PJSIP/101": TestConfigs.allQueues])

            // Dana loses support (that must not apply) and the break points at a status that does not exist.
            let good = harness.defaultConfig(users: TestConfigs.users(dana: "sales"))
            var lines = good.components(separatedBy: "\n")
            let gotoLine = try #require(lines.firstIndex(of: "timeout_goto = connected"))
            lines[gotoLine] = "timeout_goto = conected"
            try harness.writeConfig(lines.joined(separator: "\n"))
            let mark = harness.mark
            daemon.signal(SIGHUP)
            let failed = try harness.waitForLog("config.reload_failed", after: mark)
            let errors = harness.log(after: mark).filter { $0.entry.event == "config.error" && $0.index < failed.index }
            try #require(!errors.isEmpty, "\(daemon.tail())")
            let location = "\(harness.configPath):\(gotoLine + 1)"
            #expect(errors.contains { $0.entry["error"]?.contains(location) == true }, "expected \(location) in \(errors.map(\.entry))")
            #expect(errors.contains { $0.entry["error"]?.contains("timeout_goto") == true }, "\(errors.map(\.entry))")
            #expect(failed.entry["file"] == harness.configPath)
            #expect(!harness.log(after: mark).contains { $0.entry.event == "config.reloaded" })

            // The old configuration: Dana keeps support, and the break still ends in connected.
            try harness.setStatus("break", agent: Agents.dana, at: "101")
            try harness.waitForQueues(["PJSIP/101": []])
            let back = try harness.waitForLog("agent.status_changed", ["agent": Agents.dana, "from": "break"], after: mark)
            #expect(back.entry["to"] == "connected")
            try harness.waitForQueues(["PJSIP/101": TestConfigs.allQueues])
            #expect(daemon.isRunning)
        }

        @Test func aGoodFileAppliesOnlyTheMinimalQueueChanges() throws {
            let harness = try Harness()
            defer { harness.shutdown() }
            let daemon = try harness.startDaemon()
            try harness.login(Agents.dana, at: "101")
            try harness.login(Agents.eli, at: "102")
            try harness.login(Agents.noa, at: "103")
            let before = try harness.waitForQueues([
                "PJSIP/101": TestConfigs.allQueues, "PJSIP/102": TestConfigs.supportQueues, "PJSIP/103": TestConfigs.allQueues,
            ])
            #expect(before.member("PJSIP/103", in: "sales")?.penalty == 1)

            // Dana drops support (two removes); Noa's sales penalty goes from 1 to 4 (one penalty change).
            try harness.writeConfig(harness.defaultConfig(users: TestConfigs.users(dana: "sales", noa: "sales:4, support:5")))
            let mark = harness.mark
            let simMark = harness.amisim.stderr.count
            daemon.signal(SIGHUP)
            let reloaded = try harness.waitForLog("config.reloaded", after: mark)
            #expect(reloaded.entry["actions"] == "3", "\(reloaded.entry)")
            #expect(reloaded.entry["changes"] == "0", "\(reloaded.entry)")
            let after = try harness.waitForMembers("Dana out of support, Noa at penalty 4") {
                $0.queues(of: "PJSIP/101") == ["sales"] && $0.member("PJSIP/103", in: "sales")?.penalty == 4
            }

            let changes = harness.memberChanges(after: simMark)
            #expect(changes.count == 2, "\(changes)")
            #expect(changes.allSatisfy { $0.contains("amisim.member_removed") && $0.contains("interface=PJSIP/101") }, "\(changes)")
            // Nobody else was taken out and put back: their members are the very same.
            for interface in ["PJSIP/102", "PJSIP/103", TestConfigs.staticMember] {
                let old = before.filter { $0.interface == interface }.sorted { $0.queue < $1.queue }
                let new = after.filter { $0.interface == interface }.sorted { $0.queue < $1.queue }
                #expect(old.map(\.queue) == new.map(\.queue), "\(interface)")
                #expect(old.map(\.loginTime) == new.map(\.loginTime), "\(interface) was removed and added again")
            }
            #expect(after.member("PJSIP/101", in: "sales")?.loginTime == before.member("PJSIP/101", in: "sales")?.loginTime)
            #expect(after.member("PJSIP/103", in: "support-private")?.penalty == 5)
            #expect(!harness.log(after: mark).contains { $0.entry.event == "agent.status_changed" })
            #expect(!harness.log(after: mark).contains { $0.entry.event.hasPrefix("ami.action") })

            // The new configuration is the one in force.
            try harness.setStatus("lunch", agent: Agents.dana, at: "101")
            try harness.setStatus("connected", agent: Agents.dana, at: "101")
            try harness.waitForQueues(["PJSIP/101": ["sales"]])
        }
    }
}
