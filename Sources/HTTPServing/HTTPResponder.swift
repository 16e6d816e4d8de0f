public import HTTPWire
/// Answers one request, from any thread, exactly once: with a whole response, or by turning the
/// connection into an event stream.
public final class HTTPResponder: Sendable {
    let server: HTTPServer
    public let connectionID: Int
    let keepAlive: Bool

    init(server: HTTPServer, connectionID: Int, keepAlive: Bool) {
        self.server = server
        self.connectionID = connectionID
        self.keepAlive = keepAlive
    }

    public func respond(_ response: HTTPResponse) {
        server.loop.execute { [server, connectionID, keepAlive] in
            server.finish(connectionID, with: response, keepAlive: keepAlive)
        }
    }

    /// Answers with what `render` makes, made on the server's thread: a caller on a busy thread
    /// (the daemon's) hands over the values and not the work of serializing them.
    public func respond(rendering render: @escaping @Sendable () -> HTTPResponse) {
        server.loop.execute { [server, connectionID, keepAlive] in
            server.finish(connectionID, with: render(), keepAlive: keepAlive)
        }
    }

    /// Writes `head` (no length: the body is streamed until the connection closes) and hands
    /// back the stream to write events into.
    public func startStream(_ head: HTTPResponse) -> HTTPEventStream {
        let stream = HTTPEventStream(server: server, connectionID: connectionID)
        server.loop.execute { [server, connectionID] in server.startStream(connectionID, head: head) }
        return stream
    }
}

/// A response body written piece by piece (server-sent events) until either side closes.
public final class HTTPEventStream: Sendable {
    let server: HTTPServer
    public let connectionID: Int

    init(server: HTTPServer, connectionID: Int) {
        self.server = server
        self.connectionID = connectionID
    }

    /// Queues bytes; `onClosed` of the server tells when the client went away.
    public func send(_ bytes: [UInt8]) {
        server.loop.execute { [server, connectionID] in server.streamWrite(connectionID, bytes) }
    }

    /// Tells `observer` once, on the server's thread, when the stream ends (the client left,
    /// fell too far behind, or the server shut down).
    public func onClose(_ observer: @escaping @Sendable () -> Void) {
        server.onClose(of: connectionID, observer)
    }

    public func close() {
        server.loop.execute { [server, connectionID] in server.closeConnection(connectionID) }
    }
}
