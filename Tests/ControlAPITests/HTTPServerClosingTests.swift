import ControlPort
import ControlAPI
@testable import Crypt
@testable import HTTPServing
@testable import HTTPWire
import Dispatch
import Foundation
import SystemSupport
import Testing
import TestSupport

/// How a connection ends: a client that never reads its last response, one that half-closes after
/// its request, and one still sending when its request was refused.
@Suite(.serialized, .timeLimit(.minutes(1))) struct HTTPServerClosingTests {
    private func server(
        _ limits: HTTPServerLimits = HTTPServerLimits(), logger: Logger = .disabled, answerAfter delay: Double = 0,
        body: [UInt8]? = nil
    ) throws -> (HTTPServer, Int) {
        let server = try HTTPServer(limits: limits, logger: logger) { request, _, responder in
            let response = body.map { HTTPResponse(status: .ok, body: $0) }
                ?? .json(.ok, .object([("path", .string("/" + request.path.joined(separator: "/")))]))
            // Off the server's thread and later, as the password check of a login answers.
            DispatchQueue.global().asyncAfter(deadline: .now() + delay) { responder.respond(response) }
        }
        return (server, try server.listen(host: "127.0.0.1", port: 0))
    }

    @Test func aClientThatNeverReadsItsLastResponseLosesItsSlotAfterTheCloseTimeout() throws {
        let sink = MemoryLogSink()
        let limits = HTTPServerLimits(headerTimeout: .seconds(60), maximumPendingOutput: 64 << 20, closeTimeout: .milliseconds(300))
        let (server, port) = try server(limits, logger: Logger(sink: sink), body: [UInt8](repeating: 0x61, count: 256 << 10))
        defer { server.shutdown() }
        let client = try LoopbackConnection(port: port)
        client.setReceiveBufferSize(4096)
        // 10 MB of answers: far more than the socket buffers hold, and the client reads none.
        let requests = String(repeating: "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", count: 39)
            + "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        #expect(client.send(Array(requests.utf8)) == nil)
        #expect(eventually { sink.records(named: "api.close_timeout").count == 1 })
        #expect(server.connectionCount == 0)
    }

    @Test(arguments: [1, 3])
    func aClientThatHalfClosesAfterItsRequestsStillGetsTheAnswers(count: Int) throws {
        let (server, port) = try server(answerAfter: 0.2)
        defer { server.shutdown() }
        let client = try LoopbackConnection(port: port)
        client.send((1...count).map { "POST /v1/sessions/\($0) HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}" }.joined())
        client.shutdownOutput()
        let text = client.receive()  // until the server closes
        #expect(client.readError == nil)
        let positions = (1...count).map { text.range(of: #"{"path":"/v1/sessions/\#($0)"}"#)?.lowerBound }
        #expect(positions.allSatisfy { $0 != nil })
        #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted())
        #expect(eventually { server.connectionCount == 0 })
    }

    @Test func aKeepAliveConnectionWhoseClientHalfClosesIsClosedOnceAnswered() throws {
        let (server, port) = try server()
        defer { server.shutdown() }
        let client = try LoopbackConnection(port: port)
        client.send("GET /a HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(client.receive(until: "}").contains(#"{"path":"/a"}"#))
        client.shutdownOutput()
        #expect(client.receive().isEmpty)
        #expect(client.readError == nil)  // closed, not the 5 s read timeout
        #expect(eventually { server.connectionCount == 0 })
    }

    @Test func aRefusedRequestsClientThatIsStillSendingIsNotReset() throws {
        let (server, port) = try server()
        defer { server.shutdown() }
        let client = try LoopbackConnection(port: port)
        // The head is refused before the body is read: closing with the body unread would reset
        // the connection. It is read and dropped instead, so the client's writes go through and
        // it reads the 400 and an orderly end.
        let head = "POST /a HTTP/1.1\r\nHost: x\r\nBroken header\r\nContent-Length: 32768\r\n\r\n"
        #expect(client.send(Array(head.utf8) + [UInt8](repeating: 0x78, count: 32 << 10)) == nil)
        #expect(client.receive().hasPrefix("HTTP/1.1 400 Bad Request\r\n"))
        #expect(client.readError == nil)
    }

    @Test func aRefusedRequestsClientThatStaysConnectedIsClosedAfterTheDrain() throws {
        let (server, port) = try server()
        defer { server.shutdown() }
        let client = try LoopbackConnection(port: port)
        client.send("GET /a HTTP/1.1\r\nHost: x\r\nBroken header\r\n\r\n")
        #expect(client.receive().hasPrefix("HTTP/1.1 400 "))  // ends with the server's FIN at once
        #expect(eventually(timeout: .seconds(3)) { server.connectionCount == 0 })
    }
}
