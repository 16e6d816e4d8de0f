import Testing
import TestSupport
@testable import AMI

/// The recorded Asterisk 22.10.1 sessions decode to what the naive reference parser and a person
/// reading the files say they hold.
@Suite struct DecoderTranscriptTests {
    /// Messages per `*.recv.txt`, counted by hand from the blank lines (`grep -c $'^\r$'`).
    static let messageCounts: [String: Int] = [
        "01-login-ping-logoff": 13, "02-login-failure": 1, "02b-login-unknown-user": 1,
        "03-restricted-user": 8, "04-queue-member-actions": 47, "05-queue-status-summary": 90,
        "06-inbound-call-queue": 108, "06b-inbound-ringnoanswer-abandon": 137,
        "06c-inbound-agent-hangs-up": 111, "06d-inbound-remote-agent": 95,
        "07-outbound-call-agent": 129, "08-coreshowchannels-live-call": 123, "09-astdb-followme": 19,
        "10-redirect-transfer": 196, "10b-blindtransfer": 200, "11-mixmonitor": 119, "12-originate": 141,
        "13-command-action": 9, "14-events-onoff-filter": 28, "15-core-restart-shutdown": 4,
        "15b-connect-during-restart": 0, "16-reconnect-after-restart": 12,
        "17-core-restart-with-live-call": 114, "18-kill9-abrupt-close": 3,
    ]

    @Test func everyScenarioHasACount() {
        #expect(Set(Fixture.scenarios) == Set(Self.messageCounts.keys))
    }

    @Test(arguments: Fixture.scenarios)
    func receivedStreamMatchesTheReferenceParser(scenario: String) throws {
        let wire = try Fixture.bytes("\(scenario).recv.txt")
        let decoded = Decode.whole(wire)
        let reference = NaiveAMI.parse(wire)
        var expected: [Decoded] = reference.banner.map { [.message(.banner(version: $0))] } ?? []
        expected += reference.messages.map { .message(.message(AMIMessage($0.map { ($0.key, $0.value) }))) }
        #expect(decoded == expected)
        // The same, header by header as strings, so a failure shows which header differs.
        #expect(Decode.messages(decoded).map(\.pairs) == reference.messages)
        #expect(reference.messages.count == Self.messageCounts[scenario])
        if !wire.isEmpty {
            #expect(decoded.first == .message(.banner(version: "11.0.0")))
        }
    }

    @Test(arguments: Fixture.scenarios)
    func kindsFollowTheFirstLine(scenario: String) throws {
        let wire = try Fixture.bytes("\(scenario).recv.txt")
        let text = String(decoding: wire, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
        let events = text.components(separatedBy: "\n").filter { $0.hasPrefix("Event: ") }.count
        let messages = Decode.messages(Decode.whole(wire))
        #expect(messages.filter { $0.kind == .event }.count == events)
        #expect(messages.allSatisfy { $0.kind == .event || $0.kind == .response })
        #expect(messages.filter { $0.kind == .event }.allSatisfy { $0.name == $0["Event"] })
    }

    @Test(arguments: Fixture.scenarios)
    func sentStreamDecodesAsActions(scenario: String) throws {
        let wire = try Fixture.bytes("\(scenario).sent.txt")
        let decoded = Decode.whole(wire, expectsBanner: false)
        let reference = NaiveAMI.parse(wire, expectsBanner: false)
        #expect(Decode.messages(decoded).map(\.pairs) == reference.messages)
        #expect(decoded.count == reference.messages.count)
        // 01 sends one block without an `Action:` header on purpose.
        let messages = Decode.messages(decoded)
        #expect(messages.filter { $0.kind != .action }.allSatisfy { $0["ActionID"] == "no-action-header" })
    }

    @Test(arguments: Fixture.scenarios)
    func replayingTheRecordedReadsGivesTheSameFrames(scenario: String) throws {
        for (direction, file, banner) in [("recv", "recv.txt", true), ("sent", "sent.txt", false)] {
            let wire = try Fixture.bytes("\(scenario).\(file)")
            let rows = try Fixture.order(scenario).filter { $0.direction == direction }
            // The rows tile the file: each read starts where the last one ended.
            var position = 0
            for row in rows {
                #expect(row.offset == position, "\(scenario) \(direction) row at \(row.milliseconds) ms")
                position = row.offset + row.length
            }
            #expect(position == wire.count)
            let boundaries = rows.map(\.offset).filter { $0 > 0 }
            #expect(
                Decode.run(wire, boundaries: boundaries, expectsBanner: banner)
                    == Decode.whole(wire, expectsBanner: banner))
        }
    }

    // MARK: Facts checked by hand

    func received(_ scenario: String) throws -> [AMIMessage] {
        Decode.messages(Decode.whole(try Fixture.bytes("\(scenario).recv.txt")))
    }

    @Test func loginScenario() throws {
        let frames = Decode.whole(try Fixture.bytes("01-login-ping-logoff.recv.txt"))
        #expect(frames.count == 14)
        #expect(frames.first == .message(.banner(version: "11.0.0")))
        let messages = Decode.messages(frames)
        #expect(messages[0].kind == .response)
        #expect(messages[0]["Response"] == "Error")
        #expect(messages[0]["Message"] == "Permission denied")
        #expect(messages[1]["message"] == "Authentication accepted")
        #expect(messages[1].actionID == "login-1")
        #expect(messages.contains { $0.has("Event", "RequestBadFormat") })
        #expect(messages.contains { $0["Message"] == "Missing action in request" })
        #expect(messages.last?["Response"] == "Goodbye")
        #expect(messages.last?["Message"] == "Thanks for all the fish.")
    }

    @Test func queueMemberScenario() throws {
        let messages = try received("04-queue-member-actions")
        #expect(messages.contains { $0.actionID == "qadd-dup" && $0["Message"] == "Unable to add interface: Already there" })
        #expect(messages.contains { $0["Message"] == "Unable to add interface to queue: No such queue" })
        #expect(messages.contains { $0["Message"] == "'Interface' not specified." })
        let added = messages.filter { $0.has("Event", "QueueMemberAdded") }
        #expect(!added.isEmpty)
        // `PausedReason: ` on the wire: present, and empty.
        let unpaused = added.filter { $0["Paused"] == "0" }
        #expect(!unpaused.isEmpty)
        #expect(unpaused.allSatisfy { $0["PausedReason"] == "" })
        #expect(messages.contains { $0.has("Event", "DeviceStateChange") && $0["Device"] == "Queue:sales_avail" })
    }

    @Test func commandOutputKeepsEveryLineInOrder() throws {
        let messages = try received("13-command-action")
        let queueShow = try #require(messages.first { $0.actionID == "cmd-queue-show" })
        #expect(queueShow["Message"] == "Command output follows")
        let output = queueShow.values("Output")
        #expect(output.count == 7)
        #expect(output[0].hasPrefix("sales has 0 calls (max unlimited) in 'rrmemory' strategy"))
        // The indentation after `Output: ` is part of the value, and so is a ':' inside it.
        #expect(output[1] == "   Members: ")
        #expect(output[2].hasPrefix("      Agent 102 (Local/102@agents/n from Custom:agent102)"))
        #expect(output[3].hasPrefix("      Agent 101 (Local/101@agents/n from Custom:agent101)"))
        #expect(output[4] == "   No Callers")
        #expect(output[5] == "" && output[6] == "")
        #expect(messages.first { $0.actionID == "cmd-channels" }?.values("output").count == 4)
        let invalid = try #require(messages.first { $0.actionID == "cmd-invalid" })
        #expect(invalid["Response"] == "Error")
        #expect(invalid["Message"] == "Command output follows")
        #expect(invalid.values("Output") == ["No such command 'foo bar baz' (type 'core show help foo bar' for other possible commands)"])
    }

    @Test func repeatedVariableHeadersStayInOrder() throws {
        // 05 has VarSet events; their `Variable` header appears once each, in capture order.
        let messages = try received("05-queue-status-summary")
        let names = messages.filter { $0.has("Event", "VarSet") }.compactMap { $0["Variable"] }
        #expect(Array(names.prefix(6)) == ["ANSWEREDTIME", "ANSWEREDTIME_MS", "DIALEDTIME", "DIALEDTIME_MS", "QUEUEWAIT", "QUEUEWAIT_MS"])
    }

    @Test func originateResponseIsAnEventThatCarriesResponse() throws {
        let messages = try received("12-originate")
        let originate = messages.filter { $0.has("Event", "OriginateResponse") }
        #expect(originate.count == 3)
        #expect(originate.allSatisfy { $0.kind == .event && $0["Response"] != nil })
        let ok = try #require(originate.first { $0.actionID == "orig-async-ok" })
        #expect(ok.headers.prefix(4).map(\.key) == ["Event", "Privilege", "ActionID", "Response"])
        #expect(ok["Response"] == "Success" && ok["Reason"] == "4")
        let failed = try #require(originate.first { $0.actionID == "orig-async-fail" })
        #expect(failed["Response"] == "Failure" && failed["Reason"] == "0" && failed["Uniqueid"] == "<unknown>")
    }

    @Test func valuesWithColonsKeepThem() throws {
        let messages = try received("06-inbound-call-queue")
        #expect(messages.contains { $0["Channel"]?.hasPrefix("Local/5000@inbound-") == true && $0["Channel"]?.hasSuffix(";2") == true })
        let auth = try received("01-login-ping-logoff").first { $0.has("Event", "SuccessfulAuth") }
        #expect(auth?["EventTV"]?.contains(":") == true)
        #expect(auth?["LocalAddress"] == "IPV4/TCP/127.0.0.1/5038")
    }

    @Test func shutdownAndAbruptClose() throws {
        let shutdown = try received("15-core-restart-shutdown").first { $0.has("Event", "Shutdown") }
        #expect(shutdown?["Shutdown"] == "Cleanly")
        #expect(shutdown?["Restart"] == "True")
        #expect(try received("15b-connect-during-restart").isEmpty)
        #expect(try received("18-kill9-abrupt-close").count == 3)
    }

    @Test func failedLoginIsOneResponse() throws {
        for scenario in ["02-login-failure", "02b-login-unknown-user"] {
            let messages = try received(scenario)
            #expect(messages.count == 1)
            #expect(messages.first?["Message"] == "Authentication failed")
        }
    }
}
