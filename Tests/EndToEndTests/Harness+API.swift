import AgentCore
import ControlPort
import ControlAPI
@testable import Crypt
@testable import HTTPServing
@testable import HTTPWire
import CtlKit
import Foundation
import Store

/// The control API of the running ccagentd, as its clients reach it.
extension Harness {
    var socketPath: String { directory + "/api.sock" }

    /// The TCP port the running daemon's API listens on (the config asks for port 0).
    func apiPort() throws -> Int {
        let line = try waitForLog("api.listening", timeout: .seconds(10))
        guard let address = line.entry["address"], let port = address.split(separator: ":").last.flatMap({ Int($0) }) else {
            throw HarnessError("no API address in \(line.entry)")
        }
        return port
    }

    struct APIAnswer {
        var status: Int
        var headers: HTTPHeaders
        var body: [UInt8]
        var json: JSONValue? { try? JSONValue.parse(body) }
        var text: String { String(decoding: body, as: UTF8.self) }
        var errorCode: String? { json?["error"]?["code"]?.stringValue }
    }

    /// One request over TCP (or the Unix socket), answered whole.
    func api(
        _ method: String, _ path: String, body: JSONValue? = nil, token: String? = nil, overSocket: Bool = false,
        headers: [(name: String, value: String)] = []
    ) throws -> APIAnswer {
        let endpoint: Endpoint = overSocket ? .socket(path: socketPath) : .http(host: "127.0.0.1", port: try apiPort(), basePath: "")
        let client = HTTPClient(endpoint: endpoint, token: token, timeout: .seconds(10))
        let response = try client.send(ClientRequest(method: method, path: path, body: body, headers: headers))
        return APIAnswer(status: response.status, headers: response.head.headers, body: response.body)
    }

    /// Logs in with a password and returns the session token.
    func session(_ login: String, password: String = "demo") throws -> String {
        let answer = try api("POST", "/v1/sessions", body: ["login": .string(login), "password": .string(password)])
        guard answer.status == 201, let token = answer.json?["token"]?.stringValue else {
            throw HarnessError("login of \(login) failed: \(answer.status) \(answer.text)")
        }
        return token
    }
}

extension Harness {
    struct AuditRow {
        var actor: String
        var source: String
        var action: String
        var target: String?
        var outcome: String
        var detail: String?
    }

    /// The store's audit log, oldest first, read through a second connection.
    func auditRows() throws -> [AuditRow] {
        try Store(path: databasePath).audit(limit: 10_000).reversed().map {
            AuditRow(actor: $0.actor.description, source: $0.source, action: $0.action, target: $0.target, outcome: $0.outcome, detail: $0.detail)
        }
    }
}
