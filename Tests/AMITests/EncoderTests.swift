import Testing
import TestSupport
@testable import AMI

/// The encoder refuses anything that could inject a second action or that Asterisk would mangle.
@Suite struct EncoderTests {
    @Test func encodesActionThenActionIDThenHeaders() throws {
        let action = AMIAction("QueuePause", [("Interface", "Local/101@agents/n"), ("Paused", "true"), ("Reason", "Lunch: 30 min")])
        let bytes = try AMIEncoder.encode(action, actionID: "ccd-42")
        #expect(
            String(decoding: bytes, as: UTF8.self)
                == "Action: QueuePause\r\nActionID: ccd-42\r\nInterface: Local/101@agents/n\r\nPaused: true\r\nReason: Lunch: 30 min\r\n\r\n")
        let noID = try AMIEncoder.encode(AMIAction("Ping"), actionID: nil)
        #expect(String(decoding: noID, as: UTF8.self) == "Action: Ping\r\n\r\n")
    }

    static let injections = [
        "x\r\n\r\nAction: Originate", "x\nAction: Originate", "x\rAction: Originate", "Lunch\r\n",
        "\nChannel: Local/1@x", "a\u{00}b", "\u{2028}ok\r",
    ]

    @Test(arguments: injections)
    func lineBreakOrNulInAValueIsRefused(value: String) {
        let pause = AMIAction("QueuePause", [("Interface", "Local/101@agents/n"), ("Reason", value)])
        #expect {
            _ = try AMIEncoder.encode(pause, actionID: "p-1")
        } throws: { error in
            guard case .invalidCharacter(let key, _) = error as? AMIError else { return false }
            return key == "Reason"
        }
    }

    @Test(arguments: ["Re\r\nason", "Reason\n", "\rX", "Re\u{00}ason", "Re:ason", "Re ason", "Re\tason", ""])
    func badHeaderNamesAreRefused(key: String) {
        #expect(throws: AMIError.self) { _ = try AMIEncoder.encode(AMIAction("Ping", [(key, "v")]), actionID: nil) }
    }

    @Test func theActionNameAndActionIDAreCheckedToo() {
        #expect(throws: AMIError.self) { _ = try AMIEncoder.encode(AMIAction("Ping\r\nAction: Originate"), actionID: nil) }
        #expect(throws: AMIError.self) { _ = try AMIEncoder.encode(AMIAction("Ping"), actionID: "id\r\nAction: Originate") }
    }

    @Test func lineOfExactly1024BytesIsAcceptedAnd1025Refused() throws {
        // "Reason: " + value + "\r\n": 8 + 1014 + 2 = 1024 bytes on the wire.
        let fits = String(repeating: "r", count: 1014)
        let bytes = try AMIEncoder.encode(AMIAction("QueuePause", [("Reason", fits)]), actionID: nil)
        let lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
        #expect(lines.map { $0.count + 1 }.max() == 1024)
        #expect(throws: AMIError.lineTooLong(key: "Reason", length: 1025, limit: 1024)) {
            _ = try AMIEncoder.encode(AMIAction("QueuePause", [("Reason", fits + "r")]), actionID: nil)
        }
    }

    @Test func lineLengthCountsBytesNotCharacters() throws {
        // "דנ" is 2 characters and 4 bytes: 507 pairs make 1014 bytes.
        let fits = String(repeating: "דנ", count: 253) + "ab"
        #expect(fits.utf8.count == 1014)
        _ = try AMIEncoder.encode(AMIAction("QueuePause", [("Reason", fits)]), actionID: nil)
        #expect(throws: AMIError.lineTooLong(key: "Reason", length: 1026, limit: 1024)) {
            _ = try AMIEncoder.encode(AMIAction("QueuePause", [("Reason", fits + "ד")]), actionID: nil)
        }
    }

    @Test func exactly128HeaderLinesAreAcceptedAnd129Refused() throws {
        // Action + ActionID + 126 = 128 lines.
        let headers = (0..<126).map { ("Variable", "V\($0)=\($0)") }
        let bytes = try AMIEncoder.encode(AMIAction("Originate", headers), actionID: "o-1")
        #expect(bytes.filter { $0 == 0x0A }.count == 129)  // 128 header lines and the blank line
        #expect(throws: AMIError.tooManyLines(count: 129, limit: 128)) {
            _ = try AMIEncoder.encode(AMIAction("Originate", headers + [("Variable", "X=1")]), actionID: "o-1")
        }
        // Without an ActionID there is room for one more.
        _ = try AMIEncoder.encode(AMIAction("Originate", headers + [("Variable", "X=1")]), actionID: nil)
    }

    @Test func emptyValuesAreAllowed() throws {
        let bytes = try AMIEncoder.encode(AMIAction("QueueAdd", [("Reason", ""), ("MemberName", "דנה לוי")]), actionID: nil)
        #expect(String(decoding: bytes, as: UTF8.self) == "Action: QueueAdd\r\nReason: \r\nMemberName: דנה לוי\r\n\r\n")
    }

    static let roundTripActions: [AMIAction] = [
        AMIAction("Login", [("Username", "ccd"), ("Secret", "ccdsecret"), ("Events", "on")]),
        AMIAction("QueueAdd", [("Queue", "sales"), ("Interface", "Local/101@agents/n"), ("MemberName", "Иван Петров"), ("StateInterface", "Custom:agent101"), ("Paused", "false")]),
        AMIAction("QueuePause", [("Interface", "Local/101@agents/n"), ("Paused", "true"), ("Reason", "Zażółć gęślą jaźń: break")]),
        AMIAction("Originate", [("Channel", "Local/101@agents/n"), ("Variable", "A=1"), ("Variable", "B=2"), ("CallerID", "\"דנה לוי\" <0501234567>"), ("Data", "")]),
        AMIAction("Command", [("Command", "queue show sales")]),
        AMIAction("Setvar", [("Variable", "X"), ("Value", "  leading and trailing spaces  ")]),
    ]

    @Test(arguments: roundTripActions)
    func encodeThenDecodeGivesTheSameHeaders(action: AMIAction) throws {
        let bytes = try AMIEncoder.encode(action, actionID: "rt-1")
        let decoded = Decode.chunked(bytes, size: 3, expectsBanner: false)
        let message = try #require(Decode.messages(decoded).first)
        #expect(decoded.count == 1)
        #expect(message.kind == .action)
        #expect(message.name == action.name)
        #expect(message.actionID == "rt-1")
        #expect(message.headers.dropFirst(2).map { Header($0.key, $0.value) } == action.headers.map { Header($0.0, $0.1) })
        #expect(message.wireBytes == bytes)
        #expect(try AMIEncoder.encode(message.headers.map { ($0.key, $0.value) }) == bytes)
    }

    @Test func randomPrintableValuesRoundTrip() throws {
        var random = SplitMix64(seed: 99)
        let alphabet = Array(" :;=-_/@.,'\"<>aZ09\tאבЖжąę")
        for _ in 0..<300 {
            let count = Int.random(in: 1...20, using: &random)
            let headers = (0..<count).map { i in
                ("K\(i)", String((0..<Int.random(in: 0...60, using: &random)).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &random)] }))
            }
            let bytes = try AMIEncoder.encode(AMIAction("Test", headers), actionID: nil)
            let message = Decode.messages(Decode.whole(bytes, expectsBanner: false)).first
            #expect(message?.headers.dropFirst().map { Header($0.key, $0.value) } == headers.map { Header($0.0, $0.1) })
        }
    }

    @Test func descriptionHidesSecrets() {
        let login = AMIAction("Login", [("Username", "ccd"), ("Secret", "ccdsecret")])
        #expect(!login.description.contains("ccdsecret"))
        #expect(login.description.contains("ccd"))
        #expect(login["secret"] == "ccdsecret")
    }
}
