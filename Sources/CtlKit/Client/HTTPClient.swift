public import HTTPWire

/// One request to the control API. `path` starts at `/v1/…`; the endpoint's prefix is added.
public struct ClientRequest: Sendable, Equatable {
    public var method: String
    public var path: String
    public var body: JSONValue?
    /// More header fields (`Last-Event-ID`, `Accept`); never CR or LF in them.
    public var headers: [(name: String, value: String)]

    public init(method: String, path: String, body: JSONValue? = nil, headers: [(name: String, value: String)] = []) {
        self.method = method
        self.path = path
        self.body = body
        self.headers = headers
    }

    public static func == (a: ClientRequest, b: ClientRequest) -> Bool {
        a.method == b.method && a.path == b.path && a.body == b.body
            && a.headers.elementsEqual(b.headers, by: { $0.name == $1.name && $0.value == $1.value })
    }
}

/// A whole answer.
public struct ClientResponse: Sendable, Equatable {
    public var head: HTTPResponseHead
    public var body: [UInt8]

    public var status: Int { head.status }
}

/// A small blocking HTTP/1.1 client for the control API: one connection per request
/// (`Connection: close`), a deadline over connecting, sending and reading the answer.
public struct HTTPClient: Sendable {
    public static let userAgent = "ccagentctl/\(Ctl.version)"
    /// An answer larger than this is refused rather than held in memory.
    static let maximumBodySize = 32 << 20

    public var endpoint: Endpoint
    public var token: String?
    public var timeout: Duration
    public var cancellation: Cancellation?

    public init(endpoint: Endpoint, token: String?, timeout: Duration, cancellation: Cancellation? = nil) {
        self.endpoint = endpoint
        self.token = token
        self.timeout = timeout
        self.cancellation = cancellation
    }

    /// Sends `request` and reads the whole answer, whatever its status.
    public func send(_ request: ClientRequest) throws(CtlError) -> ClientResponse {
        let deadline = Deadline.after(timeout)
        let stream = try open(request, deadline: deadline)
        var body: [UInt8] = []
        while let piece = try stream.nextBody(deadline: deadline) {
            body += piece
            if body.count > Self.maximumBodySize { throw .malformedAnswer("the answer is larger than \(Self.maximumBodySize) bytes") }
        }
        return ClientResponse(head: stream.head, body: body)
    }

    /// Sends `request` and reads the head of the answer by `deadline`; the body is read from the
    /// stream as it comes.
    func open(_ request: ClientRequest, deadline: Deadline?) throws(CtlError) -> ResponseStream {
        let socket = try ClientSocket.connect(to: endpoint, deadline: deadline, cancellation: cancellation)
        try socket.write(serialize(request), deadline: deadline)
        return try ResponseStream(socket: socket, deadline: deadline)
    }

    func serialize(_ request: ClientRequest) -> [UInt8] {
        var head = "\(request.method) \(endpoint.basePath)\(request.path) HTTP/1.1\r\n"
        head += "Host: \(endpoint.hostHeader)\r\nUser-Agent: \(Self.userAgent)\r\n"
        if !request.headers.contains(where: { $0.name.lowercased() == "accept" }) { head += "Accept: application/json\r\n" }
        if let token { head += "Authorization: Bearer \(token)\r\n" }
        for field in request.headers { head += "\(field.name): \(field.value)\r\n" }
        head += "Connection: close\r\n"
        let body = request.body?.serialized() ?? []
        if request.body != nil { head += "Content-Type: application/json\r\n" }
        // POST and PUT always say how long the body is, even when empty.
        if request.body != nil || request.method == "POST" || request.method == "PUT" { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        return Array(head.utf8) + body
    }
}

/// An answer whose head has arrived; the body is read piece by piece.
final class ResponseStream {
    let head: HTTPResponseHead
    private let socket: ClientSocket
    private var decoder: HTTPResponseDecoder
    private var ended = false

    fileprivate init(socket: ClientSocket, deadline: Deadline?) throws(CtlError) {
        self.socket = socket
        var decoder = HTTPResponseDecoder()
        guard case .head(let head) = try Self.next(&decoder, socket: socket, deadline: deadline) else {
            throw .malformedAnswer("no head before the body")
        }
        self.head = head
        self.decoder = decoder
    }

    /// The next piece of the body; nil once it is whole.
    func nextBody(deadline: Deadline?) throws(CtlError) -> [UInt8]? {
        guard !ended else { return nil }
        switch try Self.next(&decoder, socket: socket, deadline: deadline) {
        case .body(let bytes): return bytes
        case .end, .head:
            ended = true
            return nil
        }
    }

    private static func next(
        _ decoder: inout HTTPResponseDecoder, socket: ClientSocket, deadline: Deadline?
    ) throws(CtlError) -> HTTPResponseDecoder.Part {
        while true {
            do {
                if let part = try decoder.next() { return part }
            } catch {
                throw failure(error, socket)
            }
            let bytes = try socket.read(deadline: deadline)
            if bytes.isEmpty {
                do {
                    return try decoder.finish() ?? .end
                } catch {
                    throw failure(error, socket)
                }
            }
            decoder.append(bytes)
        }
    }

    private static func failure(_ error: HTTPResponseDecoder.Failure, _ socket: ClientSocket) -> CtlError {
        switch error {
        case .malformed(let reason): .malformedAnswer(reason)
        case .truncated(let reason): .connectionLost(endpoint: socket.endpoint.description, reason: reason)
        }
    }
}
