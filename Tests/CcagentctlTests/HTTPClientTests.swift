import ControlPort
import ControlAPI
@testable import Crypt
@testable import HTTPServing
@testable import HTTPWire
@testable import CtlKit
import Foundation
import Testing
import TestSupport

/// The client against hand-written answers: framing, failures, and the deadline.
@Suite(.serialized, .timeLimit(.minutes(1))) struct HTTPClientTests {
    private func client(_ server: ScriptedServer, timeout: Duration = .seconds(5), token: String? = nil) -> HTTPClient {
        HTTPClient(endpoint: .http(host: "127.0.0.1", port: server.port, basePath: ""), token: token, timeout: timeout)
    }

    @Test func aContentLengthAnswerAndTheRequestItAnswered() throws {
        let server = try ScriptedServer { _ in [.send("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 13\r\n\r\n{\"agents\":[]}")] }
        let response = try client(server, token: "secret-token").send(
            ClientRequest(method: "PUT", path: "/v1/agents/dana@example.com/status", body: ["status": "break"]))
        #expect(response.status == 200)
        #expect(String(decoding: response.body, as: UTF8.self) == #"{"agents":[]}"#)
        let head = try #require(server.requestHeads.first)
        #expect(head.hasPrefix("PUT /v1/agents/dana@example.com/status HTTP/1.1\r\n"))
        for field in ["Host: 127.0.0.1:\(server.port)", "Authorization: Bearer secret-token", "Connection: close",
            "Content-Type: application/json", "Content-Length: 18", "Accept: application/json", "User-Agent: ccagentctl/"] {
            #expect(head.contains("\r\n\(field)"), "\(field)")
        }
    }

    @Test func aChunkedAnswerInDribbles() throws {
        let server = try ScriptedServer { _ in
            [.send("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{\"ag"), .pause(milliseconds: 30),
             .send("\r\n9\r\nents\":[]}\r\n"), .pause(milliseconds: 30), .send("0\r\n\r\n")]
        }
        let response = try client(server).send(ClientRequest(method: "GET", path: "/v1/agents"))
        #expect(String(decoding: response.body, as: UTF8.self) == #"{"agents":[]}"#)
    }

    @Test func aPostWithoutBodySaysItsLengthIsZero() throws {
        let server = try ScriptedServer { _ in [.send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")] }
        _ = try client(server).send(ClientRequest(method: "POST", path: "/v1/reload"))
        #expect(server.requestHeads.first?.contains("\r\nContent-Length: 0") == true)
        #expect(server.requestHeads.first?.contains("Authorization") == false)
    }

    @Test func anErrorStatusIsAnAnswerNotAFailure() throws {
        let body = #"{"error":{"code":"extension_taken","message":"extension 101 is taken"}}"#
        let server = try ScriptedServer { _ in [.send("HTTP/1.1 409 Conflict\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")] }
        let response = try client(server).send(ClientRequest(method: "GET", path: "/v1/agents"))
        #expect(response.status == 409)
        #expect(DaemonRequests.failure(response) == .answered(status: 409, code: "extension_taken", message: "extension 101 is taken"))
    }

    @Test func aServerThatClosesEarlyIsALostConnection() throws {
        let server = try ScriptedServer { _ in [.send("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"agents\":")] }
        #expect(throws: CtlError.connectionLost(endpoint: server.url, reason: "the connection closed before the whole answer arrived")) {
            try client(server).send(ClientRequest(method: "GET", path: "/v1/agents"))
        }
        let silent = try ScriptedServer { _ in [] }
        #expect(throws: CtlError.connectionLost(endpoint: silent.url, reason: "the connection closed without an answer")) {
            try client(silent).send(ClientRequest(method: "GET", path: "/v1/agents"))
        }
    }

    @Test func somethingThatIsNotHTTPIsMalformed() throws {
        let server = try ScriptedServer { _ in [.send("220 smtp.example.com ESMTP\r\n\r\n")] }
        #expect(throws: CtlError.malformedAnswer("not an HTTP answer (\"220 smtp.example.com ESMTP\")")) {
            try client(server).send(ClientRequest(method: "GET", path: "/v1/agents"))
        }
    }

    @Test func noAnswerWithinTheTimeoutGivesUp() throws {
        let server = try ScriptedServer { _ in [.send("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{"), .silence(milliseconds: 2000)] }
        let start = ContinuousClock.now
        #expect(throws: CtlError.timedOut(endpoint: server.url, seconds: 0.3)) {
            try client(server, timeout: .milliseconds(300)).send(ClientRequest(method: "GET", path: "/v1/agents"))
        }
        #expect(ContinuousClock.now - start < .seconds(1.5))
    }

    @Test func nobodyListeningIsUnreachable() throws {
        let port = try ScriptedServer { _ in [] }.port  // bound, then closed: nothing listens there now
        let client = HTTPClient(endpoint: .http(host: "127.0.0.1", port: port, basePath: ""), token: nil, timeout: .seconds(2))
        #expect(throws: CtlError.unreachable(endpoint: "http://127.0.0.1:\(port)", reason: "Connection refused", permissionDenied: false)) {
            try client.send(ClientRequest(method: "GET", path: "/v1/agents"))
        }
    }

    @Test func theUnixSocketCarriesTheSameAPI() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/api.sock"
        let daemon = try FakeDaemon(socketPath: path)
        let client = HTTPClient(endpoint: .socket(path: path), token: nil, timeout: .seconds(5))
        let response = try client.send(ClientRequest(method: "GET", path: "/v1/agents/eli@example.com"))
        #expect(response.status == 200)
        #expect(daemon.seen.last?.peer == "unix")
        #expect(daemon.seen.last?.headers["Host"] == "localhost")
        let missing = HTTPClient(endpoint: .socket(path: directory.path + "/none.sock"), token: nil, timeout: .seconds(2))
        #expect(throws: CtlError.self) { try missing.send(ClientRequest(method: "GET", path: "/v1/agents")) }
    }
}
