import AMI
import AMISimulator
import Testing
import TestSupport

/// Transcripts replayed action by action: the same responses for the same ActionIDs.
extension SimulatorTests {
@Suite struct ReplayTests {
    private func replay(_ name: String, on live: LiveSimulator) throws -> [AMIMessage] {
        let client = try live.client()
        var replies: [AMIMessage] = []
        for action in try Transcript.messages(name, sent: true) {
            client.send(action.headers.map { ($0.key, $0.value) })
            while let message = client.next(timeout: .milliseconds(100)) { replies.append(message) }
        }
        return replies
    }

    @Test func astdbMatchesTranscript09() throws {
        let live = try LiveSimulator()
        let replies = try replay("09-astdb-followme", on: live)
        let recorded = try Transcript.messages("09-astdb-followme", sent: false)
        let shape = { (m: AMIMessage) in m.headers.map { "\($0.key)=\($0.value)" } }
        let skip: Set<String> = ["FullyBooted", "SuccessfulAuth"]
        #expect(replies.filter { !skip.contains($0.name ?? "") }.map(shape) == recorded.filter { !skip.contains($0.name ?? "") }.map(shape))
    }

    @Test func eventMasksMatchTranscript14() throws {
        let live = try LiveSimulator()
        let replies = try replay("14-events-onoff-filter", on: live)
        let recorded = try Transcript.messages("14-events-onoff-filter", sent: false)
        let expected = Transcript.responses(recorded)
        let got = Transcript.responses(replies)
        for (id, value) in expected {
            #expect(got[id]?.0 == value.0, "\(id)")
            #expect(got[id]?.1 == value.1, "\(id)")
        }
        let eventsField = { (messages: [AMIMessage]) in messages.compactMap { $0["Events"] } }
        #expect(eventsField(replies) == eventsField(recorded))
        let sequence = { (messages: [AMIMessage]) in
            messages.filter { $0.name != "DeviceStateChange" }.map { $0.kind == .response ? "R:\($0.actionID ?? "")" : "E:\($0.name ?? "")" }
        }
        #expect(sequence(replies) == sequence(recorded))
        // With the mask `agent`, no call-class DeviceStateChange arrives.
        let start = try #require(replies.firstIndex { $0.actionID == "events-agent-only" })
        let end = try #require(replies.firstIndex { $0.actionID == "events-bad" })
        #expect(!replies[start..<end].contains { $0.name == "DeviceStateChange" })
    }

    @Test func loginEventsHeaderOffSuppressesFullyBooted() throws {
        let live = try LiveSimulator()
        let client = try live.client()
        client.login(events: "off")
        client.send(action: "Ping", id: "p")
        let messages = try #require(client.collect { $0.actionID == "p" })
        #expect(!messages.contains { $0.kind == .event })
        let other = try live.client()
        other.login(events: "system,call,agent,user")
        #expect(other.event("FullyBooted") != nil)
    }

    @Test func commandQueueShowAndCoreShowChannels() throws {
        let live = try LiveSimulator()
        let client = try live.loggedIn()
        client.send(action: "QueueAdd", id: "a", [
            ("Queue", "sales"), ("Interface", "Local/102@agents/n"), ("MemberName", "Agent 102"),
            ("StateInterface", "Custom:agent102"), ("Paused", "true"), ("Reason", "Break"),
        ])
        _ = client.response("a")
        client.send(action: "Command", id: "q", [("Command", "queue show sales")])
        let output = try #require(client.response("q")).values("Output")
        #expect(output.first == "sales has 0 calls (max unlimited) in 'rrmemory' strategy (0s holdtime, 0s talktime), W:0, C:0, A:0, SL:0.0%, SL2:0.0% within 60s")
        #expect(output[1] == "   Members: ")
        #expect(output[2].hasPrefix("      Agent 102 (Local/102@agents/n from Custom:agent102) (ringinuse disabled) (dynamic) (paused:Break was "))
        #expect(output[2].hasSuffix(" (Not in use) has taken no calls yet (login was 0 secs ago)"))
        #expect(Array(output.suffix(3)) == ["   No Callers", "", ""])
        client.send(action: "Command", id: "missing", [("Command", "queue show nosuchqueue")])
        #expect(client.response("missing")?.values("Output") == ["No such queue: nosuchqueue."])
        client.send(action: "Command", id: "ch", [("Command", "core show channels")])
        let channels = try #require(client.response("ch")).values("Output")
        let recorded = try Transcript.messages("13-command-action", sent: false)
        let recordedChannels = try #require(recorded.first { $0.actionID == "cmd-channels" }).values("Output")
        #expect(channels.first == recordedChannels.first)
        #expect(channels[1] == "0 active channels")
        client.send(action: "Command", id: "bad", [("Command", "foo bar baz")])
        let bad = try #require(client.response("bad"))
        let recordedBad = try #require(recorded.first { $0.actionID == "cmd-invalid" })
        #expect(bad.headers.map { "\($0.key)=\($0.value)" }.dropFirst(2) == recordedBad.headers.map { "\($0.key)=\($0.value)" }.dropFirst(2))
        #expect(bad["Response"] == "Error")
    }

    @Test func userEventIsBroadcast() throws {
        let live = try LiveSimulator()
        let sender = try live.loggedIn()
        let listener = try live.loggedIn()
        sender.send(action: "UserEvent", id: "u", [("UserEvent", "AgentLogin"), ("Agent", "101")])
        #expect(sender.response("u")?["Message"] == "Event Sent")
        let event = try #require(listener.event("UserEvent"))
        #expect(event["UserEvent"] == "AgentLogin")
        #expect(event["Agent"] == "101")
        #expect(event["Privilege"] == "user,all")
    }

    @Test func configurationParses() throws {
        let text = """
            [general]
            ring_time = 0.5
            write_timeout = 250
            no_answer = Local/109@agents/n
            [inbound]
            6000 => hotline
            [ops]
            secret = opsecret
            read = system,call
            write = all
            [hotline]
            member => PJSIP/201,2,Hot Agent,Custom:hot201
            member => PJSIP/202
            """
        let config = try SimulatorConfiguration.parse(text)
        #expect(config.timings.ringTime == .milliseconds(500))
        #expect(config.writeTimeout == .milliseconds(250))
        #expect(config.timings.noAnswer == ["Local/109@agents/n"])
        #expect(config.inboundNumbers["6000"] == "hotline")
        #expect(config.users.map(\.username) == ["ops"])
        #expect(config.users.first?.read == [.system, .call])
        #expect(config.queues.first?.members.first == .init(interface: "PJSIP/201", name: "Hot Agent", penalty: 2, stateInterface: "Custom:hot201"))
        #expect(config.queues.first?.members.last?.name == "PJSIP/202")
        #expect(throws: SimulatorConfigError.self) { try SimulatorConfiguration.parse("[general]\nring_time = soon\n") }
    }

    @Test func sampleConfigFileParses() throws {
        let path = Transcript.directory.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Config/amisim.conf").path
        let config = try SimulatorConfiguration.load(path: path)
        #expect(config.queues.map(\.name) == ["sales", "support-private", "support-business"])
        #expect(config.users.contains { $0.username == "ccagentd" })
    }
}
}
