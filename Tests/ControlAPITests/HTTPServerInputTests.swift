import ControlPort
import ControlAPI
@testable import Crypt
@testable import HTTPServing
@testable import HTTPWire
import Dispatch
import Foundation
import Synchronization
import SystemSupport
import Testing
import TestSupport

/// What the server reads while a request is with the handler: at most one more request's worth,
/// however fast the client sends.
@Suite(.serialized, .timeLimit(.minutes(1))) struct HTTPServerInputTests {
    @Test func aClientFloodingWhileItsRequestIsHandledIsHeldBack() throws {
        let held = Mutex<HTTPResponder?>(nil)
        let server = try HTTPServer(limits: HTTPServerLimits(http: HTTPLimits(maximumBodyBytes: 1024)), logger: .disabled) { _, _, responder in
            held.withLock { $0 = responder }  // answered when the test says
        }
        defer { server.shutdown() }
        let port = try server.listen(host: "127.0.0.1", port: 0)
        let client = try LoopbackConnection(port: port)
        client.send("POST /v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}")
        #expect(eventually { held.withLock { $0 != nil } })
        // Unread, this stops in the socket buffers (a few MB on loopback); read, it would go on.
        let sent = client.flood(limit: 256 << 20)
        #expect(sent < 64 << 20)
        held.withLock { $0 }?.respond(.json(.ok, .object([("session", .string("s"))])))
        #expect(client.receive(until: "}").hasPrefix("HTTP/1.1 200 OK\r\n"))
    }

    @Test func pipelinedRequestsBeyondTheReadAheadAreAllAnsweredInOrder() throws {
        // One request's bound is 1 KiB of header and no body: 300 requests are 30 times that.
        let limits = HTTPServerLimits(http: HTTPLimits(maximumHeaderBytes: 1024, maximumBodyBytes: 0, maximumTargetLength: 64))
        let server = try HTTPServer(limits: limits, logger: .disabled) { request, _, responder in
            let response = HTTPResponse.json(.ok, .object([("path", .string("/" + request.path.joined(separator: "/")))]))
            DispatchQueue.global().asyncAfter(deadline: .now() + 0.001) { responder.respond(response) }
        }
        defer { server.shutdown() }
        let port = try server.listen(host: "127.0.0.1", port: 0)
        let client = try LoopbackConnection(port: port)
        let count = 300
        let requests = (1...count).map { "GET /\($0) HTTP/1.1\r\nHost: x\r\n\($0 == count ? "Connection: close\r\n" : "")\r\n" }
        #expect(client.send(Array(requests.joined().utf8)) == nil)
        let text = client.receive()
        let paths = text.split(separator: "\"path\":\"/").dropFirst().map { $0.prefix(while: { $0 != "\"" }) }
        #expect(paths.map { Int($0) } == (1...count).map { $0 })
    }
}
