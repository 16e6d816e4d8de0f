import Testing
import ControlPort
@testable import ControlAPI
@testable import Crypt
@testable import HTTPServing
@testable import HTTPWire

@Suite struct ServerSentEventTests {
    static func text(_ event: ServerSentEvent) -> String { String(decoding: event.serialized(), as: UTF8.self) }

    @Test func allFields() {
        let event = ServerSentEvent(id: "42", event: "agent.status_changed", data: #"{"agent":"1001"}"#, retry: 3000)
        #expect(Self.text(event) == "id: 42\nevent: agent.status_changed\nretry: 3000\ndata: {\"agent\":\"1001\"}\n\n")
    }

    @Test func dataOnly() {
        #expect(Self.text(ServerSentEvent(data: "x")) == "data: x\n\n")
        #expect(Self.text(ServerSentEvent(data: "")) == "data: \n\n")
        #expect(Self.text(ServerSentEvent(data: " leading")) == "data:  leading\n\n")
    }

    @Test func dataIsSplitOnEveryKindOfLineEnd() {
        #expect(Self.text(ServerSentEvent(data: "a\nb\r\nc\rd")) == "data: a\ndata: b\ndata: c\ndata: d\n\n")
        #expect(Self.text(ServerSentEvent(data: "a\n")) == "data: a\ndata: \n\n")
        #expect(Self.text(ServerSentEvent(data: "\r\n\r\n")) == "data: \ndata: \ndata: \n\n")
        #expect(Self.text(ServerSentEvent(data: "a\n\nid: 7")) == "data: a\ndata: \ndata: id: 7\n\n")
    }

    @Test func idAndEventCannotAddLines() {
        let event = ServerSentEvent(id: "1\n\ndata: evil\r", event: "x\revent: y\0", data: "d")
        #expect(Self.text(event) == "id: 1data: evil\nevent: xevent: y\ndata: d\n\n")
        #expect(Self.text(ServerSentEvent(data: "d", retry: -1)) == "data: d\n\n")
    }

    @Test func comments() {
        #expect(String(decoding: ServerSentEvent.comment("keep-alive"), as: UTF8.self) == ": keep-alive\n\n")
        #expect(String(decoding: ServerSentEvent.comment("a\nb"), as: UTF8.self) == ": ab\n\n")
    }

    @Test(arguments: [
        ("42", "42"), (" 42\t", "42"), ("abc-1", "abc-1"), ("", nil), ("   ", nil), ("a\u{0}b", nil), ("a\u{1B}b", nil),
        (String(repeating: "9", count: 257), nil), (String(repeating: "9", count: 256), String(repeating: "9", count: 256)),
    ] as [(String, String?)])
    func lastEventID(header: String, expected: String?) {
        #expect(ServerSentEvent.lastEventID(fromHeader: header) == expected)
    }

    @Test func lastEventSequence() {
        #expect(ServerSentEvent.lastEventID(fromHeader: nil) == nil)
        #expect(ServerSentEvent.lastEventSequence(fromHeader: "42") == 42)
        #expect(ServerSentEvent.lastEventSequence(fromHeader: " 007 ") == 7)
        #expect(ServerSentEvent.lastEventSequence(fromHeader: "18446744073709551615") == UInt64.max)
        #expect(ServerSentEvent.lastEventSequence(fromHeader: "18446744073709551616") == nil)
        #expect(ServerSentEvent.lastEventSequence(fromHeader: "-1") == nil)
        #expect(ServerSentEvent.lastEventSequence(fromHeader: "+1") == nil)
        #expect(ServerSentEvent.lastEventSequence(fromHeader: "1e3") == nil)
        #expect(ServerSentEvent.lastEventSequence(fromHeader: nil) == nil)
    }
}
