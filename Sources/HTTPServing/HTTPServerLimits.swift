public import HTTPWire
/// What one client may hold of the server: hostile or broken clients are cut off, never waited on.
public struct HTTPServerLimits: Sendable, Equatable {
    public var http: HTTPLimits
    /// TCP connections open at once. When all are taken, a newcomer closes the one idle longest
    /// (waiting for a request, nothing of it received); when none is idle it is answered 503.
    public var maximumConnections: Int
    /// The same for the Unix socket, counted apart: local admins get in whatever TCP clients hold.
    public var maximumLocalConnections: Int
    /// A request's head must arrive whole within this from when the connection opened or its last
    /// response was written: a silent connection is closed, one partway through a head gets 408.
    public var headerTimeout: Duration
    /// A request must arrive whole within this, from its first byte (slow clients are cut off
    /// with 408).
    public var requestTimeout: Duration
    /// Unsent output beyond this (a client that stopped reading its event stream) closes it.
    public var maximumPendingOutput: Int
    /// A connection that is ending (its last response or an error written) is closed after this
    /// even when the client has not taken all of it: one that never reads must not keep its slot.
    public var closeTimeout: Duration

    public init(
        http: HTTPLimits = HTTPLimits(), maximumConnections: Int = 256, maximumLocalConnections: Int = 64,
        headerTimeout: Duration = .seconds(10), requestTimeout: Duration = .seconds(10), maximumPendingOutput: Int = 4 << 20,
        closeTimeout: Duration = .seconds(10)
    ) {
        self.http = http
        self.maximumConnections = maximumConnections
        self.maximumLocalConnections = maximumLocalConnections
        self.headerTimeout = headerTimeout
        self.requestTimeout = requestTimeout
        self.maximumPendingOutput = maximumPendingOutput
        self.closeTimeout = closeTimeout
    }
}

/// Where a request came from, for permissions, rate limits and the audit log.
public struct RequestContext: Sendable, Equatable {
    /// `127.0.0.1`, `::1`, or `unix` for the local socket.
    public var peer: String
    public var connectionID: Int

    /// Came through the Unix socket: the caller passed its file permissions.
    public var isLocalSocket: Bool { peer == "unix" }

    public init(peer: String, connectionID: Int) {
        self.peer = peer
        self.connectionID = connectionID
    }
}
