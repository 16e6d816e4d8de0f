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

#if canImport(Glibc)
import Glibc
#endif

@Suite(.serialized, .timeLimit(.minutes(1))) struct HTTPServerTests {
    private func server(_ limits: HTTPServerLimits = HTTPServerLimits(), handler: @escaping HTTPServer.Handler = { request, context, responder in
        responder.respond(.json(.ok, .object([("path", .string("/" + request.path.joined(separator: "/"))), ("peer", .string(context.peer))])))
    }) throws -> (HTTPServer, Int) {
        let server = try HTTPServer(limits: limits, logger: .disabled, handler: handler)
        return (server, try server.listen(host: "127.0.0.1", port: 0))
    }

    @Test func pipelinedRequestsAreAnsweredInOrderOnOneConnection() throws {
        let (server, port) = try server()
        defer { server.shutdown() }
        let client = try LoopbackConnection(port: port)
        client.send("GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let text = client.receive()
        let first = try #require(text.range(of: #"{"path":"/a","peer":"127.0.0.1"}"#))
        let second = try #require(text.range(of: #"{"path":"/b","peer":"127.0.0.1"}"#))
        #expect(first.lowerBound < second.lowerBound)
        #expect(text.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(text.contains("Connection: close\r\n"))
    }

    @Test func aMalformedRequestGets400AndTheServerGoesOn() throws {
        let (server, port) = try server()
        defer { server.shutdown() }
        let bad = try LoopbackConnection(port: port)
        bad.send("GET /a HTTP/1.1\r\nHost: x\r\nBroken header\r\n\r\n")
        let answer = bad.receive()
        #expect(answer.hasPrefix("HTTP/1.1 400 Bad Request\r\n"))
        #expect(answer.contains(#""error":{"code":"#))
        let good = try LoopbackConnection(port: port)
        good.send("GET /ok HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(good.receive(until: "}").contains(#""path":"/ok""#))
    }

    @Test func aSlowClientIsCutOffWith408() throws {
        let (server, port) = try server(HTTPServerLimits(requestTimeout: .milliseconds(200)))
        defer { server.shutdown() }
        let client = try LoopbackConnection(port: port)
        client.send("GET /slow HTTP/1.1\r\nHo")
        Thread.sleep(forTimeInterval: 0.1)
        client.send("st: x\r\n")  // more bytes do not buy more time
        let answer = client.receive()
        #expect(answer.hasPrefix("HTTP/1.1 408 "))
    }

    @Test func anEventStreamWritesUntilTheClientLeaves() throws {
        let closed = Mutex(false)
        let box = ServerBox()
        let (server, port) = try server { request, context, responder in
            let stream = responder.startStream(HTTPResponse(status: .ok, headers: ServerSentEvent.responseHeaders))
            stream.send(ServerSentEvent(id: "1", event: "hello", data: "a\nb").serialized())
            box.server?.onClose(of: context.connectionID) { closed.withLock { $0 = true } }
        }
        box.server = server
        defer { server.shutdown() }
        do {
            let client = try LoopbackConnection(port: port)
            client.send("GET /v1/events HTTP/1.1\r\nHost: x\r\n\r\n")
            let text = client.receive(until: "data: b\n\n")
            #expect(text.hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(text.contains("id: 1\nevent: hello\ndata: a\ndata: b\n\n"))
        }
        let deadline = Date().addingTimeInterval(5)
        while !closed.withLock({ $0 }), Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        #expect(closed.withLock { $0 })
    }

    @Test func everyResponseCarriesTheDate() throws {
        let (server, port) = try server()
        defer { server.shutdown() }
        let before = Int(Date().timeIntervalSince1970)
        let client = try LoopbackConnection(port: port)
        client.send("GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\nBroken\r\n\r\n")
        let text = client.receive()
        let after = Int(Date().timeIntervalSince1970)
        let sent = text.split(separator: "\r\n").filter { $0.hasPrefix("Date: ") }.map { String($0.dropFirst(6)) }
        let possible = Set((before...after).compactMap { HTTPDate.imfFixdate(secondsSince1970: $0) })
        #expect(sent.count == 2)  // the 200 and the 400
        #expect(sent.allSatisfy(possible.contains))
    }

    @Test(arguments: [
        (784_111_777, "Sun, 06 Nov 1994 08:49:37 GMT"),  // RFC 9110's example
        (0, "Thu, 01 Jan 1970 00:00:00 GMT"),
        (951_782_400, "Tue, 29 Feb 2000 00:00:00 GMT"),
        (253_402_300_799, "Fri, 31 Dec 9999 23:59:59 GMT"),
    ])
    func theDateIsAnIMFFixdate(seconds: Int, expected: String) {
        #expect(HTTPDate.imfFixdate(secondsSince1970: seconds) == expected)
    }

    @Test func aDateWithoutAFourDigitYearIsNotMade() {
        #expect(HTTPDate.imfFixdate(secondsSince1970: 253_402_300_800) == nil)  // year 10000
    }

    @Test func theUnixSocketServesTheSameAndHasItsMode() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("http-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("api.sock").path
        let server = try HTTPServer(logger: .disabled) { request, context, responder in
            responder.respond(.json(.ok, .object([("peer", .string(context.peer))])))
        }
        defer { server.shutdown() }
        try server.listen(path: path, mode: 0o660)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o660)
        let client = try LoopbackConnection(socketPath: path)
        client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(client.receive(until: "}").contains(#"{"peer":"unix"}"#))
    }

    /// A clean stop leaves no socket file behind, for the TCP listener and the socket alike,
    /// whether the server bound the socket or adopted one bound before.
    @Test(arguments: [false, true])
    func shutdownRemovesTheSocketFile(adopted: Bool) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("http-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("api.sock").path
        let server = try HTTPServer(logger: .disabled) { _, _, responder in responder.respond(.json(.ok, .object([]))) }
        if adopted {
            let fd = try Socket.listenLocal(path: path, mode: 0o660)
            server.adopt(listener: fd, socketFile: LocalSocketFile(boundAt: path))
        } else {
            try server.listen(path: path, mode: 0o660)
        }
        let client = try LoopbackConnection(socketPath: path)
        client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(client.receive(until: "}").contains("{}"))
        #expect(FileManager.default.fileExists(atPath: path))
        server.shutdown()
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(throws: (any Error).self) { try LoopbackConnection(socketPath: path) }
    }
}

private final class ServerBox: @unchecked Sendable {
    var server: HTTPServer?
}
