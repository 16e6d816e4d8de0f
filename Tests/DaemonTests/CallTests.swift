import AMISimulator
import AgentCore
import Daemon
import Foundation
import Store
import Testing

extension DaemonTests {
    @Suite struct Calls {
        @Test func aQueueCallMakesTheAgentIncomingThenPaperworkThenConnected() async throws {
            let clock = ManualClock()
            let harness = try DaemonHarness(clock: clock)
            defer { Task { await harness.close() } }
            try await harness.waitReady()
            _ = try await harness.submit(.login("eli@example.com", extension: "102")).result.get()
            try await until("eli is a member") { harness.isMember("PJSIP/102", of: "support-private") }

            harness.simulator.inboundCall(queue: "support-private", hangupAfter: .milliseconds(400))
            try await until("eli is on an incoming call") { await harness.state("eli@example.com")?.status == .incomingCall }
            // The call status keeps the membership of the status it interrupted.
            #expect(harness.isMember("PJSIP/102", of: "support-private"))
            try await until("the call ended into paperwork") { await harness.state("eli@example.com")?.status == "paperwork" }
            try await until("paperwork took eli out of the queues") { !harness.isMember("PJSIP/102", of: "support-private") }

            clock.advance(by: .seconds(31))
            try await until("paperwork timed out") { await harness.state("eli@example.com")?.status == .connected }
            try await until("eli is back in the queues") { harness.isMember("PJSIP/102", of: "support-private") }

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
            try await until("dana is on an outgoing call") { await harness.state("dana@example.com")?.status == .outgoingCall }
            harness.simulator.hangup(channel)
            try await until("dana is back on break") { await harness.state("dana@example.com")?.status == "break" }
        }

        @Test func aCallToAPhoneNobodyIsLoggedInAtChangesNothing() async throws {
            let harness = try DaemonHarness()
            defer { Task { await harness.close() } }
            try await harness.waitReady()
            _ = try await harness.submit(.login("dana@example.com", extension: "101")).result.get()
            let before = await harness.daemon.inspect { $0.metrics.eventsRead }
            let channel = try #require(harness.simulator.callPhone(interface: "PJSIP/103"))
            // Read by the reader AND handled by the daemon's thread: nothing left queued between them.
            try await until("the call's events were handled") {
                await harness.daemon.inspect { $0.metrics.eventsRead > before && $0.metrics.eventsQueued == 0 }
            }
            harness.simulator.hangup(channel)
            try await Task.sleep(for: .milliseconds(100))
            #expect(await harness.state("dana@example.com")?.status == .connected)
            #expect(harness.logs.records(named: "call.started").isEmpty)
        }
    }
}
