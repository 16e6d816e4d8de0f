import CtlKit
@testable import Crypt
@testable import HTTPServing
@testable import HTTPWire
import Testing
import TestSupport

/// The response decoder as `DecoderVerifier` drives it. Body pieces are joined as they come:
/// how a body is cut depends on the reads, what it holds must not.
struct HTTPResponseStream: VerifiableDecoder {
    typealias Message = HTTPResponseDecoder.Part
    typealias Failure = HTTPResponseDecoder.Failure

    var decoder = HTTPResponseDecoder(maximumHeadSize: 1024)

    mutating func decode(_ bytes: ArraySlice<UInt8>, into outputs: inout [Output]) {
        decoder.append(bytes)
        var parts: [Output] = []
        parts.drain { () throws(Failure) in try decoder.next() }
        Self.join(parts, into: &outputs)
    }

    /// The end of the connection.
    mutating func finish(into outputs: inout [Output]) {
        var parts: [Output] = []
        parts.drain { () throws(Failure) in try decoder.finish() }
        Self.join(parts, into: &outputs)
    }

    static func join(_ parts: [Output], into outputs: inout [Output]) {
        for part in parts {
            if case .message(.body(let piece)) = part, case .message(.body(let before))? = outputs.last {
                outputs[outputs.count - 1] = .message(.body(before + piece))
            } else {
                outputs.append(part)
            }
        }
    }
}

@Suite struct ResponseDecoderTests {
    /// The head, the body joined, and whether it ended; or the failure.
    struct Decoded: Equatable {
        var status: Int?
        var body = ""
        var ended = false
        var failure: HTTPResponseDecoder.Failure?
    }

    static let verifier = DecoderVerifier { HTTPResponseStream() }

    static func summary(_ outputs: [HTTPResponseStream.Output]) -> Decoded {
        var result = Decoded()
        for output in outputs {
            switch output {
            case .message(.head(let head)): result.status = head.status
            case .message(.body(let piece)): result.body += String(decoding: piece, as: UTF8.self)
            case .message(.end): result.ended = true
            case .failure(let failure): result.failure = failure
            }
        }
        return result
    }

    /// Feeds `wire` `chunkSize` bytes at a time, then the end of the connection.
    static func decode(_ wire: String, chunkSize: Int) -> Decoded {
        summary(verifier.chunked(Array(wire.utf8), size: chunkSize))
    }

    static let cases: [(String, Decoded)] = [
        ("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", Decoded(status: 200, body: "hello", ended: true)),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n6\r\n world\r\n0\r\nTrailer: t\r\n\r\n",
         Decoded(status: 200, body: "hello world", ended: true)),
        ("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 404 Not Found\r\ncontent-length: 2\r\n\r\n{}", Decoded(status: 404, body: "{}", ended: true)),
        ("HTTP/1.0 200 OK\r\n\r\nuntil the end", Decoded(status: 200, body: "until the end", ended: true)),
        ("HTTP/1.1 204 No Content\r\n\r\n", Decoded(status: 204, body: "", ended: true)),
        ("HTTP/1.1 200 OK\nContent-Length: 2\n\nok", Decoded(status: 200, body: "ok", ended: true)),
        ("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", Decoded(status: 200, body: "short", failure: .truncated("the connection closed before the whole answer arrived"))),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel", Decoded(status: 200, body: "hel", failure: .truncated("the connection closed before the whole answer arrived"))),
        ("", Decoded(failure: .truncated("the connection closed without an answer"))),
        ("HTTP/1.1 200 OK\r\nContent-Le", Decoded(failure: .truncated("the connection closed in the middle of the answer's head"))),
        ("SSH-2.0-OpenSSH_9.2\r\n\r\n", Decoded(failure: .malformed("not an HTTP answer (\"SSH-2.0-OpenSSH_9.2\")"))),
        ("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", Decoded(failure: .malformed("an invalid Content-Length"))),
        ("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", Decoded(failure: .malformed("an invalid Content-Length"))),
        ("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", Decoded(failure: .malformed("a header line without a name and colon"))),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", Decoded(status: 200, failure: .malformed("an invalid chunk size"))),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n", Decoded(status: 200, body: "ab", failure: .malformed("a chunk is longer than its size"))),
    ]

    @Test(arguments: [1, 2, 3, 7, 4096])
    func decodesTheSameWhateverTheChunking(chunkSize: Int) {
        for (wire, expected) in Self.cases {
            #expect(Self.decode(wire, chunkSize: chunkSize) == expected, "\(wire.debugDescription)")
        }
    }

    @Test func randomCutsGiveTheSameParts() {
        for (seed, (wire, expected)) in Self.cases.enumerated() {
            #expect(Self.summary(Self.verifier.verify(Array(wire.utf8), seed: UInt64(seed))) == expected, "\(wire.debugDescription)")
        }
    }

    @Test func aHeadBeyondTheLimitIsMalformedEvenBeforeItEnds() {
        let wire = "HTTP/1.1 200 OK\r\nX-Big: " + String(repeating: "a", count: 2000)
        #expect(Self.decode(wire, chunkSize: 100).failure == .malformed("the answer's head is larger than 1024 bytes"))
    }

    @Test func headersKeepTheirValuesTrimmed() throws {
        var decoder = HTTPResponseDecoder()
        decoder.append(Array("HTTP/1.1 409 Conflict\r\nContent-Type:  application/json \r\nContent-Length: 0\r\n\r\n".utf8))
        guard case .head(let head) = try decoder.next() else { Issue.record("no head"); return }
        #expect(head.status == 409)
        #expect(head.reason == "Conflict")
        #expect(head.headers["content-type"] == "application/json")
        #expect(try decoder.next() == .end)
    }
}
