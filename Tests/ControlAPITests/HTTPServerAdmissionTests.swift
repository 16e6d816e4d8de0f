import ControlPort
import ControlAPI
@testable import Crypt
@testable import HTTPServing
@testable import HTTPWire
import Foundation
import Synchronization
import SystemSupport
import Testing
import TestSupport

/// A full server admits a newcomer by closing the connection idle longest; only when none is idle
/// (each is mid-request, with the handler or an event stream) is the newcomer answered 503. The
/// Unix socket is counted apart, so local admins get in whatever TCP clients hold.
@Suite(.serialized, .timeLimit(.minutes(1))) struct HTTPServerAdmissionTests {
    @Test func idleConnectionsFillingTheServerDoNotKeepOutANewClient() throws {
        let fixture = try AdmissionFixture()  // the default limits: 256 connections
        defer { fixture.server.shutdown() }
        let silent = try fixture.open(256)
        let started = ContinuousClock.now
        let answer = try fixture.get("/healthz")
        #expect(answer.hasPrefix("HTTP/1.1 200 OK\r\n"), "\(answer.prefix(80))")
        #expect(ContinuousClock.now - started < .seconds(1))
        #expect(silent[0].receive().isEmpty && silent[0].readError == nil)  // the one idle longest made room
        silent[1].send("GET /next HTTP/1.1\r\nHost: x\r\n\r\n")  // the next one did not have to
        #expect(silent[1].receive(until: "}").hasPrefix("HTTP/1.1 200 OK\r\n"))
    }

    @Test(arguments: [false, true])
    func theUnixSocketAnswersWhateverTCPClientsHold(midRequest: Bool) throws {
        let fixture = try AdmissionFixture(socket: true)
        defer { fixture.server.shutdown() }
        let held = try fixture.open(256, sending: midRequest ? "GET /healthz HTTP/1.1\r\nHo" : nil)
        if midRequest { #expect(try fixture.get("/healthz").hasPrefix("HTTP/1.1 503 ")) }  // no TCP slot can be freed
        let started = ContinuousClock.now
        let local = try LoopbackConnection(socketPath: try #require(fixture.socketPath))
        local.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(local.receive(until: "}").hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(ContinuousClock.now - started < .seconds(1))
        withExtendedLifetime(held) {}
    }

    @Test func connectionsOnTheUnixSocketTakeNoTCPSlot() throws {
        let fixture = try AdmissionFixture(HTTPServerLimits(maximumConnections: 1), socket: true)
        defer { fixture.server.shutdown() }
        let path = try #require(fixture.socketPath)
        let local = try (0..<3).map { _ in try LoopbackConnection(socketPath: path) }
        local.forEach { $0.send("GET /healthz HTTP/1.1\r\nHo") }  // mid-request: none may be closed
        #expect(eventually { fixture.server.connectionCount == 3 })
        #expect(try fixture.get("/healthz").hasPrefix("HTTP/1.1 200 OK\r\n"))
        withExtendedLifetime(local) {}
    }

    @Test func theUnixSocketHasAnAllowanceOfItsOwn() throws {
        let fixture = try AdmissionFixture(HTTPServerLimits(maximumConnections: 1, maximumLocalConnections: 2), socket: true)
        defer { fixture.server.shutdown() }
        let path = try #require(fixture.socketPath)
        let local = try (0..<2).map { _ in try LoopbackConnection(socketPath: path) }
        local.forEach { $0.send("GET /healthz HTTP/1.1\r\nHo") }
        #expect(eventually { fixture.server.connectionCount == 2 })
        let third = try LoopbackConnection(socketPath: path)
        #expect(third.receive().hasPrefix("HTTP/1.1 503 "))
        #expect(try fixture.get("/healthz").hasPrefix("HTTP/1.1 200 OK\r\n"))
        withExtendedLifetime(local) {}
    }

    /// Four slots: an event stream, a request half sent, and two keep-alive connections idle
    /// since their answers. A newcomer closes the older of the two; the others go on.
    @Test func aFullServerClosesTheKeepAliveConnectionIdleLongest() throws {
        let fixture = try AdmissionFixture(HTTPServerLimits(maximumConnections: 4))
        defer { fixture.server.shutdown() }
        let stream = try LoopbackConnection(port: fixture.port)
        stream.send("GET /events HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(stream.receive(until: "data: 1\n\n").hasPrefix("HTTP/1.1 200 OK\r\n"))
        let halfSent = try LoopbackConnection(port: fixture.port)
        halfSent.send("GET /half HTTP/1.1\r\n")
        let older = try LoopbackConnection(port: fixture.port), newer = try LoopbackConnection(port: fixture.port)
        for (client, path) in [(older, "/older"), (newer, "/newer")] {
            client.send("GET \(path) HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(client.receive(until: "}").contains(path))
        }
        #expect(eventually { fixture.server.connectionCount == 4 })

        #expect(try fixture.get("/newcomer").hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(older.receive().isEmpty && older.readError == nil)
        newer.send("GET /again HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(newer.receive(until: "}").contains("/again"))
        halfSent.send("Host: x\r\n\r\n")
        #expect(halfSent.receive(until: "}").contains("/half"))
        fixture.kept.streams.withLock { $0 }.forEach { $0.send(Array("data: 2\n\n".utf8)) }
        #expect(stream.receive(until: "data: 2\n\n").hasSuffix("data: 2\n\n"))
    }

    /// While the server's thread is held, one client connects and sends its request, and a second
    /// connects: the first, accepted with its request unread, is not taken for idle.
    @Test func aConnectionWhoseRequestIsWaitingUnreadIsNotClosedToMakeRoom() throws {
        let fixture = try AdmissionFixture(HTTPServerLimits(maximumConnections: 1), socket: true)
        defer { fixture.server.shutdown() }
        let local = try LoopbackConnection(socketPath: try #require(fixture.socketPath))
        local.send("GET /block HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(eventually { fixture.kept.blocking.withLock { $0 } })
        let first = try LoopbackConnection(port: fixture.port)
        first.send("GET /first HTTP/1.1\r\nHost: x\r\n\r\n")
        let second = try LoopbackConnection(port: fixture.port)
        #expect(first.receive(until: "}").contains(#"{"path":"/first"}"#))
        #expect(second.receive().hasPrefix("HTTP/1.1 503 "))
        #expect(local.receive(until: "}").contains(#"{"path":"/block"}"#))
    }

    @Test func aNewcomerIsRefusedWhenNoConnectionIsIdle() throws {
        let fixture = try AdmissionFixture(HTTPServerLimits(maximumConnections: 3))
        defer { fixture.server.shutdown() }
        let stream = try LoopbackConnection(port: fixture.port)
        stream.send("GET /events HTTP/1.1\r\nHost: x\r\n\r\n")
        _ = stream.receive(until: "data: 1\n\n")
        let halfSent = try LoopbackConnection(port: fixture.port)
        halfSent.send("GET /half HTTP/1.1\r\n")
        let handled = try LoopbackConnection(port: fixture.port)
        handled.send("GET /hold HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(eventually { fixture.kept.responders.withLock { $0.count } == 1 })
        #expect(eventually { fixture.server.connectionCount == 3 })

        let refused = try LoopbackConnection(port: fixture.port)
        #expect(refused.receive().hasPrefix("HTTP/1.1 503 "))
        #expect(refused.readError == nil)
        #expect(fixture.server.connectionCount == 3)
        fixture.kept.responders.withLock { $0 }.forEach { $0.respond(.json(.ok, .object([("held", .bool(true))]))) }
        #expect(handled.receive(until: "}").contains(#"{"held":true}"#))
        withExtendedLifetime((stream, halfSent)) {}
    }
}

/// A server whose handler answers `/events` with a stream, keeps `/hold` with the handler until
/// the test answers, holds the server's thread for 300 ms on `/block`, and answers anything else
/// at once with its path.
private final class AdmissionFixture {
    let server: HTTPServer
    let port: Int
    let socketPath: String?
    let kept: Kept
    private let directory: URL

    /// What the handler has not answered yet.
    final class Kept: Sendable {
        let responders = Mutex<[HTTPResponder]>([])
        let streams = Mutex<[HTTPEventStream]>([])
        let blocking = Mutex(false)
    }

    init(_ limits: HTTPServerLimits = HTTPServerLimits(), socket: Bool = false) throws {
        let kept = Kept()
        self.kept = kept
        server = try HTTPServer(limits: limits, logger: .disabled) { request, _, responder in
            switch request.path {
            case ["events"]:
                let stream = responder.startStream(HTTPResponse(status: .ok, headers: ServerSentEvent.responseHeaders))
                stream.send(Array("data: 1\n\n".utf8))
                kept.streams.withLock { $0.append(stream) }
            case ["hold"]:
                kept.responders.withLock { $0.append(responder) }
            case ["block"]:
                kept.blocking.withLock { $0 = true }
                Thread.sleep(forTimeInterval: 0.3)
                responder.respond(.json(.ok, .object([("path", .string("/block"))])))
            default:
                responder.respond(.json(.ok, .object([("path", .string("/" + request.path.joined(separator: "/")))])))
            }
        }
        port = try server.listen(host: "127.0.0.1", port: 0)
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("admission-\(UUID().uuidString.prefix(8))")
        if socket {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let path = directory.appendingPathComponent("api.sock").path
            try server.listen(path: path)
            socketPath = path
        } else {
            socketPath = nil
        }
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// Opens `count` TCP connections that send `text` (or nothing); the first is accepted before
    /// the others open, so it is the one idle longest.
    func open(_ count: Int, sending text: String? = nil) throws -> [LoopbackConnection] {
        let before = server.connectionCount
        var clients: [LoopbackConnection] = []
        for index in 1...count {
            let client = try LoopbackConnection(port: port)
            if let text { client.send(text) }
            clients.append(client)
            if index == 1 { #expect(eventually { server.connectionCount == before + 1 }) }
        }
        #expect(eventually { server.connectionCount == before + count })
        return clients
    }

    /// What a new TCP connection asking for `path` gets: the answer, or the refusal.
    func get(_ path: String) throws -> String {
        let client = try LoopbackConnection(port: port)
        client.send("GET \(path) HTTP/1.1\r\nHost: x\r\n\r\n")
        return client.receive(until: "}")
    }
}
