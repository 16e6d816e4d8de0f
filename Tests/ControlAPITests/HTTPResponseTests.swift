import Testing
import ControlPort
@testable import ControlAPI
@testable import Crypt
@testable import HTTPServing
@testable import HTTPWire

@Suite struct HTTPResponseTests {
    static let date = "Sat, 21 Nov 2026 21:00:00 GMT"

    static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    @Test func jsonKeepAlive() {
        let response = HTTPResponse.json(.ok, Array("{}".utf8))
        #expect(
            Self.text(response.serialized(keepAlive: true, date: Self.date))
                == "HTTP/1.1 200 OK\r\nDate: \(Self.date)\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
    }

    @Test func closeWithoutDate() {
        let response = HTTPResponse(status: .created, headers: ["Location": "/agents/1001"], body: Array("x".utf8))
        #expect(
            Self.text(response.serialized(keepAlive: false, date: nil))
                == "HTTP/1.1 201 Created\r\nLocation: /agents/1001\r\nContent-Length: 1\r\nConnection: close\r\n\r\nx")
    }

    @Test func noContentHasNoLengthAndNoBody() {
        let response = HTTPResponse(status: .noContent, body: Array("ignored".utf8))
        #expect(Self.text(response.serialized(keepAlive: true, date: nil)) == "HTTP/1.1 204 No Content\r\n\r\n")
        #expect(Self.text(HTTPResponse(status: .continue).serialized(keepAlive: true, date: nil)) == "HTTP/1.1 100 Continue\r\n\r\n")
    }

    @Test func emptyBodyStillSaysItsLength() {
        #expect(
            Self.text(HTTPResponse(status: .notFound).serialized(keepAlive: true, date: nil))
                == "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
    }

    @Test func framingFieldsAreTheSerializersOwn() {
        let response = HTTPResponse(
            status: .ok,
            headers: [
                "content-length": "999", "Transfer-Encoding": "chunked", "Connection": "keep-alive", "Date": "yesterday",
                "X-Kept": "1",
            ],
            body: [0x41])
        #expect(
            Self.text(response.serialized(keepAlive: true, date: Self.date))
                == "HTTP/1.1 200 OK\r\nDate: \(Self.date)\r\nX-Kept: 1\r\nContent-Length: 1\r\n\r\nA")
        #expect(
            Self.text(response.serialized(keepAlive: true, date: nil))
                == "HTTP/1.1 200 OK\r\nDate: yesterday\r\nX-Kept: 1\r\nContent-Length: 1\r\n\r\nA")
    }

    @Test func nothingCanInjectALine() {
        let response = HTTPResponse(
            status: .ok,
            headers: [
                "X-Value": "a\r\nSet-Cookie: evil=1", "Bad\r\nName": "v", "Bad Name": "v", "": "v", "X-Nul": "a\0b\u{7F}c\td",
            ])
        let bytes = response.serialized(keepAlive: true, date: "now\r\nX-Evil: 1")
        #expect(
            Self.text(bytes)
                == "HTTP/1.1 200 OK\r\nDate: now  X-Evil: 1\r\nX-Value: a  Set-Cookie: evil=1\r\nX-Nul: a b c\td\r\nContent-Length: 0\r\n\r\n"
        )
        // Every CR in the head is followed by LF and every LF preceded by CR.
        for (index, byte) in bytes.enumerated() where byte == 0x0D || byte == 0x0A {
            #expect(byte == 0x0D ? bytes[index + 1] == 0x0A : bytes[index - 1] == 0x0D)
        }
    }

    @Test func aResponseReadsBackAsItsOwnHead() throws {
        // What we write is a valid message head: a request decoder on the same lines accepts it.
        let response = HTTPResponse.json(.ok, Array("{\"a\":1}".utf8))
        var bytes = response.serialized(keepAlive: false, date: Self.date)
        bytes.replaceSubrange(0..<Array("HTTP/1.1 200 OK".utf8).count, with: Array("GET / HTTP/1.1\r\nHost: x".utf8))
        let request = try #require(Decode.request(Self.text(bytes)))
        #expect(request.body == Array("{\"a\":1}".utf8))
        #expect(request.keepAlive == false)
    }

    @Test func unknownCodeKeepsAValidStatusLine() {
        #expect(Self.text(HTTPResponse(status: HTTPStatus(code: 599)).serialized(keepAlive: true, date: nil)).hasPrefix("HTTP/1.1 599 \r\n"))
    }

    @Test(arguments: [200, 201, 204, 400, 401, 403, 404, 405, 408, 409, 413, 414, 415, 417, 429, 431, 500, 501, 503, 505])
    func everyCodeTheAPIUsesHasAPhrase(code: Int) {
        #expect(!HTTPStatus(code: code).reasonPhrase.isEmpty)
    }

    @Test func jsonErrorEscapes() {
        let response = HTTPResponse.error(.conflict, code: "agent_busy", message: "agent \"1001\" is on a call\n\\ \u{1}")
        #expect(response.status == .conflict)
        #expect(response.headers["content-type"] == "application/json")
        #expect(Self.text(response.body) == #"{"error":{"code":"agent_busy","message":"agent \"1001\" is on a call\n\\ \u0001"}}"#)
        #expect(
            (try? JSONValue.parse(response.body))?["error"]?["message"]?.stringValue == "agent \"1001\" is on a call\n\\ \u{1}")
    }

    @Test func streamHead() {
        let head = HTTPResponse(status: .ok, headers: ServerSentEvent.responseHeaders, body: [1, 2])
            .serializedStreamHead(date: Self.date)
        #expect(
            Self.text(head)
                == "HTTP/1.1 200 OK\r\nDate: \(Self.date)\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n"
        )
    }
}
