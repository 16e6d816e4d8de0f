import AMI
import AMISimulator
import Testing
import TestSupport

extension SimulatorTests {
@Suite struct QueueActionTests {
    /// Replays transcript 04 and expects the same responses, the same member events in the same
    /// order, and the same fields in them.
    @Test func replaysTranscript04() throws {
        let live = try LiveSimulator()
        let client = try live.client()
        let sent = try Transcript.messages("04-queue-member-actions", sent: true)
        let recorded = try Transcript.messages("04-queue-member-actions", sent: false)
        var replies: [AMIMessage] = []
        for action in sent {
            client.send(action.headers.map { ($0.key, $0.value) })
            while let message = client.next(timeout: .milliseconds(100)) { replies.append(message) }
        }
        let expected = Transcript.responses(recorded)
        let got = Transcript.responses(replies)
        #expect(expected.count == got.count)
        for (id, value) in expected {
            #expect(got[id]?.0 == value.0, "\(id)")
            #expect(got[id]?.1 == value.1, "\(id)")
        }
        let memberEvents = { (messages: [AMIMessage]) -> [AMIMessage] in
            messages.filter { ($0.name ?? "").hasPrefix("QueueMember") }
        }
        let want = memberEvents(recorded)
        let have = memberEvents(replies)
        #expect(have.map { $0.name ?? "" } == want.map { $0.name ?? "" })
        let volatile: Set<String> = ["LastPause", "LoginTime", "LastCall"]
        for (a, b) in zip(have, want) {
            #expect(a.headers.map(\.key) == b.headers.map(\.key))
            #expect(
                a.headers.filter { !volatile.contains($0.key) }.map { "\($0.key)=\($0.value)" }
                    == b.headers.filter { !volatile.contains($0.key) }.map { "\($0.key)=\($0.value)" })
        }
        // Responses come before the events they cause.
        let added = try #require(replies.firstIndex { $0.actionID == "qadd-1" })
        let event = try #require(replies.firstIndex { $0.name == "QueueMemberAdded" })
        #expect(added < event)
    }

    @Test func membersAreVisibleThroughInspection() throws {
        let live = try LiveSimulator()
        let client = try live.loggedIn()
        client.send(action: "QueueAdd", id: "a", [("Queue", "sales"), ("Interface", "PJSIP/101"), ("Penalty", "2")])
        #expect(client.response("a")?["Message"] == "Added interface to queue")
        let members = live.simulator.members(of: "sales")
        #expect(members.map(\.interface) == ["PJSIP/101"])
        #expect(members.first?.penalty == 2)
        #expect(members.first?.dynamic == true)
        #expect(live.simulator.members(of: "support-business").map(\.dynamic) == [false])
    }

    /// QueueStatus compared field by field with transcript 05 (volatile times aside).
    @Test func queueStatusMatchesTranscript05() throws {
        let live = try LiveSimulator()
        let client = try live.loggedIn()
        let add: [(String, String, String, String, Bool, String)] = [
            ("sales", "Local/102@agents/n", "Agent 102", "Custom:agent102", true, "Break"),
            ("sales", "Local/101@agents/n", "Agent 101", "Custom:agent101", false, ""),
        ]
        for (queue, interface, name, state, paused, reason) in add {
            client.send(action: "QueueAdd", id: "add", [
                ("Queue", queue), ("Interface", interface), ("MemberName", name), ("StateInterface", state),
                ("Paused", paused ? "true" : "false"), ("Reason", reason),
            ])
            _ = client.response("add")
        }
        client.send(action: "QueueAdd", id: "add", [
            ("Queue", "sales"), ("Interface", "Local/0612345678@remote-agents/n"), ("MemberName", "Remote Agent 104"),
            ("Penalty", "1"),
        ])
        _ = client.response("add")
        client.send(action: "QueueStatus", id: "qstatus-sales", [("Queue", "sales")])
        let got = try #require(client.collect { $0.name == "QueueStatusComplete" }).filter { $0.actionID == "qstatus-sales" }
        let recorded = try Transcript.messages("05-queue-status-summary", sent: false)
        let want = recorded.filter { $0.actionID == "qstatus-sales" }
        #expect(got.count == want.count)
        let volatile: Set<String> = ["LastPause", "LoginTime", "LastCall"]
        for (a, b) in zip(got, want) {
            #expect(a.headers.map(\.key) == b.headers.map(\.key))
            #expect(
                a.headers.filter { !volatile.contains($0.key) }.map { "\($0.key)=\($0.value)" }
                    == b.headers.filter { !volatile.contains($0.key) }.map { "\($0.key)=\($0.value)" })
        }
        // With a Member filter, and for a queue that does not exist.
        client.send(action: "QueueStatus", id: "m", [("Queue", "sales"), ("Member", "Agent 101")])
        let filtered = try #require(client.collect { $0.name == "QueueStatusComplete" })
        #expect(filtered.map { $0.name ?? "" } == ["Success", "QueueParams", "QueueMember", "QueueStatusComplete"])
        #expect(filtered.last?["ListItems"] == "2")
        client.send(action: "QueueStatus", id: "none", [("Queue", "nosuchqueue")])
        let empty = try #require(client.collect { $0.name == "QueueStatusComplete" })
        #expect(empty.count == 2)
        #expect(empty.last?["ListItems"] == "0")
        // QueueSummary's shape.
        client.send(action: "QueueSummary", id: "qsummary-business", [("Queue", "support-business")])
        let summary = try #require(client.collect { $0.name == "QueueSummaryComplete" })
        let recordedSummary = recorded.filter { $0.actionID == "qsummary-business" }
        #expect(summary.map { $0.headers.map(\.key) } == recordedSummary.map { $0.headers.map(\.key) })
    }

    @Test func waitingCallerShowsAsQueueEntryAndAbandons() throws {
        let live = try LiveSimulator()
        let client = try live.loggedIn()
        // support-private has no members, so the caller waits.
        let waiting = try #require(live.simulator.inboundCall(queue: "support-private"))
        client.send(action: "QueueStatus", id: "qs", [("Queue", "support-private")])
        let list = try #require(client.collect { $0.name == "QueueStatusComplete" })
        let entry = try #require(list.first { $0.name == "QueueEntry" })
        #expect(entry["Channel"] == waiting)
        let recorded = try Transcript.messages("05-queue-status-summary", sent: false)
        let recordedEntry = try #require(recorded.first { $0.name == "QueueEntry" })
        #expect(entry.headers.map(\.key) == recordedEntry.headers.map(\.key))
        client.send(action: "Hangup", id: "h", [("Channel", waiting), ("Cause", "16")])
        let events = try #require(client.collect { $0.name == "QueueCallerLeave" && $0["Queue"] == "support-private" })
        #expect(events.contains { $0.actionID == "h" && $0["Message"] == "Channel Hungup" })
        #expect(events.contains { $0.name == "QueueCallerAbandon" })
        #expect(live.simulator.waitingCallers(in: "support-private") == 0)
    }
}
}
