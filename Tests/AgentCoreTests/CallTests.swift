import Testing
@testable import AgentCore

@Suite struct CallTests {
    func center() -> AgentStateMachine {
        var core = AgentStateMachine(configuration: TestCenter.configuration)
        _ = core.handle(.login(TestCenter.dana, extension: "101"), by: .user(TestCenter.dana), at: TestCenter.t0)
        _ = core.handle(.login(TestCenter.eli, extension: "106"), by: .user(TestCenter.eli), at: TestCenter.t0)
        _ = core.handle(.login(TestCenter.remo, extension: "901"), by: .user(TestCenter.remo), at: TestCenter.t0)
        return core
    }

    @Test func anInboundCallKeepsMembershipThenWrapUpThenBack() {
        var core = center()
        let ring = core.handle(.channelCreated(uniqueID: "1795289200.10", channel: "PJSIP/101-0000002a", state: 0), at: TestCenter.at(10))
        #expect(ring.transitions.map(\.to) == [.incomingCall])
        #expect(ring.transitions.first?.cause == .call)
        #expect(ring.queueEffects.isEmpty)  // a call keeps the membership of the status it interrupted
        #expect(ring.effects.contains(.callStarted(agent: TestCenter.dana, uniqueID: "1795289200.10", channel: "PJSIP/101-0000002a", direction: .incoming, at: TestCenter.at(10))))
        // DialBegin for the same channel adds nothing.
        #expect(core.handle(.dialed(uniqueID: "1795289200.10", channel: "PJSIP/101-0000002a"), at: TestCenter.at(10)).effects.isEmpty)
        let hangup = core.handle(.hangup(uniqueID: "1795289200.10", channel: "PJSIP/101-0000002a"), at: TestCenter.at(70))
        #expect(hangup.transitions.map { [$0.from, $0.to] } == [[.incomingCall, "paperwork"]])
        #expect(hangup.transitions.first?.cause == .hangup)
        #expect(hangup.queueEffects.count == 3)  // paperwork does not activate skills
        // paperwork times out (120 s) back to connected.
        #expect(core.tick(at: TestCenter.at(200)).transitions.map(\.to) == [.connected])
    }

    @Test func anOutboundCallReturnsToTheLastStatus() {
        var core = center()
        _ = core.handle(.setStatus(TestCenter.dana, "lunch"), by: .user(TestCenter.dana), at: TestCenter.at(1))
        let dial = core.handle(.channelCreated(uniqueID: "u1", channel: "PJSIP/101-00000001", state: 4), at: TestCenter.at(5))
        #expect(dial.transitions.map(\.to) == [.outgoingCall])
        let hangup = core.handle(.hangup(uniqueID: "u1", channel: "PJSIP/101-00000001"), at: TestCenter.at(50))
        #expect(hangup.transitions.map(\.to) == ["lunch"])
        #expect(hangup.queueEffects.isEmpty)
    }

    @Test func severalCallsAreCountedAndTheStatusReturnsAfterTheLast() {
        var core = center()
        _ = core.handle(.channelCreated(uniqueID: "a", channel: "PJSIP/101-00000001", state: 4), at: TestCenter.at(1))
        let second = core.handle(.channelCreated(uniqueID: "b", channel: "PJSIP/101-00000002", state: 0), at: TestCenter.at(2))
        #expect(second.transitions.isEmpty)
        #expect(core.handle(.hangup(uniqueID: "a", channel: "PJSIP/101-00000001"), at: TestCenter.at(3)).transitions.isEmpty)
        #expect(core.state(of: TestCenter.dana)?.status == .outgoingCall)
        #expect(core.handle(.hangup(uniqueID: "b", channel: "PJSIP/101-00000002"), at: TestCenter.at(4)).transitions.map(\.to) == [.connected])
    }

    @Test func localChannelsMatchTheirInterfaceAndTheSecondHalfIsIgnored() {
        var core = center()
        #expect(core.handle(.channelCreated(uniqueID: "x2", channel: "Local/106@agents-00000003;2", state: 4), at: TestCenter.at(1)).effects.isEmpty)
        let leg = core.handle(.channelCreated(uniqueID: "x1", channel: "Local/106@agents-00000003;1", state: 0), at: TestCenter.at(1))
        #expect(leg.transitions.map { $0.agent } == [TestCenter.eli])
        // Unknown phones and other extensions' channels do nothing.
        #expect(core.handle(.channelCreated(uniqueID: "z", channel: "PJSIP/1010-00000009", state: 0), at: TestCenter.at(1)).effects.isEmpty)
        #expect(core.handle(.channelCreated(uniqueID: "z", channel: "garbage", state: 0), at: TestCenter.at(1)).effects.isEmpty)
    }

    @Test func agentsOnVirtualExtensionsGetNoCallStatuses() {
        var core = center()
        let outcome = core.handle(.channelCreated(uniqueID: "m1", channel: "Local/+972501234567@ccagentd-remote-00000001;1", state: 0), at: TestCenter.at(1))
        #expect(outcome.effects.isEmpty)
        #expect(core.state(of: TestCenter.remo)?.status == .virtual)
    }

    @Test func aClickToDialIsOutgoingAlthoughThePhoneRingsFirst() {
        var core = center()
        _ = core.handle(.originateStarted(TestCenter.dana), at: TestCenter.at(1))
        let ring = core.handle(.channelCreated(uniqueID: "o1", channel: "PJSIP/101-00000005", state: 0), at: TestCenter.at(1))
        #expect(ring.transitions.map(\.to) == [.outgoingCall])
    }

    @Test func aStatusAskedForDuringACallIsHonouredAtHangup() {
        var core = center()
        _ = core.handle(.channelCreated(uniqueID: "c1", channel: "PJSIP/101-00000001", state: 0), at: TestCenter.at(1))
        let request = core.handle(.setStatus(TestCenter.dana, "break"), by: .user(TestCenter.boss), at: TestCenter.at(2))
        #expect(request.transitions.isEmpty)  // still on the call
        #expect(request.queueEffects.count == 3)  // but no new calls: the membership follows at once
        #expect(core.state(of: TestCenter.dana)?.status == .incomingCall)
        let hangup = core.handle(.hangup(uniqueID: "c1", channel: "PJSIP/101-00000001"), at: TestCenter.at(30))
        // break, not the paperwork wrap-up: a person asked for it.
        #expect(hangup.transitions.map(\.to) == ["break"])
        #expect(hangup.transitions.first?.note?.contains(TestCenter.boss.rawValue) == true)
        #expect(hangup.queueEffects.isEmpty)
    }
}
