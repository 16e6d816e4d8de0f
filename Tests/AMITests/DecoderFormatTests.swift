import Testing
import TestSupport
@testable import AMI

/// Line ends, values, encodings and the legacy `Response: Follows` body.
@Suite struct DecoderFormatTests {
    static let lines = [
        "Event: Newchannel", "Privilege: call,all", "Channel: Local/101@agents-00000003;1",
        "EventTV: 2026-11-21T19:25:13.823+0000", "AccountCode: ", "CallerIDName: דנה לוי",
        "ConnectedLineName: Иван Петров", "Queue: Zażółć gęślą jaźń", "Uniqueid: 1795289142.1",
    ]
    static let expected: [Header] = [
        Header("Event", "Newchannel"), Header("Privilege", "call,all"),
        Header("Channel", "Local/101@agents-00000003;1"), Header("EventTV", "2026-11-21T19:25:13.823+0000"),
        Header("AccountCode", ""), Header("CallerIDName", "דנה לוי"), Header("ConnectedLineName", "Иван Петров"),
        Header("Queue", "Zażółć gęślą jaźń"), Header("Uniqueid", "1795289142.1"),
    ]

    enum LineEnds: String, CaseIterable, Sendable { case crlf, lf, mixed }

    static func wire(_ ends: LineEnds, frames: Int = 3) -> [UInt8] {
        var text = ""
        var n = 0
        for _ in 0..<frames {
            for line in lines + [""] {
                let crlf = ends == .crlf || (ends == .mixed && n % 3 != 1)
                text += line + (crlf ? "\r\n" : "\n")
                n += 1
            }
        }
        return Array(text.utf8)
    }

    @Test(arguments: LineEnds.allCases)
    func lineEndsDoNotChangeTheMessage(ends: LineEnds) {
        let bytes = Self.wire(ends)
        for decoded in [Decode.whole(bytes, expectsBanner: false), Decode.chunked(bytes, size: 1, expectsBanner: false)] {
            let messages = Decode.messages(decoded)
            #expect(decoded.count == 3)
            #expect(messages.map(\.pairs) == Array(repeating: Self.expected, count: 3))
        }
        #expect(Decode.whole(bytes, expectsBanner: false) == Decode.whole(Self.wire(.crlf), expectsBanner: false))
    }

    @Test func bannerWithBareLF() {
        let bytes = Array("Asterisk Call Manager/2.10.4\nResponse: Success\nMessage: x\n\n".utf8)
        #expect(Decode.whole(bytes) == [.message(.banner(version: "2.10.4")), .message(.message(AMIMessage([("Response", "Success"), ("Message", "x")])))])
        #expect(Decode.chunked(bytes, size: 1) == Decode.whole(bytes))
    }

    @Test func noBannerIsReadAsAFrame() {
        // A server that skips the greeting: the first line is an ordinary header.
        let bytes = Array("Response: Success\r\nMessage: x\r\n\r\n".utf8)
        #expect(Decode.whole(bytes) == [.message(.message(AMIMessage([("Response", "Success"), ("Message", "x")])))])
    }

    @Test func blankLinesBetweenFramesAreSkipped() {
        let bytes = Array("\r\n\nEvent: A\r\n\r\n\r\n\n\r\nEvent: B\n\n\n".utf8)
        let messages = Decode.messages(Decode.whole(bytes, expectsBanner: false))
        #expect(messages.compactMap(\.name) == ["A", "B"])
        #expect(Decode.chunked(bytes, size: 1, expectsBanner: false) == Decode.whole(bytes, expectsBanner: false))
    }

    @Test func valueSpacing() {
        let bytes = Array("Event: X\r\nA:no-space\r\nB:  two\r\nC: \r\nD:\r\nE: trailing  \r\nF: a: b: c\r\n\r\n".utf8)
        let message = Decode.messages(Decode.whole(bytes, expectsBanner: false)).first
        #expect(message?["A"] == "no-space")
        #expect(message?["B"] == " two")  // one space is the separator, the rest is value
        #expect(message?["C"] == "")
        #expect(message?["D"] == "")
        #expect(message?["E"] == "trailing  ")
        #expect(message?["F"] == "a: b: c")
        #expect(message?.has("C", "") == true)
        #expect(message?.has("Missing", "") == false)
    }

    @Test func repeatedKeysKeepTheirOrder() {
        let bytes = Array("Event: Newchannel\r\nChanVariable: A=1\r\nchanvariable: B=2\r\nChanVariable: C=3:4\r\n\r\n".utf8)
        let message = Decode.messages(Decode.whole(bytes, expectsBanner: false)).first
        #expect(message?.values("ChanVariable") == ["A=1", "B=2", "C=3:4"])
        #expect(message?["CHANVARIABLE"] == "A=1")
        #expect(message?.headers.map(\.key) == ["Event", "ChanVariable", "chanvariable", "ChanVariable"])
    }

    @Test func utf8NamesRoundTrip() throws {
        let headers = [("Event", "AgentLogin"), ("CallerIDName", "דנה לוי"), ("MemberName", "Иван Петров"), ("Reason", "Zażółć gęślą jaźń")]
        let wire = try AMIEncoder.encode(headers)
        let message = Decode.messages(Decode.chunked(wire, size: 1, expectsBanner: false)).first
        #expect(message?["CallerIDName"] == "דנה לוי")
        #expect(message?["MemberName"] == "Иван Петров")
        #expect(message?["reason"] == "Zażółć gęślą jaźń")
        #expect(message?.has("MemberName", "Иван Петров") == true)
        #expect(message?.wireBytes == wire)
    }

    @Test func invalidUTF8DecodesWithReplacementCharacters() {
        var bytes = Array("Event: Broken\r\nCallerIDName: ".utf8)
        bytes += [0xFF, 0xC3, 0x28, 0xE2, 0x82, 0x41, 0xED, 0xA0, 0x80]
        bytes += Array("\r\nK\u{00}ey: v\u{00}\r\n\r\nEvent: Next\r\n\r\n".utf8)
        for decoded in [Decode.whole(bytes, expectsBanner: false), Decode.chunked(bytes, size: 1, expectsBanner: false)] {
            let messages = Decode.messages(decoded)
            #expect(messages.count == 2)
            let name = messages.first?["CallerIDName"]
            #expect(name?.contains("\u{FFFD}") == true)
            #expect(name?.contains("(") == true && name?.contains("A") == true)
            #expect(messages.first?["K\u{00}ey"] == "v\u{00}")
            #expect(messages.last?.name == "Next")
        }
    }

    // MARK: Legacy `Response: Follows`

    static let legacyCRLF =
        "Response: Follows\r\nPrivilege: Command\r\nActionID: x\r\n"
        + "Name/username              Host            Dyn Port\r\n"
        + "101/101                    (Unspecified)    D  0\r\n"
        + "\r\n"
        + "Context: 'inbound' => 5000: Answer()\r\n"
        + "--END COMMAND--\r\n\r\n"
        + "Event: After\r\nPrivilege: call,all\r\n\r\n"
    static let legacyOutput = [
        "Name/username              Host            Dyn Port", "101/101                    (Unspecified)    D  0", "",
        "Context: 'inbound' => 5000: Answer()",
    ]

    static var legacyMessages: [AMIMessage] {
        [
            AMIMessage([("Response", "Follows"), ("Privilege", "Command"), ("ActionID", "x")] + legacyOutput.map { ("Output", $0) }),
            AMIMessage([("Event", "After"), ("Privilege", "call,all")]),
        ]
    }

    @Test func legacyFollowsBecomesOutputHeaders() {
        let bytes = Array(Self.legacyCRLF.utf8)
        let decoded = Decode.whole(bytes, expectsBanner: false)
        #expect(Decode.messages(decoded) == Self.legacyMessages)
        #expect(decoded.count == 2)
        let follows = Decode.messages(decoded).first
        #expect(follows?.kind == .response)
        #expect(follows?.actionID == "x")
        #expect(follows?.values("Output") == Self.legacyOutput)
    }

    @Test func legacyFollowsWithBareLFOutput() {
        // Asterisk 1.4 wrote the CLI text with bare LF between CRLF headers.
        let bytes = Array(Self.legacyCRLF.replacingOccurrences(of: "Port\r\n101", with: "Port\n101").replacingOccurrences(of: "0\r\n\r\nContext", with: "0\n\nContext").utf8)
        #expect(Decode.messages(Decode.whole(bytes, expectsBanner: false)) == Self.legacyMessages)
    }

    @Test func legacyFollowsOutputWithoutFinalLineEnd() {
        let bytes = Array("response: follows\r\nPrivilege: Command\r\nNo such command--END COMMAND--\r\n\r\n".utf8)
        #expect(
            Decode.messages(Decode.whole(bytes, expectsBanner: false))
                == [AMIMessage([("response", "follows"), ("Privilege", "Command"), ("Output", "No such command")])])
    }

    @Test func legacyFollowsAtEveryBoundary() {
        let bytes = Array(("Asterisk Call Manager/1.0\r\n" + Self.legacyCRLF + Self.legacyCRLF).utf8)
        let expected = Decode.whole(bytes)
        #expect(expected == [.message(.banner(version: "1.0"))] + (Self.legacyMessages + Self.legacyMessages).map { .message(.message($0)) })
        for offset in 0...bytes.count {
            #expect(Decode.run(bytes, boundaries: [offset]) == expected, "split at \(offset)")
        }
        #expect(Decode.chunked(bytes, size: 1) == expected)
        var random = SplitMix64(seed: 7)
        for _ in 0..<50 {
            let boundaries = (0..<4).map { _ in Int.random(in: 0...bytes.count, using: &random) }.sorted()
            #expect(Decode.run(bytes, boundaries: boundaries) == expected)
        }
    }
}
