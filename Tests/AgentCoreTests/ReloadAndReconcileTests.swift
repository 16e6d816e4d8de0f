import Testing
@testable import AgentCore

@Suite struct ReloadTests {
    func center() -> AgentStateMachine {
        var core = AgentStateMachine(configuration: TestCenter.configuration)
        _ = core.handle(.login(TestCenter.dana, extension: "101"), by: .user(TestCenter.dana), at: TestCenter.t0)
        _ = core.handle(.login(TestCenter.eli, extension: "102"), by: .user(TestCenter.eli), at: TestCenter.t0)
        return core
    }

    @Test func anUnchangedConfigurationChangesNothing() {
        var core = center()
        #expect(core.reload(TestCenter.configuration, at: TestCenter.at(1)).effects.isEmpty)
    }

    @Test func aPenaltyChangeSendsOnlyQueuePenalty() {
        var core = center()
        var new = TestCenter.configuration
        new.users[TestCenter.eli]?.skills = [SkillAssignment(skill: "support", penalty: 5)]
        #expect(core.reload(new, at: TestCenter.at(1)).effects == [
            .queuePenalty(queue: "support-business", interface: "PJSIP/102", penalty: 5),
            .queuePenalty(queue: "support-private", interface: "PJSIP/102", penalty: 5),
        ])
    }

    @Test func aSkillWithANewQueueAddsOnlyThatQueue() {
        var core = center()
        var new = TestCenter.configuration
        new.skills["sales"]?.queues.append("sales-vip")
        let outcome = core.reload(new, at: TestCenter.at(1))
        #expect(outcome.effects == [add("sales-vip", "PJSIP/101", 0, "Dana Levi", state: "PJSIP/101")])
    }

    @Test func aRemovedUserIsLoggedOutWithAReason() {
        var core = center()
        var new = TestCenter.configuration
        new.users[TestCenter.eli] = nil
        let outcome = core.reload(new, at: TestCenter.at(1))
        #expect(outcome.transitions == [Transition(agent: TestCenter.eli, from: .connected, to: .unassigned, at: TestCenter.at(1), cause: .reload, actor: .system, note: "user eli@example.com was removed")])
        #expect(outcome.queueEffects.count == 2)
        #expect(core.state(of: TestCenter.eli) == nil)
    }

    @Test func aRemovedStatusMovesTheAgentToTheLoginStatus() {
        var core = center()
        _ = core.handle(.setStatus(TestCenter.dana, "lunch"), by: .user(TestCenter.dana), at: TestCenter.at(1))
        var new = TestCenter.configuration
        new.statuses["lunch"] = nil
        let outcome = core.reload(new, at: TestCenter.at(2))
        #expect(outcome.transitions.map { [$0.from, $0.to] } == [["lunch", .connected]])
        #expect(outcome.transitions.first?.cause == .reload)
        #expect(outcome.queueEffects.count == 3)
    }

    @Test func aNewPhoneInterfaceMovesTheMembership() {
        var core = center()
        var new = TestCenter.configuration
        new.extensions["102"]?.interface = "PJSIP/102b"
        let outcome = core.reload(new, at: TestCenter.at(1))
        #expect(outcome.queueEffects == [
            .queueRemove(queue: "support-business", interface: "PJSIP/102"), .queueRemove(queue: "support-private", interface: "PJSIP/102"),
            add("support-business", "PJSIP/102b", 1, "Eli Cohen", state: "PJSIP/102b"), add("support-private", "PJSIP/102b", 1, "Eli Cohen", state: "PJSIP/102b"),
        ])
        // Calls on the new phone are now Eli's.
        #expect(core.handle(.channelCreated(uniqueID: "n", channel: "PJSIP/102b-00000001", state: 4), at: TestCenter.at(2)).transitions.count == 1)
    }

    @Test func aLongerTimeoutMovesTheDeadline() {
        var core = center()
        _ = core.handle(.setStatus(TestCenter.dana, "break"), by: .user(TestCenter.dana), at: TestCenter.at(0))
        var new = TestCenter.configuration
        new.statuses["break"]?.timeout = .seconds(1800)
        _ = core.reload(new, at: TestCenter.at(10))
        #expect(core.deadline(of: TestCenter.dana) == TestCenter.at(1800))
    }
}

@Suite struct ReconcileTests {
    @Test func convergesMembersAndNeverTouchesStaticOrForeignOnes() {
        var core = AgentStateMachine(configuration: TestCenter.configuration)
        _ = core.handle(.login(TestCenter.dana, extension: "101"), by: .user(TestCenter.dana), at: TestCenter.t0)
        let snapshot = AsteriskSnapshot(
            members: [
                .init(queue: "sales", interface: "PJSIP/101", penalty: 4, isDynamic: true),  // wrong penalty
                .init(queue: "support-business", interface: "PJSIP/103", penalty: 0, isDynamic: true),  // stale, ours
                .init(queue: "support-business", interface: "Local/199@agents/n", penalty: 0, isDynamic: false),  // static
                .init(queue: "sales", interface: "PJSIP/777", penalty: 0, isDynamic: true),  // another system's
                .init(queue: "sales", interface: "PJSIP/102", penalty: 0, isDynamic: false),  // static on our phone
            ],
            channels: [], queues: ["sales", "support-private", "support-business"])
        let outcome = core.reconcile(with: snapshot, at: TestCenter.at(1))
        #expect(outcome.effects == [
            .queuePenalty(queue: "sales", interface: "PJSIP/101", penalty: 0),
            add("support-business", "PJSIP/101", 2, "Dana Levi", state: "PJSIP/101"),
            add("support-private", "PJSIP/101", 2, "Dana Levi", state: "PJSIP/101"),
            .queueRemove(queue: "support-business", interface: "PJSIP/103"),
        ])
    }

    @Test func restoresCallStatusesAndEndsCallsThatAreGone() {
        var core = AgentStateMachine(configuration: TestCenter.configuration)
        _ = core.handle(.login(TestCenter.dana, extension: "101"), by: .user(TestCenter.dana), at: TestCenter.t0)
        _ = core.handle(.login(TestCenter.eli, extension: "102"), by: .user(TestCenter.eli), at: TestCenter.t0)
        _ = core.handle(.channelCreated(uniqueID: "old", channel: "PJSIP/102-00000001", state: 4), at: TestCenter.at(1))
        let snapshot = AsteriskSnapshot(
            members: [], channels: [.init(uniqueID: "live", channel: "PJSIP/101-00000007", isIncoming: true)], queues: [])
        let outcome = core.reconcile(with: snapshot, at: TestCenter.at(5))
        let moves = outcome.transitions.map { "\($0.agent.rawValue.split(separator: "@")[0]) \($0.from)→\($0.to) \($0.cause)" }
        #expect(moves == ["dana connected→incoming_call reconcile", "eli outgoing_call→connected reconcile"])
    }
}
