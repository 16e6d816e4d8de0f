#if canImport(Glibc)
import Glibc
#endif
import ControlPort
import ControlAPI
@testable import Crypt
@testable import HTTPServing
@testable import HTTPWire
import Foundation
import Testing
import TestSupport

extension EndToEnd {
    /// Malformed, truncated, oversized and slow requests, and too many connections: each gets a
    /// clear answer or is cut off, and afterwards the daemon answers and has lost nothing.
    @Suite struct APIHostileInputTests {
        static func answer(_ harness: Harness, _ bytes: [UInt8], timeout: Duration = .seconds(5)) throws -> LoopbackConnection {
            let connection = try LoopbackConnection(port: try harness.apiPort())
            connection.send(bytes)
            connection.read(timeout: timeout) { $0.contains("\r\n\r\n") && $0.hasPrefix("HTTP/1.1") }
            return connection
        }

        @Test func badRequestsAreAnsweredAndNothingIsLost() throws {
            let harness = try APITests.start(api: "request_timeout = 1\nmax_connections = 20")
            defer { harness.shutdown() }
            let dana = try harness.session("dana@example.com")
            #expect(try harness.api("POST", "/v1/agents/dana@example.com/login", body: ["extension": "101"], token: dana).status == 200)

            let cases: [(String, [UInt8], Int)] = [
                ("garbage", Array("GARBAGE\r\n\r\n".utf8), 400),
                ("bad version", Array("GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n".utf8), 505),
                ("no host", Array("GET /healthz HTTP/1.1\r\n\r\n".utf8), 400),
                ("negative length", Array("PUT /v1/agents/x/status HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n".utf8), 400),
                ("two lengths", Array("PUT /v1/x HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab".utf8), 400),
                ("huge header", Array(("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + String(repeating: "a", count: 20_000) + "\r\n\r\n").utf8), 431),
                ("huge body", Array("PUT /v1/agents/x/status HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n".utf8), 413),
                ("long target", Array(("GET /" + String(repeating: "a", count: 9000) + " HTTP/1.1\r\nHost: x\r\n\r\n").utf8), 414),
                ("nul in header", Array("GET /healthz HTTP/1.1\r\nHost: x\r\nX: a\u{0}b\r\n\r\n".utf8), 400),
                ("bad json", Array("PUT /v1/agents/dana@example.com/status HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(dana)\r\nContent-Length: 9\r\n\r\n{\"status\"".utf8), 400),
                ("deep json", Array("PUT /v1/agents/dana@example.com/status HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(dana)\r\nContent-Length: 200\r\n\r\n\(String(repeating: "[", count: 200))".utf8), 400),
                ("bad auth scheme", Array("GET /v1/agents HTTP/1.1\r\nHost: x\r\nAuthorization: Basic Zm9vOmJhcg==\r\n\r\n".utf8), 401),
            ]
            for (name, bytes, status) in cases {
                let connection = try Self.answer(harness, bytes)
                #expect(connection.firstStatus == status, "\(name): \(connection.text.prefix(300))")
            }

            // A client that stops halfway is cut off after request_timeout with 408.
            let slow = try LoopbackConnection(port: try harness.apiPort())
            slow.send("GET /healthz HTTP/1.1\r\nHost: x\r\n")
            let started = ContinuousClock.now
            slow.read(timeout: .seconds(5))
            #expect(slow.firstStatus == 408 && slow.closed, "\(slow.text)")
            #expect(ContinuousClock.now - started < .seconds(4))

            // Random bytes and truncated requests on many connections at once.
            let port = try harness.apiPort()
            var generator = SystemRandomNumberGenerator()
            var junk: [LoopbackConnection] = []
            for index in 0..<30 {
                let connection = try LoopbackConnection(port: port)
                if index % 2 == 0 {
                    connection.send((0..<Int.random(in: 1...4000, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) })
                } else {
                    connection.send("PUT /v1/agents/dana@example.com/status HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"sta")
                }
                junk.append(connection)
            }
            // Beyond max_connections: 503 and closed, not queued forever.
            // (All opened before any is read: the truncated ones time out after a second.)
            let extra = try (0..<20).map { _ in try LoopbackConnection(port: port) }
            var refused = 0
            for connection in extra {
                connection.read(timeout: .milliseconds(100)) { $0.contains("\r\n\r\n") }
                if connection.firstStatus == 503 { refused += 1 }
            }
            #expect(refused >= 10, "connections over max_connections are refused")
            junk.forEach { $0.close() }
            extra.forEach { $0.close() }

            // Still answering, still right, nothing lost.
            #expect(eventually(timeout: .seconds(5)) { (try? harness.api("GET", "/healthz").status) == 200 })
            let change = try harness.api("PUT", "/v1/agents/dana@example.com/status", body: ["status": "break"], token: dana)
            #expect(change.status == 200 && change.json?["status"] == "break")
            let history = try harness.history("dana@example.com")
            #expect(history.map(\.to.rawValue) == ["connected", "break"])
            #expect(contiguityProblems(history).isEmpty)
            #expect(try harness.running().isRunning)
        }

        /// As many connections as max_connections that never send a byte: a new client still gets
        /// in at once, as the one idle longest makes room.
        @Test func silentConnectionsLockNoOneOut() throws {
            let harness = try APITests.start(api: "max_connections = 20")
            defer { harness.shutdown() }
            let port = try harness.apiPort()
            let silent = try (0..<20).map { _ in try LoopbackConnection(port: port) }
            let started = ContinuousClock.now
            #expect(try harness.api("GET", "/healthz").status == 200)
            #expect(try harness.api("GET", "/healthz", overSocket: true).status == 200)
            #expect(ContinuousClock.now - started < .seconds(2))
            withExtendedLifetime(silent) {}
        }

        /// TCP full of requests half sent, none of which may be closed: a TCP newcomer gets 503,
        /// and the Unix socket serves local admins all the same.
        @Test func theUnixSocketServesWhateverTCPClientsHold() throws {
            let harness = try APITests.start(api: "max_connections = 20")
            defer { harness.shutdown() }
            let port = try harness.apiPort()
            let halfSent = try (0..<20).map { _ in try LoopbackConnection(port: port) }
            halfSent.forEach { $0.send("GET /healthz HTTP/1.1\r\nHo") }
            let refused = try LoopbackConnection(port: port)
            refused.read(timeout: .seconds(5)) { $0.contains("\r\n\r\n") }
            #expect(refused.firstStatus == 503, "\(refused.text)")
            #expect(try harness.api("GET", "/healthz", overSocket: true).status == 200)
            #expect(try harness.api("GET", "/v1/agents", overSocket: true).status == 200)
            withExtendedLifetime(halfSent) {}
        }

        @Test func aSilentConnectionIsClosedAfterTheHeaderTimeout() throws {
            let harness = try APITests.start(api: "header_timeout = 1")
            defer { harness.shutdown() }
            let silent = try LoopbackConnection(port: try harness.apiPort())
            let started = ContinuousClock.now
            silent.read(timeout: .seconds(5))
            let waited = ContinuousClock.now - started
            #expect(silent.closed && silent.text.isEmpty)
            #expect(waited >= .milliseconds(900) && waited < .seconds(3), "\(waited)")
        }
    }
}
