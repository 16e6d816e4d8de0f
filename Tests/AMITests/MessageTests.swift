import Testing
@testable import AMI

/// Lookups on a decoded `AMIMessage`.
@Suite struct MessageTests {
    static func decode(_ text: String) -> AMIMessage? {
        Decode.messages(Decode.whole(Array(text.utf8), expectsBanner: false)).first
    }

    static let hangup = decode(
        "Event: Hangup\r\nPrivilege: call,all\r\nChannel: Local/101@agents-00000003;1\r\nCallerIDName: דנה לוי\r\n"
            + "Cause: 16\r\nCause-txt: Normal Clearing\r\nChanVariable: A=1\r\nChanVariable: B=2\r\n\r\n")

    @Test func lookupIsCaseInsensitiveOnKeys() throws {
        let message = try #require(Self.hangup)
        for key in ["Channel", "channel", "CHANNEL", "cHaNnEl"] {
            #expect(message[key] == "Local/101@agents-00000003;1")
        }
        #expect(message["cause-TXT"] == "Normal Clearing")
        #expect(message["Missing"] == nil)
        #expect(message["Chan"] == nil)  // a prefix is not a match
        #expect(message["ChannelX"] == nil)
        #expect(message.has("EVENT", "Hangup"))
        #expect(!message.has("Event", "hangup"))  // values compare exactly
        #expect(!message.has("Event", "Hangu"))
        #expect(message.has("CallerIDName", "דנה לוי"))
    }

    @Test func repeatedKeys() throws {
        let message = try #require(Self.hangup)
        #expect(message.values("chanvariable") == ["A=1", "B=2"])
        #expect(message["ChanVariable"] == "A=1")
        #expect(message.values("Nothing") == [])
        #expect(message.count == 8)
    }

    @Test func kindNameAndActionID() throws {
        #expect(Self.hangup?.kind == .event)
        #expect(Self.hangup?.name == "Hangup")
        #expect(Self.hangup?.actionID == nil)
        let response = try #require(Self.decode("Response: Success\r\nActionID: a-1\r\nMessage: Pong\r\n\r\n"))
        #expect(response.kind == .response && response.name == "Success" && response.actionID == "a-1")
        let originate = try #require(Self.decode("Event: OriginateResponse\r\nPrivilege: call,all\r\nActionID: o\r\nResponse: Failure\r\n\r\n"))
        #expect(originate.kind == .event && originate["Response"] == "Failure")
        let action = try #require(Self.decode("action: ping\r\nactionid: lower-case-1\r\n\r\n"))
        #expect(action.kind == .action && action.name == "ping" && action.actionID == "lower-case-1")
        let neither = try #require(Self.decode("ActionID: no-action-header\r\nFoo: bar\r\n\r\n"))
        #expect(neither.kind == .unknown)
        #expect(AMIMessage([]).kind == .unknown && AMIMessage([]).name == nil)
    }

    @Test func headersInWireOrder() throws {
        let message = try #require(Self.hangup)
        #expect(message.headers.map(\.key) == ["Event", "Privilege", "Channel", "CallerIDName", "Cause", "Cause-txt", "ChanVariable", "ChanVariable"])
        #expect(message.headers.last?.value == "B=2")
    }

    @Test func builtAndDecodedMessagesAreEqualAndHashAlike() throws {
        let built = AMIMessage([("Event", "Hangup"), ("Cause", "16")])
        let crlf = try #require(Self.decode("Event: Hangup\r\nCause: 16\r\n\r\n"))
        let lf = try #require(Self.decode("Event:Hangup\nCause: 16\n\n"))
        #expect(built == crlf && crlf == lf)
        #expect(Set([built, crlf, lf]).count == 1)
        #expect(built != AMIMessage([("Event", "Hangup"), ("Cause", "17")]))
        #expect(built != AMIMessage([("Event", "Hangup")]))
        #expect(built != AMIMessage([("event", "Hangup"), ("Cause", "16")]))  // equality keeps the key's spelling
    }

    @Test func wireBytesDecodeToTheSameMessage() throws {
        let message = try #require(Self.hangup)
        let wire = message.wireBytes
        #expect(Array(wire.suffix(4)) == [0x0D, 0x0A, 0x0D, 0x0A])
        #expect(Self.decode(String(decoding: wire, as: UTF8.self)) == message)
        let lf = try #require(Self.decode("Event: X\nA:b\n\n"))
        #expect(String(decoding: lf.wireBytes, as: UTF8.self) == "Event: X\r\nA: b\r\n\r\n")
    }

    @Test func descriptionListsHeaders() {
        #expect(AMIMessage([("Event", "X"), ("A", "")]).description == "Event: X\nA: ")
    }
}
