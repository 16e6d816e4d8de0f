import AMI
import AMISimulator
import Testing
import TestSupport

extension SimulatorTests {
@Suite struct CallTests {
    static let flowEvents: Set<String> = [
        "Newchannel", "QueueCallerJoin", "AgentCalled", "DialBegin", "DialEnd", "QueueCallerLeave", "AgentConnect",
        "AgentComplete", "BridgeCreate",
    ]

    /// An inbound call rung to a member who answers; the caller hangs up first (transcript 06).
    @Test func inboundQueueCallFollowsTranscript06() throws {
        let live = try LiveSimulator()
        let client = try live.loggedIn()
        live.simulator.addMember(
            queue: "sales", interface: "Local/101@agents/n", name: "Agent 101", stateInterface: "Custom:agent101")
        _ = client.event("QueueMemberAdded")
        let caller = try #require(
            live.simulator.inboundCall(queue: "sales", callerIDNum: "0201234567", hangupAfter: .milliseconds(250)))
        let events = try #require(client.collect { $0.name == "Hangup" && $0["Channel"]?.hasSuffix(";2") == true && $0["Context"] == "agents" })
        let recorded = try Transcript.messages("06-inbound-call-queue", sent: false)
        let names = { (messages: [AMIMessage]) in messages.compactMap { $0.kind == .event ? $0.name : nil }.filter { Self.flowEvents.contains($0) } }
        #expect(names(events) == names(recorded))
        let complete = try #require(events.first { $0.name == "AgentComplete" })
        #expect(complete["Reason"] == "caller")
        #expect(complete["Channel"] == caller)
        let recordedComplete = try #require(recorded.first { $0.name == "AgentComplete" })
        #expect(complete.headers.map(\.key) == recordedComplete.headers.map(\.key))
        let connect = try #require(events.first { $0.name == "AgentConnect" })
        let recordedConnect = try #require(recorded.first { $0.name == "AgentConnect" })
        #expect(connect.headers.map(\.key) == recordedConnect.headers.map(\.key))
        // The agent leg: Local/101@agents-XXXXXXXX;1, created Down, then Ringing, then Up.
        let leg = try #require(events.first { $0.name == "DialBegin" && $0["Channel"] == caller }?["DestChannel"])
        #expect(leg.hasPrefix("Local/101@agents-") && leg.hasSuffix(";1"))
        let states = events.filter { $0["Channel"] == leg && ($0.name == "Newchannel" || $0.name == "Newstate") }.map { $0["ChannelState"] ?? "" }
        #expect(states == ["0", "5", "6"])
        let statuses = events.filter { $0.name == "QueueMemberStatus" }.map { $0["Status"] ?? "" }
        #expect(statuses == ["6", "2", "1"])
        #expect(eventually { live.simulator.channels().isEmpty })
        #expect(live.simulator.members(of: "sales").first?.callsTaken == 1)
    }

    /// What a phone's channel goes through, by driver: PJSIP makes a placed call in Ring; chan_sip
    /// makes it Down and DAHDI's analog lines Reserved, then Ring. Towards the phone: Down
    /// (Reserved on DAHDI), then Ringing.
    @Test(arguments: [("PJSIP/101", ["4"], ["0", "5"]), ("SIP/101", ["0", "4"], ["0", "5"]), ("DAHDI/1", ["1", "4"], ["1", "5"])])
    func phoneChannelsStartAsTheirDriverMakesThem(interface: String, placed: [String], rung: [String]) throws {
        let live = try LiveSimulator()
        let client = try live.loggedIn()
        let out = try #require(live.simulator.phoneDialsOut(interface: interface, number: "0501234567"))
        #expect(out.hasPrefix(interface + "-"))
        let outEvents = try #require(client.collect { $0.name == "Newstate" && $0["Channel"] == out && $0["ChannelState"] == "4" || $0.name == "DialBegin" })
        let outStates = outEvents.filter { $0["Channel"] == out && ($0.name == "Newchannel" || $0.name == "Newstate") }.map { $0["ChannelState"] ?? "" }
        #expect(outStates.prefix(placed.count) == placed[...])
        let into = try #require(live.simulator.callPhone(interface: interface))
        let inEvents = try #require(client.collect { $0.name == "Newstate" && $0["Channel"] == into && $0["ChannelState"] == "5" })
        let inStates = inEvents.filter { $0["Channel"] == into && ($0.name == "Newchannel" || $0.name == "Newstate") }.map { $0["ChannelState"] ?? "" }
        #expect(inStates == rung)
        #expect(inEvents.contains { $0.name == "DialBegin" && $0["DestChannel"] == into })
    }

    @Test func agentHangsUpFirstGivesReasonAgent() throws {
        let live = try LiveSimulator()
        let client = try live.loggedIn()
        live.simulator.addMember(queue: "sales", interface: "PJSIP/102", name: "Agent 102")
        _ = client.event("QueueMemberAdded")
        live.simulator.inboundCall(queue: "sales")
        let complete = try #require(client.event("AgentComplete"))
        #expect(complete["Reason"] == "agent")
        #expect(complete["DestChannel"]?.hasPrefix("PJSIP/102-") == true)
    }

    @Test func memberWhoDoesNotAnswerGetsRingNoAnswerAndTheNextIsTried() throws {
        let live = try LiveSimulator()
        let client = try live.loggedIn()
        live.simulator.setAnswers("Local/109@agents/n", false)
        live.simulator.addMember(queue: "sales", interface: "Local/109@agents/n", name: "Agent 109")
        live.simulator.addMember(queue: "sales", interface: "Local/110@agents/n", name: "Agent 110")
        live.simulator.inboundCall(queue: "sales")
        let events = try #require(client.collect { $0.name == "AgentConnect" })
        let noAnswer = try #require(events.first { $0.name == "AgentRingNoAnswer" })
        #expect(noAnswer["Interface"] == "Local/109@agents/n")
        #expect(Int(noAnswer["RingTime"] ?? "") ?? 0 >= 200)  // milliseconds
        #expect(events.contains { $0.name == "DialEnd" && $0["DialStatus"] == "NOANSWER" })
        #expect(events.last?["Interface"] == "Local/110@agents/n")
    }

    @Test func phoneDiallingOutAppearsInStateRing() throws {
        let live = try LiveSimulator()
        let client = try live.loggedIn()
        live.simulator.addMember(queue: "sales", interface: "PJSIP/101", name: "Agent 101")
        _ = client.event("QueueMemberAdded")
        let phone = try #require(live.simulator.phoneDialsOut(interface: "PJSIP/101", number: "0201234567"))
        #expect(phone.hasPrefix("PJSIP/101-"))
        let events = try #require(client.collect { $0.name == "Hangup" && $0["Channel"] == phone })
        let created = try #require(events.first { $0.name == "Newchannel" && $0["Channel"] == phone })
        #expect(created["ChannelState"] == "4")
        #expect(created["ChannelStateDesc"] == "Ring")
        #expect(!events.contains { $0.name == "DialBegin" && $0["DestChannel"] == phone })
        let dial = try #require(events.first { $0.name == "DialBegin" })
        #expect(dial["Channel"] == phone)
        #expect(dial["DestChannel"]?.hasPrefix("Local/0201234567@pstn-") == true)
        #expect(events.contains { $0.name == "QueueMemberStatus" && $0["Status"] == "2" })
    }

    @Test func callToAPhoneOutsideAnyQueue() throws {
        let live = try LiveSimulator()
        let client = try live.loggedIn()
        let phone = try #require(live.simulator.callPhone(interface: "PJSIP/101"))
        let events = try #require(client.collect { $0.name == "Hangup" && $0["Channel"] == phone })
        let states = events.filter { $0["Channel"] == phone && ($0.name == "Newchannel" || $0.name == "Newstate") }.map { $0["ChannelState"] ?? "" }
        #expect(states == ["0", "5", "6"])
        #expect(events.contains { $0.name == "DialBegin" && $0["DestChannel"] == phone })
        #expect(!events.contains { $0.name.map { $0.hasPrefix("Queue") || $0.hasPrefix("Agent") } ?? false })
    }

    @Test func coreShowChannelsDuringACall() throws {
        let live = try LiveSimulator { $0.timings.talkTime = .seconds(5) }
        let client = try live.loggedIn()
        live.simulator.addMember(queue: "sales", interface: "Local/101@agents/n", name: "Agent 101")
        live.simulator.inboundCall(queue: "sales")
        _ = client.event("AgentConnect")
        client.send(action: "CoreShowChannels", id: "csc-1")
        let list = try #require(client.collect { $0.name == "CoreShowChannelsComplete" })
        let items = list.filter { $0.name == "CoreShowChannel" }
        #expect(items.count == 4)
        #expect(list.last?["ListItems"] == "4")
        let recorded = try Transcript.messages("08-coreshowchannels-live-call", sent: false)
        let recordedItem = try #require(recorded.first { $0.name == "CoreShowChannel" })
        #expect(items.first?.headers.map(\.key) == recordedItem.headers.map(\.key))
        #expect(items.first?.headers[1].key == "ActionID")
        let bridged = items.filter { !($0["BridgeId"] ?? "").isEmpty }
        #expect(bridged.count == 2)
        // Hangup of the caller, then an empty list.
        let caller = try #require(items.first { $0["Application"] == "Queue" }?["Channel"])
        client.send(action: "Hangup", id: "h", [("Channel", caller)])
        #expect(client.response("h")?["Message"] == "Channel Hungup")
        _ = client.event("AgentComplete")
        #expect(eventually { live.simulator.channels().isEmpty })
        client.send(action: "CoreShowChannels", id: "csc-empty")
        let empty = try #require(client.collect { $0.name == "CoreShowChannelsComplete" })
        #expect(empty.last?["ListItems"] == "0")
        client.send(action: "Hangup", id: "hangup-nochan", [("Channel", "Local/nope@nowhere-00000000;1")])
        #expect(client.response("hangup-nochan")?["Message"] == "No such channel")
    }

    @Test func originateAsyncAndSync() throws {
        let live = try LiveSimulator()
        let client = try live.loggedIn()
        client.send(action: "Originate", id: "orig-async-ok", [
            ("Channel", "Local/101@agents/n"), ("Application", "Wait"), ("Data", "0"), ("CallerID", "\"CCD Test\" <100>"),
            ("Async", "true"), ("Timeout", "20000"),
        ])
        let asyncEvents = try #require(client.collect { $0.name == "OriginateResponse" })
        #expect(asyncEvents.first { $0.kind == .response }?["Message"] == "Originate successfully queued")
        let response = try #require(asyncEvents.last)
        #expect(response["Response"] == "Success")
        #expect(response["Reason"] == "4")
        #expect(response.headers[2].key == "ActionID")
        let recorded = try Transcript.messages("12-originate", sent: false)
        let recordedOK = try #require(recorded.first { $0.name == "OriginateResponse" && $0.actionID == "orig-async-ok" })
        #expect(response.headers.map(\.key) == recordedOK.headers.map(\.key))

        client.send(action: "Originate", id: "orig-async-fail", [
            ("Channel", "Local/999@nowhere"), ("Application", "Wait"), ("Data", "2"), ("Async", "true"),
        ])
        let failed = try #require(client.collect { $0.name == "OriginateResponse" }?.last)
        #expect(failed["Response"] == "Failure")
        #expect(failed["Reason"] == "0")
        #expect(failed["Uniqueid"] == "<unknown>")

        live.simulator.setAnswers("Local/109@agents/n", false)
        client.send(action: "Originate", id: "orig-async-noanswer", [
            ("Channel", "Local/109@agents/n"), ("Context", "outbound"), ("Exten", "0201234567"), ("Priority", "1"),
            ("Async", "true"), ("Timeout", "200"),
        ])
        let noAnswer = try #require(client.collect { $0.name == "OriginateResponse" }?.last)
        #expect(noAnswer["Reason"] == "3")

        // Synchronous: the response waits for the answer, and the call's events come after it.
        let start = ContinuousClock.now
        client.send(action: "Originate", id: "orig-sync-ok", [
            ("Channel", "Local/101@agents/n"), ("Application", "Wait"), ("Data", "0"), ("Timeout", "20000"),
        ])
        let sync = try #require(client.collect { $0.kind == .response || $0.name == "Newchannel" })
        #expect(sync.last?.actionID == "orig-sync-ok")
        #expect(sync.last?["Message"] == "Originate successfully queued")
        #expect(start.duration(to: .now) >= .milliseconds(50))
        #expect(client.event("Newchannel") != nil)

        client.send(action: "Originate", id: "orig-sync-fail", [("Channel", "Local/999@nowhere"), ("Application", "Wait")])
        #expect(client.response("orig-sync-fail")?["Message"] == "Originate failed")
        client.send(action: "Originate", id: "orig-missing-channel", [("Application", "Wait")])
        #expect(client.response("orig-missing-channel")?["Message"] == "Channel not specified")
    }

    @Test func originateToAnInboundNumberQueuesTheCaller() throws {
        let live = try LiveSimulator()
        let client = try live.loggedIn()
        client.send(action: "Originate", id: "orig-inbound", [
            ("Channel", "Local/5001@inbound"), ("Application", "Wait"), ("Data", "60"),
            ("CallerID", "\"Jan Jansen\" <0201234567>"), ("Async", "true"),
        ])
        let join = try #require(client.event("QueueCallerJoin"))
        #expect(join["Queue"] == "support-private")
        #expect(join["CallerIDNum"] == "0201234567")
        #expect(join["Channel"]?.hasPrefix("Local/5001@inbound-") == true)
    }

    @Test func redirectReplies() throws {
        let live = try LiveSimulator()
        let client = try live.loggedIn()
        let caller = try #require(live.simulator.inboundCall(queue: "support-private"))
        client.send(action: "Redirect", id: "r", [("Channel", caller), ("Context", "inbound"), ("Exten", "5000"), ("Priority", "1")])
        #expect(client.response("r")?["Message"] == "Redirect successful")
        let join = try #require(client.collect { $0.name == "QueueCallerJoin" && $0["Queue"] == "sales" })
        #expect(!join.isEmpty)
        client.send(action: "Redirect", id: "redirect-nochan", [("Channel", "Local/nope@nowhere-00000000;1"), ("Context", "inbound"), ("Exten", "5001")])
        #expect(client.response("redirect-nochan")?["Message"] == "Channel does not exist: Local/nope@nowhere-00000000;1")
    }
}
}
