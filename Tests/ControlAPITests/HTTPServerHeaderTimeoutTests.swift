import ControlPort
import ControlAPI
@testable import Crypt
@testable import HTTPServing
@testable import HTTPWire
import Foundation
import SystemSupport
import Testing
import TestSupport

/// A request's head must arrive whole within `headerTimeout` of the connection opening or of its
/// last answer: a silent connection is closed, one partway through a head is answered 408. The
/// body has `requestTimeout` from the request's first byte.
@Suite(.serialized, .timeLimit(.minutes(1))) struct HTTPServerHeaderTimeoutTests {
    private func server(_ limits: HTTPServerLimits) throws -> (HTTPServer, Int) {
        let server = try HTTPServer(limits: limits, logger: .disabled) { request, _, responder in
            responder.respond(.json(.ok, .object([("path", .string("/" + request.path.joined(separator: "/")))])))
        }
        return (server, try server.listen(host: "127.0.0.1", port: 0))
    }

    @Test(arguments: [false, true])
    func aSilentConnectionIsClosedAfterTheHeaderTimeout(afterAnAnswer: Bool) throws {
        let (server, port) = try server(HTTPServerLimits(headerTimeout: .milliseconds(300), requestTimeout: .seconds(30)))
        defer { server.shutdown() }
        let client = try LoopbackConnection(port: port)
        if afterAnAnswer {
            client.send("GET /a HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(client.receive(until: "}").contains(#"{"path":"/a"}"#))
        }
        let started = ContinuousClock.now
        #expect(client.receive().isEmpty)
        #expect(client.readError == nil)  // closed, not the client's 5 s read timeout
        let waited = ContinuousClock.now - started
        #expect(waited >= .milliseconds(250) && waited < .seconds(2), "\(waited)")
        #expect(eventually { server.connectionCount == 0 })
    }

    @Test func aHeadTricklingInPastTheHeaderTimeoutGets408() throws {
        let (server, port) = try server(HTTPServerLimits(headerTimeout: .milliseconds(300), requestTimeout: .seconds(30)))
        defer { server.shutdown() }
        let client = try LoopbackConnection(port: port)
        let started = ContinuousClock.now
        client.send("GET /slow HTTP/1.1\r\n")
        Thread.sleep(forTimeInterval: 0.15)
        client.send("X-A: 1\r\n")  // bytes do not buy time
        #expect(client.receive().hasPrefix("HTTP/1.1 408 "))
        #expect(ContinuousClock.now - started < .seconds(2))
    }

    @Test func theBodyMayComeAfterTheHeaderTimeoutWithinTheRequestTimeout() throws {
        let (server, port) = try server(HTTPServerLimits(headerTimeout: .milliseconds(200), requestTimeout: .seconds(5)))
        defer { server.shutdown() }
        let client = try LoopbackConnection(port: port)
        client.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n")
        Thread.sleep(forTimeInterval: 0.5)
        client.send("{}")
        #expect(client.receive(until: "}").hasPrefix("HTTP/1.1 200 OK\r\n"))
    }
}
