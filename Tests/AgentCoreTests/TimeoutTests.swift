import Testing
@testable import AgentCore

@Suite struct TimeoutTests {
    @Test func aTimedStatusMovesOnAtItsDeadlineRecordedAtTheDeadline() {
        var core = AgentStateMachine(configuration: TestCenter.configuration)
        _ = core.handle(.login(TestCenter.dana, extension: "101"), by: .user(TestCenter.dana), at: TestCenter.t0)
        _ = core.handle(.setStatus(TestCenter.dana, "break"), by: .user(TestCenter.dana), at: TestCenter.at(100))
        #expect(core.deadline(of: TestCenter.dana) == TestCenter.at(1000))
        #expect(core.tick(at: TestCenter.at(999)).effects.isEmpty)
        let expired = core.tick(at: TestCenter.at(1003))
        #expect(expired.transitions == [Transition(agent: TestCenter.dana, from: "break", to: .connected, at: TestCenter.at(1000), cause: .timeout, actor: .system)])
        #expect(expired.queueEffects.count == 3)
        #expect(core.deadline(of: TestCenter.dana) == nil)
    }

    @Test func timeoutsChainEachAtItsOwnTime() {
        var core = AgentStateMachine(configuration: TestCenter.configuration)
        _ = core.handle(.login(TestCenter.dana, extension: "101"), by: .user(TestCenter.dana), at: TestCenter.t0)
        _ = core.handle(.setStatus(TestCenter.dana, "wrap"), by: .user(TestCenter.dana), at: TestCenter.at(0))
        // wrap (60 s) → break (900 s) → connected, long overdue (a daemon that was down).
        let outcome = core.tick(at: TestCenter.at(5000))
        #expect(outcome.transitions.map { "\($0.from)→\($0.to)@\($0.at.millisecondsSince1970 - TestCenter.t0.millisecondsSince1970)" }
            == ["wrap→break@60000", "break→connected@960000"])
    }

    @Test func aRestoredAgentKeepsTheDeadlineOfItsRecordedStart() {
        var core = AgentStateMachine(configuration: TestCenter.configuration)
        _ = core.handle(.login(TestCenter.dana, extension: "101"), by: .user(TestCenter.dana), at: TestCenter.t0)
        _ = core.handle(.setStatus(TestCenter.dana, "break"), by: .user(TestCenter.dana), at: TestCenter.at(100))
        let saved = [core.state(of: TestCenter.dana)].compactMap { $0 }
        var restarted = AgentStateMachine(configuration: TestCenter.configuration, restoring: saved)
        #expect(restarted.deadline(of: TestCenter.dana) == TestCenter.at(1000))
        let fired = restarted.tick(at: TestCenter.at(2000))
        #expect(fired.transitions.first?.at == TestCenter.at(1000))
    }
}
