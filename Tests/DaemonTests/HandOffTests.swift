import AMI
import AMISimulator
import AgentCore
import ControlPort
@testable import Daemon
import Foundation
import Store
import SystemSupport
import Testing
import TestSupport

extension DaemonTests {
    /// The way from the AMI reader to the daemon's thread: what crosses it, and that nothing is
    /// lost or reordered on it.
    @Suite struct HandOff {
        static func event(_ headers: [(String, String)]) -> AMIConnectionEvent { .event(AMIMessage(headers)) }

        @Test func onlyWhatTheDaemonActsOnCrossesAndAsFewStrings() {
            let newchannel = Self.event([
                ("Event", "Newchannel"), ("Channel", "PJSIP/101-0000002a"), ("ChannelState", "0"), ("Uniqueid", "1795289000.42"),
                ("Context", "from-queue"), ("Exten", "101"),
            ])
            #expect(AMIInput(newchannel) == .call(.channelCreated(uniqueID: "1795289000.42", channel: "PJSIP/101-0000002a", state: 0)))
            let dialBegin = Self.event([
                ("Event", "DialBegin"), ("Channel", "Local/5000@inbound-00000001;2"), ("DestChannel", "PJSIP/101-0000002b"),
                ("DestUniqueid", "1795289000.43"),
            ])
            #expect(AMIInput(dialBegin) == .call(.dialed(uniqueID: "1795289000.43", channel: "PJSIP/101-0000002b")))
            let hangup = Self.event([("Event", "Hangup"), ("Channel", "PJSIP/101-0000002a"), ("Uniqueid", "1795289000.42"), ("Cause", "16")])
            #expect(AMIInput(hangup) == .call(.hangup(uniqueID: "1795289000.42", channel: "PJSIP/101-0000002a")))
            let up = Self.event([("Event", "Newstate"), ("Channel", "PJSIP/101-0000002a"), ("ChannelState", "6"), ("Uniqueid", "1795289000.42")])
            #expect(AMIInput(up) == .answered(uniqueID: "1795289000.42"))
            let ringing = Self.event([("Event", "Newstate"), ("ChannelState", "5"), ("Uniqueid", "1795289000.42")])
            #expect(AMIInput(ringing) == nil)
            let phone = Self.event([("Event", "UserEvent"), ("UserEvent", "ccagentd"), ("Command", "status"), ("Status", "break"), ("Extension", "101")])
            #expect(AMIInput(phone) == .featureCode(.success(FeatureCode(extensionID: "101", request: .status("break"))), extensionHeader: "101"))
            let badPhone = Self.event([("Event", "UserEvent"), ("UserEvent", "ccagentd"), ("Command", "dance"), ("Extension", " 101 ")])
            guard case .featureCode(.failure, let header) = AMIInput(badPhone) else {
                Issue.record("a malformed feature code must reach the daemon, to be logged")
                return
            }
            #expect(header == " 101 ")
            for ignored in [
                Self.event([("Event", "UserEvent"), ("UserEvent", "somebody-else"), ("Extension", "101")]),
                Self.event([("Event", "DeviceStateChange"), ("Device", "PJSIP/101"), ("State", "INUSE")]),
                Self.event([("Event", "QueueMemberStatus"), ("Queue", "sales"), ("Interface", "PJSIP/101")]),
                Self.event([("Event", "Newchannel"), ("Channel", "PJSIP/101-0000002a")]),  // no Uniqueid: nothing to track
                Self.event([("Response", "Success")]),
            ] {
                #expect(AMIInput(ignored) == nil)
            }
            #expect(AMIInput(.stateChanged(.loggedIn)) == .stateChanged(.loggedIn))
            #expect(AMIInput(.fullyBooted(uptime: 12, restarted: true)) == .fullyBooted(uptime: 12, restarted: true))
        }

        /// chan_sip and DAHDI make a phone's channel before it dials: their Ring says it dialled.
        /// Other drivers' Ring (a PJSIP phone's Newchannel already said so; trunks) stays behind.
        @Test func aRingOfAChanSipOrDahdiChannelCrossesAsPlaced() {
            for channel in ["SIP/101-0000000a", "DAHDI/1-1"] {
                let ring = Self.event([("Event", "Newstate"), ("Channel", channel), ("ChannelState", "4"), ("Uniqueid", "1795289000.50")])
                #expect(AMIInput(ring) == .call(.placed(uniqueID: "1795289000.50", channel: channel)))
                let newchannel = Self.event([("Event", "Newchannel"), ("Channel", channel), ("ChannelState", "0"), ("Uniqueid", "1795289000.50")])
                #expect(AMIInput(newchannel) == .call(.channelCreated(uniqueID: "1795289000.50", channel: channel, state: 0)))
            }
            for channel in ["PJSIP/101-0000002a", "IAX2/101-1234", "Local/101@agents-00000001;1"] {
                let ring = Self.event([("Event", "Newstate"), ("Channel", channel), ("ChannelState", "4"), ("Uniqueid", "1795289000.51")])
                #expect(AMIInput(ring) == nil)
            }
            let up = Self.event([("Event", "Newstate"), ("Channel", "SIP/101-0000000a"), ("ChannelState", "6"), ("Uniqueid", "1795289000.50")])
            #expect(AMIInput(up) == .answered(uniqueID: "1795289000.50"))
        }

        @Test func everyEventIsCountedAndOnlyHandedOverOnesAreQueued() {
            let handOff = AMIHandOff()
            #expect(handOff.receive(.stateChanged(.loggedIn)) != nil)
            #expect(handOff.receive(Self.event([("Event", "DeviceStateChange"), ("Device", "PJSIP/101")])) == nil)
            #expect(handOff.receive(Self.event([("Event", "Hangup"), ("Channel", "PJSIP/101-1"), ("Uniqueid", "1.1")])) != nil)
            #expect(handOff.eventsRead == 2)  // a state change is not an event
            #expect(handOff.inputsQueued == 2)
            handOff.handled()
            handOff.handled()
            #expect(handOff.inputsQueued == 0)
        }

        @Test func aDrainedBacklogIsReportedOnceAndOnlyWhenDeepEnough() {
            let handOff = AMIHandOff()
            let hangup = Self.event([("Event", "Hangup"), ("Channel", "PJSIP/101-1"), ("Uniqueid", "1.1")])
            for _ in 0..<10 { _ = handOff.receive(hangup) }
            handOff.handled()
            #expect(handOff.drainedBacklog(atLeast: 5) == nil)  // not drained yet
            for _ in 0..<9 { handOff.handled() }
            #expect(handOff.drainedBacklog(atLeast: 11) == nil)  // not deep enough
            #expect(handOff.drainedBacklog(atLeast: 5) == 10)
            #expect(handOff.drainedBacklog(atLeast: 5) == nil)  // forgotten once reported
        }

        /// Feature codes from a phone interleaved with a flood: every event is read, every code acted
        /// on, in the order the phone sent them.
        @Test func underAFloodNoEventIsLostAndPhoneCodesApplyInOrder() async throws {
            let harness = try DaemonHarness()
            defer { Task { await harness.close() } }
            try await harness.waitReady()
            _ = try await harness.submit(.login("dana@example.com", extension: "101")).result.get()
            let phone = try AMIConnection(
                configuration: AMIConnectionConfiguration(port: harness.port, username: "ccd", secret: "ccdsecret", eventMask: "off"),
                logger: .disabled)
            phone.start()
            defer { Task { await phone.shutdown() } }
            try await waitUntil("the dialplan's connection is up") { phone.state.isLoggedIn }

            harness.simulator.flood(eventsPerSecond: 20_000, duration: .milliseconds(1500))
            let statuses = (0..<20).map { $0 % 2 == 0 ? "break" : "connected" }
            for status in statuses {
                let sent = try await phone.send(
                    AMIAction("UserEvent", [("UserEvent", "ccagentd"), ("Command", "status"), ("Status", status), ("Extension", "101")]))
                #expect(sent.isSuccess)
                try await Task.sleep(for: .milliseconds(50))
            }
            // The phone's session has events off: the daemon's is the one the events went to.
            try await waitUntil("every event sent is read and handled", timeout: .seconds(30)) {
                let sent = harness.simulator.eventsSent().values.max() ?? 0
                let (read, queued) = await harness.daemon.inspect { ($0.metrics.eventsRead, $0.metrics.eventsQueued) }
                return sent > 10_000 && read == sent && queued == 0
            }
            let store = try Store(path: harness.database)
            let history = try store.history(agent: "dana@example.com", from: Timestamp(seconds: 0), to: harness.clock.now + .seconds(1))
            #expect(history.map(\.to.rawValue) == ["connected"] + statuses)
            #expect(history.dropFirst().allSatisfy { $0.cause == .phone })
        }
    }
}
