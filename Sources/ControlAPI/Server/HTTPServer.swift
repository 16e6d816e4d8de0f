import Dispatch
public import SystemSupport

/// A small HTTP/1.1 server on its own thread: TCP and Unix-socket listeners, keep-alive,
/// pipelined requests answered in order, event streams, and hard limits on what a client may
/// hold (connections, header and body size, time to send a request, unread output).
///
/// The handler is called on the server's thread; it must answer through the responder, at once
/// or later from any thread.
public final class HTTPServer: @unchecked Sendable {
    // @unchecked: every stored `var` is touched on `loop`'s thread only.
    public typealias Handler = @Sendable (HTTPRequest, RequestContext, HTTPResponder) -> Void

    let loop: EventLoop
    let limits: HTTPServerLimits
    let logger: Logger
    private let handler: Handler
    private var listeners: [Int32] = []
    private var connections: [Int: Connection] = [:]
    private var nextID = 0
    /// Called on the server's thread when a connection closes (an event stream's client left).
    private var closeObservers: [Int: @Sendable () -> Void] = [:]

    public init(limits: HTTPServerLimits = HTTPServerLimits(), logger: Logger, handler: @escaping Handler) throws(SystemCallError) {
        loop = try EventLoop(name: "http")
        self.limits = limits
        self.logger = logger
        self.handler = handler
    }

    deinit { loop.shutdown() }

    /// Listens on TCP `host:port` (0: a free port); returns the bound port.
    public func listen(host: String, port: Int) throws(SystemCallError) -> Int {
        guard let address = try SocketAddress.resolve(host: host, port: port).first else {
            throw SystemCallError(call: "resolve(\(host))", code: 2)
        }
        let fd = try Socket.listen(on: address)
        let bound = try Socket.localAddress(fd).port
        loop.execute { [self] in addListener(fd) }
        return bound
    }

    /// Listens on a Unix-domain socket with file mode `mode`.
    public func listen(path: String, mode: UInt32 = 0o660) throws(SystemCallError) {
        let fd = try Socket.listenLocal(path: path, mode: mode)
        loop.execute { [self] in addListener(fd) }
    }

    /// Tells `observer` (once, on the server's thread) when the connection closes.
    public func onClose(of connectionID: Int, _ observer: @escaping @Sendable () -> Void) {
        loop.execute { [self] in
            if connections[connectionID] == nil { observer() } else { closeObservers[connectionID] = observer }
        }
    }

    /// Stops listening and closes every connection.
    public func shutdown() {
        let done = DispatchSemaphore(value: 0)
        loop.execute { [self] in
            for fd in listeners {
                loop.deregister(fd: fd)
                Socket.close(fd)
            }
            listeners.removeAll()
            for id in Array(connections.keys) { closeConnection(id) }
            done.signal()
        }
        done.wait()
    }

    public var connectionCount: Int {
        let result = SendableBox(0)
        let done = DispatchSemaphore(value: 0)
        loop.execute { [self] in
            result.value = connections.count
            done.signal()
        }
        done.wait()
        return result.value
    }

    // MARK: Loop thread

    final class Connection {
        let id: Int
        let fd: Int32
        let peer: String
        var decoder: HTTPRequestDecoder
        var output: [UInt8] = []
        var outputOffset = 0
        /// A request is with the handler: the next (pipelined) one waits.
        var busy = false
        var streaming = false
        var closeAfterFlush = false
        var timer: TimerID?
        var requestTimerArmed = false
        var writable = false

        init(id: Int, fd: Int32, peer: String, limits: HTTPLimits) {
            self.id = id
            self.fd = fd
            self.peer = peer
            decoder = HTTPRequestDecoder(limits: limits)
        }

        var pending: Int { output.count - outputOffset }
    }

    private func addListener(_ fd: Int32) {
        listeners.append(fd)
        loop.register(fd: fd, interest: .read) { [unowned self] _ in acceptAll(fd) }
    }

    private func acceptAll(_ listener: Int32) {
        while true {
            let accepted: (fd: Int32, peer: String)?
            do {
                accepted = try Socket.acceptPeer(listener)
            } catch {
                logger.warning("api.accept_failed", [("error", error.description)])
                return
            }
            guard let (fd, peer) = accepted else { return }
            guard connections.count < limits.maximumConnections else {
                let busy = HTTPResponse.error(.serviceUnavailable, code: "too_many_connections", message: "too many connections")
                let bytes = busy.serialized(keepAlive: false, date: nil)
                _ = bytes.withUnsafeBytes { try? Socket.write(fd, from: $0) }
                Socket.close(fd)
                logger.warning("api.connection_refused", [("peer", peer), ("reason", "too many connections")])
                continue
            }
            nextID += 1
            let connection = Connection(id: nextID, fd: fd, peer: peer, limits: limits.http)
            connections[connection.id] = connection
            loop.register(fd: fd, interest: .read) { [unowned self] events in ready(connection, events) }
            armIdle(connection)
        }
    }

    private func ready(_ connection: Connection, _ events: IOEvents) {
        if events.contains(.write) { flush(connection) }
        guard connections[connection.id] != nil else { return }
        if events.contains(.read) || events.contains(.hangup) { read(connection) }
    }

    private func read(_ connection: Connection) {
        var chunk = [UInt8](repeating: 0, count: 16 << 10)
        while connections[connection.id] != nil {
            let result: IOResult
            do {
                result = try chunk.withUnsafeMutableBytes { buffer throws(SystemCallError) in try Socket.read(connection.fd, into: buffer) }
            } catch {
                closeConnection(connection.id)
                return
            }
            switch result {
            case .processed(let count):
                if connection.streaming || connection.closeAfterFlush { continue }  // nothing more is read from it
                connection.decoder.append(chunk[0..<count])
                process(connection)
            case .endOfFile:
                closeConnection(connection.id)
                return
            case .wouldBlock:
                return
            }
        }
    }

    private func process(_ connection: Connection) {
        while !connection.busy, !connection.streaming, !connection.closeAfterFlush, connections[connection.id] != nil {
            let request: HTTPRequest?
            do {
                request = try connection.decoder.next()
            } catch {
                logger.info("api.bad_request", [("peer", connection.peer), ("status", String(error.status.code)), ("error", error.reason)])
                write(HTTPResponse.error(error).serialized(keepAlive: false, date: nil), to: connection)
                connection.closeAfterFlush = true
                flush(connection)
                return
            }
            guard let request else {
                if connection.decoder.awaitingContinue != nil {
                    write(HTTPResponse(status: .continue).serialized(keepAlive: true, date: nil), to: connection)
                    connection.decoder.continueSent()
                    flush(connection)
                }
                if connection.decoder.hasPartialRequest { armRequestTimeout(connection) }
                return
            }
            connection.busy = true
            connection.timer.map(loop.cancel)
            connection.timer = nil
            connection.requestTimerArmed = false
            let responder = HTTPResponder(server: self, connectionID: connection.id, keepAlive: request.keepAlive)
            handler(request, RequestContext(peer: connection.peer, connectionID: connection.id), responder)
        }
    }

    func finish(_ id: Int, with response: HTTPResponse, keepAlive: Bool) {
        guard let connection = connections[id], connection.busy else { return }
        connection.busy = false
        write(response.serialized(keepAlive: keepAlive, date: nil), to: connection)
        if !keepAlive { connection.closeAfterFlush = true }
        flush(connection)
        guard connections[id] != nil, !connection.closeAfterFlush else { return }
        armIdle(connection)
        process(connection)
    }

    func startStream(_ id: Int, head: HTTPResponse) {
        guard let connection = connections[id], connection.busy else { return }
        connection.busy = false
        connection.streaming = true
        connection.timer.map(loop.cancel)
        connection.timer = nil
        write(head.serializedStreamHead(date: nil), to: connection)
        flush(connection)
    }

    func streamWrite(_ id: Int, _ bytes: [UInt8]) {
        guard let connection = connections[id], connection.streaming else { return }
        write(bytes, to: connection)
        flush(connection)
    }

    private func write(_ bytes: [UInt8], to connection: Connection) {
        if connection.outputOffset > 0, connection.outputOffset == connection.output.count {
            connection.output.removeAll(keepingCapacity: true)
            connection.outputOffset = 0
        }
        connection.output += bytes
        if connection.pending > limits.maximumPendingOutput {
            logger.warning("api.slow_client", [("peer", connection.peer), ("pending_bytes", String(connection.pending))])
            closeConnection(connection.id)
        }
    }

    private func flush(_ connection: Connection) {
        guard connections[connection.id] != nil else { return }
        while connection.pending > 0 {
            let result: IOResult
            do {
                result = try connection.output.withUnsafeBytes { raw throws(SystemCallError) in
                    try Socket.write(connection.fd, from: UnsafeRawBufferPointer(rebasing: raw[connection.outputOffset...]))
                }
            } catch {
                closeConnection(connection.id)
                return
            }
            switch result {
            case .processed(let count):
                connection.outputOffset += count
            case .wouldBlock, .endOfFile:
                if !connection.writable {
                    connection.writable = true
                    loop.setInterest(fd: connection.fd, [.read, .write])
                }
                return
            }
        }
        if connection.writable {
            connection.writable = false
            loop.setInterest(fd: connection.fd, .read)
        }
        if connection.closeAfterFlush { closeConnection(connection.id) }
    }

    private func armIdle(_ connection: Connection) {
        connection.timer.map(loop.cancel)
        connection.requestTimerArmed = false
        let id = connection.id
        connection.timer = loop.schedule(after: limits.idleTimeout) { [unowned self] in
            guard let connection = connections[id], !connection.busy, !connection.streaming else { return }
            connection.timer = nil
            closeConnection(id)
        }
    }

    /// From the first byte of a request: more bytes do not extend it (a client trickling a
    /// byte a second is cut off all the same).
    private func armRequestTimeout(_ connection: Connection) {
        guard !connection.requestTimerArmed else { return }
        connection.timer.map(loop.cancel)
        connection.requestTimerArmed = true
        let id = connection.id
        connection.timer = loop.schedule(after: limits.requestTimeout) { [unowned self] in
            guard let connection = connections[id], !connection.busy, !connection.streaming else { return }
            connection.timer = nil
            logger.info("api.request_timeout", [("peer", connection.peer)])
            write(HTTPResponse.error(.requestTimeout, code: "request_timeout", message: "the request did not arrive in time")
                .serialized(keepAlive: false, date: nil), to: connection)
            connection.closeAfterFlush = true
            flush(connection)
        }
    }

    func closeConnection(_ id: Int) {
        guard let connection = connections.removeValue(forKey: id) else { return }
        connection.timer.map(loop.cancel)
        loop.deregister(fd: connection.fd)
        Socket.close(connection.fd)
        closeObservers.removeValue(forKey: id)?()
    }
}

/// A value carried out of the loop by a caller that waits for it.
final class SendableBox<T>: @unchecked Sendable {
    var value: T
    init(_ value: T) { self.value = value }
}
