import Testing
@testable import AgentCore

@Suite struct LoginTests {
    @Test func loginAddsEveryQueueOfEverySkillWithItsPenalty() {
        var core = AgentStateMachine(configuration: TestCenter.configuration)
        let outcome = core.handle(.login(TestCenter.dana, extension: "101"), by: .user(TestCenter.dana), at: TestCenter.t0)
        #expect(outcome.error == nil)
        #expect(outcome.transitions == [Transition(agent: TestCenter.dana, from: .unassigned, to: .connected, at: TestCenter.t0, cause: .agent, actor: .user(TestCenter.dana))])
        #expect(outcome.queueEffects == [
            add("sales", "PJSIP/101", 0, "Dana Levi", state: "PJSIP/101"),
            add("support-business", "PJSIP/101", 2, "Dana Levi", state: "PJSIP/101"),
            add("support-private", "PJSIP/101", 2, "Dana Levi", state: "PJSIP/101"),
        ])
        #expect(core.state(of: TestCenter.dana)?.status == .connected)
    }

    @Test func theOfferIsPersonalThenOwnVirtualThenTheRest() {
        let core = AgentStateMachine(configuration: TestCenter.configuration)
        let remo = core.extensionOffer(for: TestCenter.remo)
        #expect(remo.map(\.id) == ["105", "901", "101", "104"])
        #expect(remo.map(\.label) == ["105", "mobile +972501234567", "101", "104"])
        #expect(remo.map(\.kind) == [.personal, .virtual, .other, .other])
        // Dana lists 902 (a virtual extension, not hers): never offered.
        #expect(core.extensionOffer(for: TestCenter.dana).map(\.id) == ["101", "102", "103", "104", "105", "106"])
    }

    @Test func oneAgentPerExtension() {
        var core = AgentStateMachine(configuration: TestCenter.configuration)
        _ = core.handle(.login(TestCenter.dana, extension: "101"), by: .user(TestCenter.dana), at: TestCenter.t0)
        let outcome = core.handle(.login(TestCenter.eli, extension: "101"), by: .user(TestCenter.eli), at: TestCenter.t0)
        #expect(outcome.error == .extensionTaken("101", by: TestCenter.dana))
        #expect(outcome.effects.isEmpty)
        #expect(core.handle(.login(TestCenter.dana, extension: "102"), by: .user(TestCenter.dana), at: TestCenter.t0).error == .alreadyLoggedIn(TestCenter.dana, at: "101"))
        #expect(core.handle(.login(TestCenter.fay, extension: "102"), by: .user(TestCenter.fay), at: TestCenter.t0).error == .extensionNotAllowed(TestCenter.fay, "102"))
        #expect(core.handle(.login(TestCenter.fay, extension: "999"), by: .user(TestCenter.fay), at: TestCenter.t0).error == .unknownExtension("999"))
    }

    @Test func aVirtualExtensionSetsFollowMeAndUsesTheRemoteInterface() {
        var core = AgentStateMachine(configuration: TestCenter.configuration)
        let login = core.handle(.login(TestCenter.remo, extension: "901"), by: .user(TestCenter.remo), at: TestCenter.t0)
        #expect(login.effects.first == .dbPut(family: "ccagentd/followme", key: "901", value: "+972501234567"))
        #expect(login.transitions.map(\.to) == [.virtual])
        #expect(login.queueEffects == [add("sales", "Local/+972501234567@ccagentd-remote/n", 1, "Remo Ivanov", state: nil)])
        // `connected` means `virtual` for a remote agent: nothing changes.
        #expect(core.handle(.setStatus(TestCenter.remo, .connected), by: .user(TestCenter.remo), at: TestCenter.at(1)).effects.isEmpty)
        let logout = core.handle(.logout(TestCenter.remo), by: .user(TestCenter.remo), at: TestCenter.at(2))
        #expect(logout.effects.contains(.dbDel(family: "ccagentd/followme", key: "901")))
        #expect(logout.queueEffects == [.queueRemove(queue: "sales", interface: "Local/+972501234567@ccagentd-remote/n")])
    }

    @Test func logoutLeavesEveryQueueUnlessTheUserStays() {
        var core = AgentStateMachine(configuration: TestCenter.configuration)
        _ = core.handle(.login(TestCenter.eli, extension: "102"), by: .user(TestCenter.eli), at: TestCenter.t0)
        let logout = core.handle(.logout(TestCenter.eli), by: .user(TestCenter.eli), at: TestCenter.at(5))
        #expect(logout.queueEffects == [.queueRemove(queue: "support-business", interface: "PJSIP/102"), .queueRemove(queue: "support-private", interface: "PJSIP/102")])
        #expect(logout.transitions.map(\.to) == [.unassigned])
        #expect(core.state(of: TestCenter.eli) == nil)

        _ = core.handle(.login(TestCenter.stay, extension: "104"), by: .user(TestCenter.stay), at: TestCenter.t0)
        let stays = core.handle(.logout(TestCenter.stay), by: .user(TestCenter.stay), at: TestCenter.at(5))
        #expect(stays.queueEffects.isEmpty)
        #expect(core.members["PJSIP/104"]?.first { $0.queue == "sales" }?.penalty == 3)
        // The next agent at that phone takes it over with its own queues.
        let next = core.handle(.login(TestCenter.dana, extension: "104"), by: .user(TestCenter.dana), at: TestCenter.at(6))
        #expect(next.queueEffects == [
            .queuePenalty(queue: "sales", interface: "PJSIP/104", penalty: 0),
            add("support-business", "PJSIP/104", 2, "Dana Levi", state: "PJSIP/104"),
            add("support-private", "PJSIP/104", 2, "Dana Levi", state: "PJSIP/104"),
        ])
    }
}

@Suite struct StatusTests {
    func loggedIn(_ agents: [(AgentID, ExtensionID)] = [(TestCenter.dana, "101")]) -> AgentStateMachine {
        var core = AgentStateMachine(configuration: TestCenter.configuration)
        for (agent, ext) in agents { _ = core.handle(.login(agent, extension: ext), by: .user(agent), at: TestCenter.t0) }
        return core
    }

    @Test func onlyMembershipChangesSendQueueActions() {
        var core = loggedIn()
        let toBreak = core.handle(.setStatus(TestCenter.dana, "break"), by: .user(TestCenter.dana), at: TestCenter.at(10))
        #expect(toBreak.queueEffects == [
            .queueRemove(queue: "sales", interface: "PJSIP/101"), .queueRemove(queue: "support-business", interface: "PJSIP/101"),
            .queueRemove(queue: "support-private", interface: "PJSIP/101"),
        ])
        // break → lunch: neither activates skills, so no queue action.
        let toLunch = core.handle(.setStatus(TestCenter.dana, "lunch"), by: .user(TestCenter.dana), at: TestCenter.at(20))
        #expect(toLunch.queueEffects.isEmpty)
        #expect(toLunch.transitions.map { [$0.from, $0.to] } == [["break", "lunch"]])
        _ = core.handle(.setStatus(TestCenter.dana, .connected), by: .user(TestCenter.dana), at: TestCenter.at(30))
        // connected → training: both activate skills.
        #expect(core.handle(.setStatus(TestCenter.dana, "training"), by: .user(TestCenter.dana), at: TestCenter.at(40)).queueEffects.isEmpty)
        // The same status again is a no-op: no effect at all.
        #expect(core.handle(.setStatus(TestCenter.dana, "training"), by: .user(TestCenter.dana), at: TestCenter.at(50)).effects.isEmpty)
    }

    @Test func refusesUnknownAndReservedStatuses() {
        var core = loggedIn()
        #expect(core.handle(.setStatus(TestCenter.dana, "brake"), by: .user(TestCenter.dana), at: TestCenter.t0).error == .unknownStatus("brake"))
        #expect(core.handle(.setStatus(TestCenter.dana, .incomingCall), by: .user(TestCenter.dana), at: TestCenter.t0).error?.description.contains("follow the phone") == true)
        #expect(core.handle(.setStatus(TestCenter.dana, .unassigned), by: .user(TestCenter.dana), at: TestCenter.t0).error?.description.contains("log out") == true)
        #expect(core.handle(.setStatus(TestCenter.eli, "break"), by: .user(TestCenter.eli), at: TestCenter.t0).error == .notLoggedIn(TestCenter.eli))
        #expect(core.handle(.setStatus("ghost@example.com", "break"), by: .admin("cli"), at: TestCenter.t0).error == .unknownAgent("ghost@example.com"))
    }

    @Test func anAgentChangesOnlyItselfASupervisorItsAgentsGroupsAreInvisible() {
        var core = loggedIn([(TestCenter.dana, "101"), (TestCenter.eli, "102"), (TestCenter.fay, "103")])
        #expect(core.handle(.setStatus(TestCenter.dana, "break"), by: .user(TestCenter.eli), at: TestCenter.t0).error == .forbidden(actor: .user(TestCenter.eli), agent: TestCenter.dana))
        // Fay is in another group: Dana does not exist for her.
        #expect(core.handle(.setStatus(TestCenter.dana, "break"), by: .user(TestCenter.fay), at: TestCenter.t0).error == .unknownAgent(TestCenter.dana))
        #expect(!core.maySee(TestCenter.dana, by: .user(TestCenter.fay)))
        #expect(core.maySee(TestCenter.dana, by: .user(TestCenter.eli)))
        // The boss supervises Dana but not Fay.
        let bySupervisor = core.handle(.setStatus(TestCenter.dana, "break"), by: .user(TestCenter.boss), at: TestCenter.at(1))
        #expect(bySupervisor.transitions.first?.cause == .supervisor)
        #expect(core.handle(.setStatus(TestCenter.fay, "break"), by: .user(TestCenter.boss), at: TestCenter.t0).error == .unknownAgent(TestCenter.fay))
        let byAdmin = core.handle(.setStatus(TestCenter.fay, "break"), by: .user(TestCenter.root), at: TestCenter.at(2))
        #expect(byAdmin.transitions.first?.cause == .admin)
        // A phone changes only the agent sitting at it.
        #expect(core.handle(.setStatus(TestCenter.eli, "lunch"), by: .phone("101"), at: TestCenter.t0).error != nil)
        #expect(core.handle(.setStatus(TestCenter.eli, "lunch"), by: .phone("102"), at: TestCenter.at(3)).transitions.first?.cause == .phone)
    }

    @Test func aDenyLimitRefusesAndAWarnLimitFlags() {
        var core = loggedIn([(TestCenter.dana, "101"), (TestCenter.eli, "102"), (TestCenter.fay, "103")])
        _ = core.handle(.setStatus(TestCenter.dana, "break"), by: .user(TestCenter.dana), at: TestCenter.at(1))
        _ = core.handle(.setStatus(TestCenter.eli, "break"), by: .user(TestCenter.eli), at: TestCenter.at(2))
        let third = core.handle(.setStatus(TestCenter.fay, "break"), by: .user(TestCenter.fay), at: TestCenter.at(3))
        #expect(third.error == .limitReached("break", limit: 2))
        #expect(third.effects.isEmpty)
        _ = core.handle(.setStatus(TestCenter.dana, "lunch"), by: .user(TestCenter.dana), at: TestCenter.at(4))
        let over = core.handle(.setStatus(TestCenter.fay, "lunch"), by: .user(TestCenter.fay), at: TestCenter.at(5))
        #expect(over.error == nil)
        #expect(over.warnings == ["status lunch is over its limit: 2 agents, limit 1"])
        #expect(over.transitions.first?.note == over.warnings.first)
    }
}
