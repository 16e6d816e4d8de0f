import ControlAPI
import Foundation
import Synchronization
import SystemSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A blocking raw client: what arrives is exactly what the server wrote.
final class RawClient {
    let fd: Int32
    private var address = sockaddr_in()
    /// `errno` of the read that ended `read(until:)` with an error (ECONNRESET, EAGAIN after 5 s).
    private(set) var readError: Int32?

    /// Connects to 127.0.0.1:`port`, or only makes the socket when `connectNow` is false (see
    /// `connect()`). A `receiveBufferSize` is set before connecting, so the window stays small.
    init(port: Int, receiveBufferSize: Int32? = nil, connectNow: Bool = true) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        if var size = receiveBufferSize { setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size)) }
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        if connectNow { try connect() }
    }

    func connect() throws {
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else { throw POSIXError(.ECONNREFUSED) }
    }

    init(path: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in for (i, b) in path.utf8.enumerated() { raw[i] = b } }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard result == 0 else { throw POSIXError(.ECONNREFUSED) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    func send(_ text: String) { _ = text.utf8CString.withUnsafeBufferPointer { Glibc.send(fd, $0.baseAddress, $0.count - 1, Int32(MSG_NOSIGNAL)) } }

    /// Sends all of `bytes`, blocking; the `errno` that stopped it (ECONNRESET, EPIPE), nil when all went.
    func send(bytes: [UInt8]) -> Int32? {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 { return errno }
            offset += n
        }
        return nil
    }

    /// Sends bytes without blocking until the server has taken none for 300 ms (or `limit` went,
    /// or the send failed); returns how many went.
    func flood(limit: Int) -> Int {
        let chunk = [UInt8](repeating: UInt8(ascii: "x"), count: 64 << 10)
        var sent = 0
        while sent < limit {
            let n = chunk.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
            if n > 0 {
                sent += n
                continue
            }
            let code = errno
            guard n < 0, code == EAGAIN || code == EWOULDBLOCK else { break }
            var entry = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            if poll(&entry, 1, 300) <= 0 { break }
        }
        return sent
    }

    /// Half-closes: the server reads end of input, and can still answer.
    func shutdownOutput() { _ = shutdown(fd, Int32(SHUT_WR)) }

    /// Reads until `text` has arrived, the peer closes, or 5 s pass.
    func read(until text: String? = nil) -> String {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        readError = nil
        while true {
            if let text, String(decoding: received, as: UTF8.self).contains(text) { break }
            let n = recv(fd, &buffer, buffer.count, 0)
            if n < 0 { readError = errno }
            if n <= 0 { break }
            received += buffer[0..<n]
        }
        return String(decoding: received, as: UTF8.self)
    }
}

/// Polls `condition` every 10 ms until it holds (true) or `seconds` pass (false).
func eventually(within seconds: Double = 5, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while !condition() {
        if Date() >= deadline { return false }
        Thread.sleep(forTimeInterval: 0.01)
    }
    return true
}

@Suite(.serialized) struct HTTPServerTests {
    private func server(_ limits: HTTPServerLimits = HTTPServerLimits(), handler: @escaping HTTPServer.Handler = { request, context, responder in
        responder.respond(.json(.ok, .object([("path", .string("/" + request.path.joined(separator: "/"))), ("peer", .string(context.peer))])))
    }) throws -> (HTTPServer, Int) {
        let server = try HTTPServer(limits: limits, logger: .disabled, handler: handler)
        return (server, try server.listen(host: "127.0.0.1", port: 0))
    }

    @Test func pipelinedRequestsAreAnsweredInOrderOnOneConnection() throws {
        let (server, port) = try server()
        defer { server.shutdown() }
        let client = try RawClient(port: port)
        client.send("GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let text = client.read()
        let first = try #require(text.range(of: #"{"path":"/a","peer":"127.0.0.1"}"#))
        let second = try #require(text.range(of: #"{"path":"/b","peer":"127.0.0.1"}"#))
        #expect(first.lowerBound < second.lowerBound)
        #expect(text.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(text.contains("Connection: close\r\n"))
    }

    @Test func aMalformedRequestGets400AndTheServerGoesOn() throws {
        let (server, port) = try server()
        defer { server.shutdown() }
        let bad = try RawClient(port: port)
        bad.send("GET /a HTTP/1.1\r\nHost: x\r\nBroken header\r\n\r\n")
        let answer = bad.read()
        #expect(answer.hasPrefix("HTTP/1.1 400 Bad Request\r\n"))
        #expect(answer.contains(#""error":{"code":"#))
        let good = try RawClient(port: port)
        good.send("GET /ok HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(good.read(until: "}").contains(#""path":"/ok""#))
    }

    @Test func aSlowClientIsCutOffWith408() throws {
        let (server, port) = try server(HTTPServerLimits(requestTimeout: .milliseconds(200)))
        defer { server.shutdown() }
        let client = try RawClient(port: port)
        client.send("GET /slow HTTP/1.1\r\nHo")
        Thread.sleep(forTimeInterval: 0.1)
        client.send("st: x\r\n")  // more bytes do not buy more time
        let answer = client.read()
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
            let client = try RawClient(port: port)
            client.send("GET /v1/events HTTP/1.1\r\nHost: x\r\n\r\n")
            let text = client.read(until: "data: b\n\n")
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
        let client = try RawClient(port: port)
        client.send("GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\nBroken\r\n\r\n")
        let text = client.read()
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
        let client = try RawClient(path: path)
        client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(client.read(until: "}").contains(#"{"peer":"unix"}"#))
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
        let client = try RawClient(path: path)
        client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(client.read(until: "}").contains("{}"))
        #expect(FileManager.default.fileExists(atPath: path))
        server.shutdown()
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(throws: (any Error).self) { try RawClient(path: path) }
    }
}

private final class ServerBox: @unchecked Sendable {
    var server: HTTPServer?
}
