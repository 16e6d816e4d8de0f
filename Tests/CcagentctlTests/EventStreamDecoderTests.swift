import ControlPort
import ControlAPI
@testable import Crypt
@testable import HTTPServing
@testable import HTTPWire
import CtlKit
import Testing
import TestSupport

/// The event-stream decoder as `DecoderVerifier` drives it; a line over the limit ends the stream.
struct EventStream: VerifiableDecoder {
    typealias Message = ServerSentEvent
    typealias Failure = EventStreamDecoder.Failure

    var decoder = EventStreamDecoder()

    mutating func decode(_ bytes: ArraySlice<UInt8>, into outputs: inout [Output]) {
        do throws(Failure) {
            outputs += try decoder.append(bytes).map(Output.message)
        } catch {
            outputs.append(.failure(error))
        }
    }
}

@Suite struct EventStreamDecoderTests {
    static let verifier = DecoderVerifier { EventStream() }

    static let wire = "\u{FEFF}: hello\n\nid: 1\nevent: status\ndata: {\"a\":1}\n\nid: 2\r\nevent: call_ended\r\ndata: line one\r\ndata:line two\r\n\r\n"
        + "retry: 250\n: keep-alive\n\nid: 3\rdata\r\rdata: no event name\n\nevent: reset\ndata: \n\n"

    static let expected = [
        ServerSentEvent(id: "1", event: "status", data: "{\"a\":1}"),
        ServerSentEvent(id: "2", event: "call_ended", data: "line one\nline two"),
        ServerSentEvent(id: "3", event: "message", data: ""),
        ServerSentEvent(id: "3", event: "message", data: "no event name"),
        ServerSentEvent(id: "3", event: "reset", data: ""),
    ]

    @Test(arguments: [1, 2, 5, 4096])
    func decodesTheSameWhateverTheChunking(chunkSize: Int) throws {
        var last: EventStreamDecoder?
        let bytes = Array(Self.wire.utf8)
        let outputs = Self.verifier.decode(bytes, cuts: Array(stride(from: chunkSize, to: bytes.count, by: chunkSize))) { last = $0.decoder }
        #expect(outputs == Self.expected.map(EventStream.Output.message))
        #expect(last?.lastEventID == "3")
        #expect(last?.retry == 250)
    }

    @Test(arguments: [1 as UInt64, 2, 3])
    func randomCutsGiveTheSameEvents(seed: UInt64) {
        Self.verifier.verify(Array(Self.wire.utf8), expecting: Self.expected.map(EventStream.Output.message), randomCuttings: 16, seed: seed)
    }

    @Test func whatTheServerWritesIsWhatTheClientReads() throws {
        let sent = ServerSentEvent(id: "42", event: "status", data: "{\"agent\":\"dana@example.com\"}\nsecond line")
        var decoder = EventStreamDecoder()
        #expect(try decoder.append(sent.serialized() + ServerSentEvent.comment("ping")) == [sent])
    }

    @Test func aResetDropsAHalfReadEventButKeepsTheLastID() throws {
        var decoder = EventStreamDecoder()
        _ = try decoder.append(Array("id: 7\ndata: whole\n\nid: 8\ndata: half".utf8))
        decoder.reset()
        #expect(decoder.lastEventID == "7")
        #expect(try decoder.append(Array("\n\ndata: next\n\n".utf8)) == [ServerSentEvent(id: "7", event: "message", data: "next")])
    }

    @Test func aLineOverTheLimitFails() {
        var decoder = EventStreamDecoder(maximumLineLength: 16)
        #expect(throws: EventStreamDecoder.Failure(limit: 16)) { try decoder.append(Array(String(repeating: "x", count: 17).utf8)) }
    }

    /// What came before the bad line is the same however the socket cut the stream: read in one
    /// piece, the events before it come with the failure.
    @Test func eventsBeforeALineOverTheLimitAreNotLostWithIt() {
        let stream = Array("data: one\n\ndata: two\n\n\(String(repeating: "x", count: 17))".utf8)
        let expected = [ServerSentEvent(id: nil, event: "message", data: "one"), ServerSentEvent(id: nil, event: "message", data: "two")]
        var whole = EventStreamDecoder(maximumLineLength: 16)
        #expect(throws: EventStreamDecoder.Failure(limit: 16, completed: expected)) { try whole.append(stream) }
        // Byte by byte: each event comes as its blank line arrives, and the failure brings none.
        var pieces = EventStreamDecoder(maximumLineLength: 16)
        var seen: [ServerSentEvent] = []
        var failure: EventStreamDecoder.Failure?
        for byte in stream {
            do { seen += try pieces.append([byte]) } catch { failure = error; seen += error.completed; break }
        }
        #expect(seen == expected)
        #expect(failure?.limit == 16)
    }
}
