public enum HTTPVersion: Sendable, Hashable, CustomStringConvertible {
    case http1_0
    case http1_1

    public var description: String {
        switch self {
        case .http1_0: "HTTP/1.0"
        case .http1_1: "HTTP/1.1"
        }
    }
}

/// One `name=value` of the query, percent-decoded (`+` read as a space).
public struct HTTPQueryItem: Sendable, Hashable {
    public var name: String
    /// Empty for `?flag` as for `?flag=`.
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// One complete request as read from the wire.
public struct HTTPRequest: Sendable, Equatable {
    /// What the client's `Expect` header asked for.
    public enum Expectation: Sendable, Hashable {
        /// `100-continue` on HTTP/1.1: answer `100 Continue` before reading the body, or a final status.
        case `continue`
        /// Anything else: answer 417.
        case unsupported(String)
    }

    /// Case-sensitive token as sent: `GET`, `PUT`.
    public var method: String
    /// The request-target exactly as sent.
    public var target: String
    /// The path's segments, each percent-decoded: `/agents/1001%2F2/` → `["agents", "1001/2", ""]`;
    /// `/` and `*` → `[]`. `.` and `..` segments are refused by the decoder.
    public var path: [String]
    public var query: [HTTPQueryItem]
    public var version: HTTPVersion
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// Whether the connection may carry another request after this one: HTTP/1.1 unless
    /// `Connection: close`, HTTP/1.0 only with `Connection: keep-alive`.
    public var keepAlive: Bool
    public var expectation: Expectation?
    /// The body came with `Transfer-Encoding: chunked`.
    public var wasChunked: Bool

    public init(
        method: String, target: String, path: [String], query: [HTTPQueryItem] = [], version: HTTPVersion = .http1_1,
        headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [], keepAlive: Bool = true,
        expectation: Expectation? = nil, wasChunked: Bool = false
    ) {
        self.method = method
        self.target = target
        self.path = path
        self.query = query
        self.version = version
        self.headers = headers
        self.body = body
        self.keepAlive = keepAlive
        self.expectation = expectation
        self.wasChunked = wasChunked
    }

    /// The first query value of that name.
    public func queryValue(_ name: String) -> String? {
        query.first { $0.name == name }?.value
    }
}
