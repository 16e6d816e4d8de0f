import AMISimulator
import AgentCore
import ControlPort
import Daemon
import Foundation
import Store
import Testing
import TestSupport

extension DaemonTests {
    @Suite struct Calls {
        @Test func aQueueCallMakesTheAgentIncomingThenPaperworkThenConnected() async throws {
            let clock = ManualClock()
            let harness = try DaemonHarness(clock: clock)
            defer { Task { await harness.close() } }
            try await harness.waitReady()
            _ = try await harness.submit(.login("eli@example.com", extension: "102")).result.get()
            try await waitUntil("eli is a member") { harness.isMember("PJSIP/102", of: "support-private") }

            harness.simulator.inboundCall(queue: "support-private", hangupAfter: .milliseconds(400))
            try await waitUntil("eli is on an incoming call") { await harness.state("eli@example.com")?.status == .incomingCall }
            // The call status keeps the membership of the status it interrupted.
            #expect(harness.isMember("PJSIP/102", of: "support-private"))
            try await waitUntil("the call ended into paperwork") { await harness.state("eli@example.com")?.status == "paperwork" }
            try await waitUntil("paperwork took eli out of the queues") { !harness.isMember("PJSIP/102", of: "support-private") }

            clock.advance(by: .seconds(31))
            try await waitUntil("paperwork timed out") { await harness.state("eli@example.com")?.status == .connected }
            try await waitUntil("eli is back in the queues") { harness.isMember("PJSIP/102", of: "support-private") }

            let store = try Store(path: harness.database)
            let history = try store.history(agent: "eli@example.com", from: Timestamp(seconds: 0), to: clock.now + .seconds(1))
            #expect(history.map(\.to.rawValue) == ["connected", "incoming_call", "paperwork", "connected"])
            #expect(history.map(\.cause) == [.admin, .call, .hangup, .timeout])
            let calls = try store.calls(agent: "eli@example.com", from: Timestamp(seconds: 0), to: clock.now + .seconds(1))
            #expect(calls.count >= 1)
            #expect(calls.allSatisfy { $0.direction == .incoming && $0.ended != nil })
            // Answered when the phone's channel went Up, between its start and its end.
            #expect(calls.allSatisfy { call in call.answered.map { $0 >= call.started && $0 <= (call.ended ?? $0) } == true })
        }

        @Test func aPhoneDiallingOutIsAnOutgoingCallAndReturnsToTheLastStatus() async throws {
            let harness = try DaemonHarness()
            defer { Task { await harness.close() } }
            try await harness.waitReady()
            _ = try await harness.submit(.login("dana@example.com", extension: "101")).result.get()
            _ = try await harness.submit(.setStatus("dana@example.com", "break")).result.get()
            let channel = try #require(harness.simulator.phoneDialsOut(interface: "PJSIP/101", number: "0501234567"))
            try await waitUntil("dana is on an outgoing call") { await harness.state("dana@example.com")?.status == .outgoingCall }
            harness.simulator.hangup(channel)
            try await waitUntil("dana is back on break") { await harness.state("dana@example.com")?.status == "break" }
        }

        @Test func aCallToAPhoneNobodyIsLoggedInAtChangesNothing() async throws {
            let harness = try DaemonHarness()
            defer { Task { await harness.close() } }
            try await harness.waitReady()
            _ = try await harness.submit(.login("dana@example.com", extension: "101")).result.get()
            let before = await harness.daemon.inspect { $0.metrics.eventsRead }
            let channel = try #require(harness.simulator.callPhone(interface: "PJSIP/103"))
            // Read by the reader AND handled by the daemon's thread: nothing left queued between them.
            try await waitUntil("the call's events were handled") {
                await harness.daemon.inspect { $0.metrics.eventsRead > before && $0.metrics.eventsQueued == 0 }
            }
            harness.simulator.hangup(channel)
            try await Task.sleep(for: .milliseconds(100))
            #expect(await harness.state("dana@example.com")?.status == .connected)
            #expect(harness.logs.records(named: "call.started").isEmpty)
        }

        /// chan_sip and analog DAHDI phones, whose channels are made before they say who dials
        /// whom (the simulator makes them as those drivers do): dialling out is outgoing, a call
        /// to the phone incoming, with the history and the call records to show it.
        @Test(arguments: [("SIP/107", "107"), ("DAHDI/1", "108")])
        func callsOnChanSipAndDahdiPhonesHaveTheirDirection(interface: String, ext: String) async throws {
            let extra = """
                [107]
                type = extension
                interface = SIP/107
                state_interface = Custom:agent107
                [108]
                type = extension
                interface = DAHDI/1
                state_interface = hint:108@ext-local
                [sam@example.com]
                type = user
                skills = sales
                extensions = 107, 108
                """
            let harness = try DaemonHarness(extra: extra)
            defer { Task { await harness.close() } }
            try await harness.waitReady()
            let sam: AgentID = "sam@example.com"
            _ = try await harness.submit(.login(sam, extension: ExtensionID(ext))).result.get()
            try await waitUntil("sam is a member") { harness.isMember(interface, of: "sales") }

            let out = try #require(harness.simulator.phoneDialsOut(interface: interface, number: "0501234567"))
            try await waitUntil("sam is on an outgoing call") { await harness.state(sam)?.status == .outgoingCall }
            harness.simulator.hangup(out)
            try await waitUntil("sam is back") { await harness.state(sam)?.status == .connected }

            let into = try #require(harness.simulator.callPhone(interface: interface))
            try await waitUntil("sam is on an incoming call") { await harness.state(sam)?.status == .incomingCall }
            harness.simulator.hangup(into)
            try await waitUntil("the call ended into paperwork") { await harness.state(sam)?.status == "paperwork" }

            let store = try Store(path: harness.database)
            let history = try store.history(agent: sam, from: Timestamp(seconds: 0), to: harness.clock.now + .seconds(1))
            #expect(history.map(\.to.rawValue) == ["connected", "outgoing_call", "connected", "incoming_call", "paperwork"])
            let calls = try store.calls(agent: sam, from: Timestamp(seconds: 0), to: harness.clock.now + .seconds(1))
            #expect(calls.map(\.direction) == [.outgoing, .incoming])
            #expect(calls.allSatisfy { $0.channel.hasPrefix(interface + "-") })
        }
    }
}
