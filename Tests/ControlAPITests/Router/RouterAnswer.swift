import HTTPWire
import TestSupport

/// One answer of the API as a client reads it: decoded with HTTPWire's response decoder from
/// what a `LoopbackConnection` received.
struct RouterAnswer: CustomStringConvertible {
    var status: Int
    var headers: HTTPHeaders
    var body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }
    var json: JSONValue? { try? JSONValue.parse(body) }
    /// `error.code` of an error body.
    var errorCode: String? { json?["error"]?["code"]?.stringValue }
    var errorMessage: String? { json?["error"]?["message"]?.stringValue }
    /// The logins of a `{"agents": [...]}` body, in order.
    var logins: [String]? { json?["agents"]?.arrayValue?.compactMap { $0["login"]?.stringValue } }

    var description: String { "\(status) \(text.prefix(400))" }

    /// Sends `request` on `connection` and reads the whole answer (the request asks to close).
    static func exchange(_ request: [UInt8], on connection: LoopbackConnection, timeout: Duration = .seconds(10)) throws -> RouterAnswer {
        if let code = connection.send(request) { throw TestSupportError("the request could not be sent: errno \(code)") }
        var decoder = HTTPResponseDecoder()
        var head: HTTPResponseHead?
        var body: [UInt8] = []
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while true {
            while let part = try decoder.next() {
                switch part {
                case .head(let found): head = found
                case .body(let bytes): body += bytes
                case .end: return try answer(head, body)
                }
            }
            switch connection.readAvailable(timeout: ContinuousClock.now.duration(to: deadline)) {
            case .bytes(let bytes): decoder.append(bytes)
            case .closed:
                _ = try decoder.finish()
                return try answer(head, body)
            case .timedOut: throw TestSupportError("no whole answer within \(timeout)")
            case .failed(let code): throw TestSupportError("the answer could not be read: errno \(code)")
            }
        }
    }

    private static func answer(_ head: HTTPResponseHead?, _ body: [UInt8]) throws -> RouterAnswer {
        guard let head else { throw TestSupportError("no answer") }
        return RouterAnswer(status: head.status, headers: head.headers, body: body)
    }
}

/// A request's bytes: `Connection: close`, the bearer token, a JSON or raw body.
struct RouterRequest {
    var method: String
    var path: String
    var token: String?
    var headers: [(String, String)] = []
    var body: [UInt8]?

    init(_ method: String, _ path: String, token: String? = nil, json: JSONValue? = nil, raw: String? = nil, headers: [(String, String)] = []) {
        self.method = method
        self.path = path
        self.token = token
        self.headers = headers
        body = json.map { $0.serialized() } ?? raw.map { Array($0.utf8) }
    }

    var bytes: [UInt8] {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
        if let token { head += "Authorization: Bearer \(token)\r\n" }
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if let body { head += "Content-Type: application/json\r\nContent-Length: \(body.count)\r\n" }
        return Array((head + "\r\n").utf8) + (body ?? [])
    }
}
