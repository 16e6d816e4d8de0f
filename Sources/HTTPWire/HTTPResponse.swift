/// A response to write: status, header fields and a body of known length.
public struct HTTPResponse: Sendable, Equatable {
    public var status: HTTPStatus
    /// Fields the serializer writes itself are ignored here: `Content-Length`, `Transfer-Encoding`,
    /// `Connection`, and `Date` when a date is passed.
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(status: HTTPStatus, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// `application/json` with the bytes as they are.
    public static func json(_ status: HTTPStatus, _ body: [UInt8]) -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": "application/json"], body: body)
    }

    public static func json(_ status: HTTPStatus, _ value: JSONValue) -> HTTPResponse {
        json(status, value.serialized())
    }

    /// `{"error":{"code":"…","message":"…"}}`.
    public static func error(_ status: HTTPStatus, code: String, message: String) -> HTTPResponse {
        json(status, .object([("error", .object([("code", .string(code)), ("message", .string(message))]))]))
    }

    /// The answer to a request the decoder refused: its status, `code` from the status
    /// (`request_header_fields_too_large`), its reason as the message.
    public static func error(_ error: HTTPError) -> HTTPResponse {
        Self.error(error.status, code: error.status.errorCode, message: error.reason)
    }

    /// The whole response. `Content-Length` is written (but not for 1xx, 204 and 304, which carry
    /// no body), `Connection: close` when the connection ends after it. HTTP/1.1 keep-alive is the
    /// default, so nothing is written for it (an HTTP/1.0 client then closes after the response).
    /// A header name that is not a token is dropped; control characters in a value (CR, LF, NUL, …)
    /// become spaces, so no value can start a line of its own.
    public func serialized(keepAlive: Bool, date: String?) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(128 + headers.count * 32 + body.count)
        writeHead(into: &bytes, date: date)
        if status.allowsBody {
            Self.appendField("Content-Length", String(body.count), to: &bytes)
        }
        if !keepAlive {
            Self.appendField("Connection", "close", to: &bytes)
        }
        bytes.append(contentsOf: [ASCII.cr, ASCII.lf])
        if status.allowsBody { bytes.append(contentsOf: body) }
        return bytes
    }

    /// The head of a response whose body is streamed until the connection closes (Server-Sent
    /// Events): no `Content-Length`, `Connection: close`; `body` is not written.
    public func serializedStreamHead(date: String?) -> [UInt8] {
        var bytes: [UInt8] = []
        writeHead(into: &bytes, date: date)
        Self.appendField("Connection", "close", to: &bytes)
        bytes.append(contentsOf: [ASCII.cr, ASCII.lf])
        return bytes
    }

    private func writeHead(into bytes: inout [UInt8], date: String?) {
        bytes.append(contentsOf: "HTTP/1.1 \(status.code) \(status.reasonPhrase)\r\n".utf8)
        if let date { Self.appendField("Date", date, to: &bytes) }
        for field in headers {
            if HTTPHeaders.equalIgnoringASCIICase(field.name, "content-length")
                || HTTPHeaders.equalIgnoringASCIICase(field.name, "transfer-encoding")
                || HTTPHeaders.equalIgnoringASCIICase(field.name, "connection")
                || (date != nil && HTTPHeaders.equalIgnoringASCIICase(field.name, "date"))
            {
                continue
            }
            Self.appendField(field.name, field.value, to: &bytes)
        }
    }

    private static func appendField(_ name: String, _ value: String, to bytes: inout [UInt8]) {
        guard !name.isEmpty, name.utf8.allSatisfy(ASCII.isTokenCharacter) else { return }
        bytes.append(contentsOf: name.utf8)
        bytes.append(ASCII.colon)
        bytes.append(ASCII.space)
        for byte in value.utf8 {
            bytes.append(byte < 0x20 && byte != ASCII.tab || byte == 0x7F ? ASCII.space : byte)
        }
        bytes.append(ASCII.cr)
        bytes.append(ASCII.lf)
    }
}
