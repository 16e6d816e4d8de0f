import HTTPWire
import SystemSupport

/// The API request behind each command (docs/API.md, "Routes").
enum DaemonRequests {
    static func request(for command: CtlCommand) -> ClientRequest? {
        switch command {
        case .agents: ClientRequest(method: "GET", path: "/v1/agents")
        case .agent(let login): ClientRequest(method: "GET", path: "/v1/agents/\(segment(login))")
        case .extensions(let login?): ClientRequest(method: "GET", path: "/v1/agents/\(segment(login))/extensions")
        case .extensions(nil): ClientRequest(method: "GET", path: "/v1/extensions")
        case .login(let login, let extensionID):
            ClientRequest(method: "POST", path: "/v1/agents/\(segment(login))/login", body: ["extension": .string(extensionID)])
        case .logout(let login): ClientRequest(method: "POST", path: "/v1/agents/\(segment(login))/logout")
        case .status(let login, let status):
            ClientRequest(method: "PUT", path: "/v1/agents/\(segment(login))/status", body: ["status": .string(status)])
        case .report(let login, let day, let zone):
            ClientRequest(method: "GET", path: "/v1/reports/time-in-status" + query([("day", day?.description), ("agent", login), ("tz", zone)]))
        case .reload: ClientRequest(method: "POST", path: "/v1/reload")
        case .unlock(let login): ClientRequest(method: "DELETE", path: "/v1/logins/\(segment(login))/lock")
        case .watch: ClientRequest(method: "GET", path: "/v1/events", headers: [(name: "Accept", value: "text/event-stream")])
        case .hashPassword: nil
        }
    }

    /// A path segment: unreserved characters and `@` as they are, every other byte as %XX
    /// (a login with `/` or `?` stays one segment).
    static func segment(_ text: String) -> String { percentEncoded(text, keeping: 0x40) }

    /// `?day=…&tz=…` from the items that have a value, "" when none has. A value keeps
    /// unreserved characters, `@` and `/` (`tz=Asia/Jerusalem`); `+`, `&`, `=`, `#`, `%` and every
    /// other byte become %XX, since the daemon reads `+` in a query as a space.
    static func query(_ items: [(name: String, value: String?)]) -> String {
        let pairs = items.compactMap { item in item.value.map { "\(item.name)=\(percentEncoded($0, keeping: 0x40, 0x2F))" } }
        return pairs.isEmpty ? "" : "?" + pairs.joined(separator: "&")
    }

    /// Unreserved characters (RFC 3986) and the bytes in `kept` as they are, every other byte as %XX.
    private static func percentEncoded(_ text: String, keeping kept: UInt8...) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var bytes: [UInt8] = []
        for byte in text.utf8 {
            switch byte {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x2D, 0x2E, 0x5F, 0x7E: bytes.append(byte)
            case _ where kept.contains(byte): bytes.append(byte)
            default: bytes += [0x25, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// What a non-2xx answer means: the API's error code and message, or the status line when
    /// the body is not the API's error shape.
    static func failure(_ response: ClientResponse) -> CtlError {
        let error = (try? JSONValue.parse(response.body))?["error"]
        let reason = response.head.reason.escapingControlCharacters
        let message = error?["message"]?.text ?? "the daemon answered HTTP \(response.status) \(reason)".trimmedRight
        return .answered(status: response.status, code: error?["code"]?.stringValue, message: message)
    }
}
