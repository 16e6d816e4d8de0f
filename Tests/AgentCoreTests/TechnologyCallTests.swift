import Testing
@testable import AgentCore

/// Calls on phones of every channel driver, with the channel names and states Asterisk gives them:
/// chan_sip (`SIP/107-0000000a`, made Down then Ring when the phone dials), IAX2 (`IAX2/108-1234`,
/// made in Ring), DAHDI analog (`DAHDI/1-1`, made Reserved, or Ring with `immediate = yes`).
@Suite struct TechnologyCallTests {
    static let sip: AgentID = TestCenter.dana
    static let iax: AgentID = TestCenter.eli
    static let dahdi: AgentID = TestCenter.fay

    /// Dana at a chan_sip phone, Eli at an IAX2 one, Fay at an analog DAHDI line.
    func center(sipInterface: Interface = "SIP/107") -> AgentStateMachine {
        var configuration = TestCenter.configuration
        configuration.extensions["107"] = ExtensionDefinition(id: "107", interface: sipInterface)
        configuration.extensions["108"] = ExtensionDefinition(id: "108", interface: "IAX2/108", stateInterface: "Custom:agent108")
        configuration.extensions["109"] = ExtensionDefinition(id: "109", interface: "DAHDI/1", stateInterface: "hint:109@ext-local")
        for (agent, ext) in [(Self.sip, "107"), (Self.iax, "108"), (Self.dahdi, "109")] {
            configuration.users[agent]?.extensions.append(ExtensionID(ext))
        }
        var core = AgentStateMachine(configuration: configuration)
        for (agent, ext) in [(Self.sip, "107"), (Self.iax, "108"), (Self.dahdi, "109")] {
            let login = core.handle(.login(agent, extension: ExtensionID(ext)), by: .user(agent), at: TestCenter.t0)
            #expect(login.error == nil, "\(agent) at \(ext)")
        }
        return core
    }

    func status(_ core: AgentStateMachine, _ agent: AgentID) -> StatusID? { core.state(of: agent)?.status }

    // MARK: Incoming: Asterisk makes the channel towards the phone and dials it

    @Test(arguments: [
        (sip, "SIP/107-0000000a", 0), (iax, "IAX2/108-1234", 0), (dahdi, "DAHDI/1-1", 1),
    ])
    func aQueueCallToThePhoneIsIncoming(agent: AgentID, channel: String, createdIn state: Int) {
        var core = center()
        let created = core.handle(.channelCreated(uniqueID: "in1", channel: channel, state: state), at: TestCenter.at(1))
        let dialed = core.handle(.dialed(uniqueID: "in1", channel: channel), at: TestCenter.at(1))
        // Whichever of the two decided, the call is incoming, started once, and keeps the queues.
        let started = (created.effects + dialed.effects).filter { if case .callStarted = $0 { true } else { false } }
        #expect(started == [.callStarted(agent: agent, uniqueID: "in1", channel: channel, direction: .incoming, at: TestCenter.at(1))])
        #expect((created.transitions + dialed.transitions).map(\.to) == [.incomingCall])
        #expect((created.queueEffects + dialed.queueEffects).isEmpty)
        let hangup = core.handle(.hangup(uniqueID: "in1", channel: channel), at: TestCenter.at(30))
        #expect(hangup.transitions.map { [$0.from, $0.to] } == [[.incomingCall, "paperwork"]])
        #expect(hangup.effects.contains(.callEnded(agent: agent, uniqueID: "in1", at: TestCenter.at(30))))
    }

    @Test func chanSipAndDahdiWaitForTheDialBeginWhilePJSIPAndIAX2DoNot() {
        var core = center()
        #expect(core.handle(.channelCreated(uniqueID: "s", channel: "SIP/107-0000000a", state: 0), at: TestCenter.at(1)).effects.isEmpty)
        #expect(core.handle(.channelCreated(uniqueID: "d", channel: "DAHDI/1-1", state: 1), at: TestCenter.at(1)).effects.isEmpty)
        #expect(status(core, Self.sip) == .connected)
        #expect(status(core, Self.dahdi) == .connected)
        let iax = core.handle(.channelCreated(uniqueID: "i", channel: "IAX2/108-1234", state: 0), at: TestCenter.at(1))
        #expect(iax.transitions.map(\.to) == [.incomingCall])
    }

    // MARK: Outgoing: the phone dials

    @Test func aChanSipPhoneDiallingIsOutgoingOnceItsChannelRings() {
        var core = center()
        #expect(core.handle(.channelCreated(uniqueID: "o1", channel: "SIP/107-0000000b", state: 0), at: TestCenter.at(1)).effects.isEmpty)
        let ring = core.handle(.placed(uniqueID: "o1", channel: "SIP/107-0000000b"), at: TestCenter.at(2))
        #expect(ring.transitions.map { [$0.from, $0.to] } == [[.connected, .outgoingCall]])
        #expect(ring.effects.contains(.callStarted(agent: Self.sip, uniqueID: "o1", channel: "SIP/107-0000000b", direction: .outgoing, at: TestCenter.at(2))))
        // A second Ring of the same channel adds nothing.
        #expect(core.handle(.placed(uniqueID: "o1", channel: "SIP/107-0000000b"), at: TestCenter.at(3)).effects.isEmpty)
        let hangup = core.handle(.hangup(uniqueID: "o1", channel: "SIP/107-0000000b"), at: TestCenter.at(40))
        #expect(hangup.transitions.map { [$0.from, $0.to] } == [[.outgoingCall, .connected]])
    }

    @Test func anIAX2PhoneDiallingIsOutgoingAtOnce() {
        var core = center()
        let dial = core.handle(.channelCreated(uniqueID: "o2", channel: "IAX2/108-4321", state: 4), at: TestCenter.at(1))
        #expect(dial.transitions.map(\.to) == [.outgoingCall])
        #expect(core.handle(.hangup(uniqueID: "o2", channel: "IAX2/108-4321"), at: TestCenter.at(9)).transitions.map(\.to) == [.connected])
    }

    @Test(arguments: [(1, true), (4, false)])
    func anAnalogPhoneGoingOffHookIsOutgoing(createdIn state: Int, waits: Bool) {
        var core = center()
        let created = core.handle(.channelCreated(uniqueID: "o3", channel: "DAHDI/1-1", state: state), at: TestCenter.at(1))
        #expect(created.transitions.isEmpty == waits)
        if waits {
            #expect(core.handle(.placed(uniqueID: "o3", channel: "DAHDI/1-1"), at: TestCenter.at(4)).transitions.map(\.to) == [.outgoingCall])
        }
        #expect(status(core, Self.dahdi) == .outgoingCall)
        #expect(core.handle(.hangup(uniqueID: "o3", channel: "DAHDI/1-1"), at: TestCenter.at(20)).transitions.map(\.to) == [.connected])
    }

    @Test func aClickToDialOnAChanSipPhoneIsOutgoingAlthoughItRingsFirst() {
        var core = center()
        _ = core.handle(.originateStarted(Self.sip), at: TestCenter.at(1))
        let ring = core.handle(.channelCreated(uniqueID: "c1", channel: "SIP/107-0000000c", state: 0), at: TestCenter.at(1))
        #expect(ring.transitions.map(\.to) == [.outgoingCall])
    }

    // MARK: Channels that end undecided

    @Test func aChannelHungUpBeforeItWasDecidedLeavesNothing() {
        var core = center()
        _ = core.handle(.channelCreated(uniqueID: "x", channel: "SIP/107-0000000d", state: 0), at: TestCenter.at(1))
        #expect(core.handle(.hangup(uniqueID: "x", channel: "SIP/107-0000000d"), at: TestCenter.at(2)).effects.isEmpty)
        #expect(core.undecidedChannels.isEmpty)
        #expect(core.handle(.placed(uniqueID: "x", channel: "SIP/107-0000000d"), at: TestCenter.at(3)).effects.isEmpty)
        #expect(status(core, Self.sip) == .connected)
    }

    @Test func aReconcileDecidesFromTheLiveChannels() {
        var core = center()
        _ = core.handle(.channelCreated(uniqueID: "gone", channel: "SIP/107-0000000e", state: 0), at: TestCenter.at(1))
        _ = core.handle(.channelCreated(uniqueID: "live", channel: "DAHDI/1-2", state: 1), at: TestCenter.at(1))
        let members = [Self.sip, Self.iax, Self.dahdi].flatMap { agent in
            core.state(of: agent).map { core.desiredMembers(for: $0) } ?? []
        }.map { AsteriskSnapshot.Member(queue: $0.queue, interface: $0.interface, penalty: $0.penalty, isDynamic: true) }
        let snapshot = AsteriskSnapshot(
            members: members, channels: [AsteriskSnapshot.Channel(uniqueID: "live", channel: "DAHDI/1-2", isIncoming: false)], queues: [])
        let outcome = core.reconcile(with: snapshot, at: TestCenter.at(5))
        #expect(outcome.transitions.map { [$0.agent.rawValue, $0.to.rawValue] } == [[Self.dahdi.rawValue, "outgoing_call"]])
        #expect(core.undecidedChannels.isEmpty)
        #expect(core.handle(.placed(uniqueID: "gone", channel: "SIP/107-0000000e"), at: TestCenter.at(6)).effects.isEmpty)
    }

    @Test func anAgentWhoLeftWhileItsChannelWaitedGetsNoCall() {
        var core = center()
        _ = core.handle(.channelCreated(uniqueID: "w", channel: "SIP/107-0000000f", state: 0), at: TestCenter.at(1))
        _ = core.handle(.logout(Self.sip), by: .user(Self.sip), at: TestCenter.at(2))
        #expect(core.handle(.placed(uniqueID: "w", channel: "SIP/107-0000000f"), at: TestCenter.at(3)).effects.isEmpty)
    }

    // MARK: Names

    @Test(arguments: [
        "SIP/1070-0000000a", "SIP/10-0000000a", "IAX2/1080-1234", "IAX2/10-1", "DAHDI/10-1", "DAHDI/i1/107-a", "PJSIP/107-00000001",
        "Local/107@from-queue-00000001;1", "SIP/107", "garbage",
    ])
    func otherPhonesChannelsAreNotTheAgents(channel: String) {
        var core = center()
        for state in [0, 1, 4] {
            #expect(core.handle(.channelCreated(uniqueID: "n\(state)", channel: channel, state: state), at: TestCenter.at(1)).effects.isEmpty)
        }
        #expect(core.handle(.placed(uniqueID: "n0", channel: channel), at: TestCenter.at(1)).effects.isEmpty)
        #expect(core.undecidedChannels.isEmpty)
    }

    @Test func theTechnologyMatchesInAnyCaseAsAsteriskFindsItsDriver() {
        var core = center(sipInterface: "sip/107")
        _ = core.handle(.channelCreated(uniqueID: "l1", channel: "SIP/107-00000010", state: 0), at: TestCenter.at(1))
        #expect(core.handle(.dialed(uniqueID: "l1", channel: "SIP/107-00000010"), at: TestCenter.at(1)).transitions.map(\.to) == [.incomingCall])
    }

    @Test(arguments: [
        ("PJSIP/101", "PJSIP/101"), ("SIP/agent-1", "SIP/agent-1"), ("IAX2/108", "IAX2/108"), ("DAHDI/1", "DAHDI/1"),
        ("Local/101@from-queue/n", "Local/101@from-queue"), ("local/101@agents/n", "Local/101@agents"), ("Local/101@agents", "Local/101@agents"),
        ("pjsip/101", "PJSIP/101"), ("iax2/108", "IAX2/108"), ("Dahdi/2", "DAHDI/2"), ("PJSIP/101/sip:101@192.0.2.10:5060", "PJSIP/101"),
        ("Skinny/phone1", "Skinny/phone1"),
    ])
    func channelBaseOfAnInterface(interface: String, base: String) {
        #expect(AgentStateMachine.channelBase(of: Interface(interface)) == base)
    }

    @Test(arguments: [
        ("SIP/101-0000000a", "SIP/101"), ("SIP/agent-1-0000000a", "SIP/agent-1"), ("IAX2/101-1234", "IAX2/101"), ("DAHDI/1-1", "DAHDI/1"),
        ("DAHDI/12-3", "DAHDI/12"),
    ])
    func channelBaseOfAChannel(channel: String, base: String) {
        #expect(AgentStateMachine.channelBase(ofChannel: channel) == base)
    }

    @Test(arguments: [("SIP/101-0000000a", true), ("DAHDI/1-1", true), ("PJSIP/101-00000001", false), ("IAX2/101-1234", false),
                      ("Local/101@agents-00000001;1", false), ("SIPX/1-1", false)])
    func whichDriversWaitForRing(channel: String, waits: Bool) {
        #expect(AgentStateMachine.waitsForRing(channel) == waits)
    }
}
