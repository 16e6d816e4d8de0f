public import HTTPWire
import Dispatch
public import SystemSupport

#if canImport(Glibc)
import Glibc
#endif

/// A small HTTP/1.1 server on its own thread: TCP and Unix-socket listeners, keep-alive,
/// pipelined requests answered in order, event streams, and hard limits on what a client may
/// hold (connections, header and body size, time to send a request, unread output). When full,
/// it closes the connection idle longest to admit a newcomer; the Unix socket is counted apart.
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
    /// The Unix sockets' files, removed by `shutdown` so a clean stop leaves none behind.
    private var socketFiles: [LocalSocketFile] = []
    private var connections: [Int: Connection] = [:]
    private let networkPool: ConnectionPool
    private let localPool: ConnectionPool
    private var nextID = 0
    /// Accepts that failed in a row (out of descriptors, say); 0 when the last one worked.
    private var failedAccepts = 0
    private var dateCache = HTTPDateCache()
    /// Called on the server's thread when a connection closes (an event stream's client left).
    private var closeObservers: [Int: @Sendable () -> Void] = [:]

    public init(limits: HTTPServerLimits = HTTPServerLimits(), logger: Logger, handler: @escaping Handler) throws(SystemCallError) {
        loop = try EventLoop(name: "http")
        self.limits = limits
        self.logger = logger
        self.handler = handler
        networkPool = ConnectionPool(capacity: limits.maximumConnections)
        localPool = ConnectionPool(capacity: limits.maximumLocalConnections)
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

    /// Listens on a Unix-domain socket with file mode `mode`; `shutdown` removes its file.
    public func listen(path: String, mode: UInt32 = 0o660) throws(SystemCallError) {
        let fd = try Socket.listenLocal(path: path, mode: mode)
        adopt(listener: fd, socketFile: LocalSocketFile(boundAt: path))
    }

    /// Accepts on `fd`, a listening socket bound by the caller (before it opened anything
    /// else); the server owns it from now on. `socketFile` is removed by `shutdown`.
    public func adopt(listener fd: Int32, socketFile: LocalSocketFile? = nil) {
        loop.execute { [self] in
            if let socketFile { socketFiles.append(socketFile) }
            addListener(fd)
        }
    }

    /// Tells `observer` (once, on the server's thread) when the connection closes.
    public func onClose(of connectionID: Int, _ observer: @escaping @Sendable () -> Void) {
        loop.execute { [self] in
            if connections[connectionID] == nil { observer() } else { closeObservers[connectionID] = observer }
        }
    }

    /// Stops listening, removes the Unix sockets' files and closes every connection.
    public func shutdown() {
        let done = DispatchSemaphore(value: 0)
        loop.execute { [self] in
            // Removed while still listening: another daemon starting now finds the path live
            // (and leaves it) or gone, never stale with our file in it.
            for file in socketFiles { file.remove() }
            socketFiles.removeAll()
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

    /// How long, and how much input, a closing connection drains before it is closed anyway.
    static let drainTimeout = Duration.seconds(1)
    static let drainLimit = 64 << 10
    /// How long the listeners are left alone after an accept failed (out of descriptors): the
    /// pending connection keeps them readable, and polling them would spin.
    static let acceptRetryDelay = Duration.milliseconds(100)

    private func addListener(_ fd: Int32) {
        listeners.append(fd)
        watch(listener: fd)
    }

    private func watch(listener fd: Int32) {
        loop.register(fd: fd, interest: .read) { [unowned self] _ in acceptAll(fd) }
    }

    private func acceptAll(_ listener: Int32) {
        while true {
            let accepted: (fd: Int32, peer: String)?
            do {
                accepted = try Socket.acceptPeer(listener)
            } catch {
                acceptFailed(listener, error)
                return
            }
            guard let (fd, peer) = accepted else { return }
            acceptSucceeded()
            let pool = peer == "unix" ? localPool : networkPool
            guard makeRoom(in: pool) else {
                refuse(fd, peer: peer)
                continue
            }
            nextID += 1
            let connection = Connection(id: nextID, fd: fd, peer: peer, pool: pool, limits: limits.http)
            connections[connection.id] = connection
            pool.opened()
            loop.register(fd: fd, interest: .read) { [unowned self] events in ready(connection, events) }
            awaitRequest(connection)
            settle(connection)
        }
    }

    /// Whether `pool` has room for one more, once the connection idle longest, if it is full, is
    /// closed: none of a request of its has arrived, so closing it loses nothing. It is read
    /// first, as one accepted in the same burst may hold a request not yet polled for.
    private func makeRoom(in pool: ConnectionPool) -> Bool {
        while pool.isFull, let id = pool.longestIdle, let idle = connections[id] {
            read(idle)  // leaves the idle list if a request came or the client left
            guard connections[id] != nil, idle.isIdle else { continue }
            logger.debug("api.idle_connection_closed", [("peer", .string(idle.peer)), ("reason", "room for a new connection")])
            closeConnection(id)
        }
        return !pool.isFull
    }

    private func refuse(_ fd: Int32, peer: String) {
        let busy = HTTPResponse.error(.serviceUnavailable, code: "too_many_connections", message: "too many connections")
        let bytes = busy.serialized(keepAlive: false, date: currentDate())
        _ = bytes.withUnsafeBytes { try? Socket.write(fd, from: $0) }
        Socket.close(fd)
        logger.warning("api.connection_refused", [("peer", .string(peer)), ("reason", "too many connections")])
    }

    /// Out of descriptors (EMFILE, ENFILE) or memory, accept fails while the pending connection
    /// keeps the listener readable: polling it would spin and log without end. So the listener
    /// leaves the poll set for a moment, and one line is logged per episode, not per attempt.
    private func acceptFailed(_ listener: Int32, _ error: SystemCallError) {
        if failedAccepts == 0 { logger.warning("api.accept_failed", [("error", .string(error.description))]) }
        failedAccepts += 1
        loop.deregister(fd: listener)
        loop.schedule(after: Self.acceptRetryDelay) { [unowned self] in
            guard listeners.contains(listener) else { return }  // closed by `shutdown` meanwhile
            watch(listener: listener)
        }
    }

    private func acceptSucceeded() {
        guard failedAccepts > 0 else { return }
        logger.notice("api.accept_resumed", [("failed_attempts", .int(failedAccepts))])
        failedAccepts = 0
    }

    private func ready(_ connection: Connection, _ events: IOEvents) {
        if events.contains(.write) { flush(connection) }
        guard connections[connection.id] != nil else { return }
        if events.contains(.read) {
            read(connection)
        } else if !events.isDisjoint(with: .hangup) {
            // Reported even while reading waits: the peer is gone or reset the connection, and
            // nothing more can reach it.
            closeConnection(connection.id)
        }
    }

    private func read(_ connection: Connection) {
        var chunk = [UInt8](repeating: 0, count: 16 << 10)
        reading: while connections[connection.id] != nil, connection.wantsInput {
            let result: IOResult
            do {
                result = try chunk.withUnsafeMutableBytes { buffer throws(SystemCallError) in try Socket.read(connection.fd, into: buffer) }
            } catch {
                closeConnection(connection.id)
                return
            }
            switch result {
            case .processed(let count):
                received(chunk[0..<count], on: connection)
            case .endOfFile:
                inputEnded(connection)
                break reading
            case .wouldBlock:
                break reading
            }
        }
        guard connections[connection.id] != nil else { return }
        settle(connection)
    }

    private func received(_ bytes: ArraySlice<UInt8>, on connection: Connection) {
        switch connection.ending {
        case .draining(let discarded):
            let total = discarded + bytes.count
            if total > Self.drainLimit { closeConnection(connection.id) } else { connection.ending = .draining(discarded: total) }
        case .closing:
            break  // not read from while closing
        case .open:
            guard !connection.streaming else { return }  // an event stream's client has nothing more to say
            connection.decoder.append(bytes)
            process(connection)
        }
    }

    /// The client shut down its side (or closed). Requests it sent are still answered: the one
    /// with the handler, those pipelined behind it, and output not yet flushed; then it closes.
    private func inputEnded(_ connection: Connection) {
        connection.inputClosed = true
        guard connection.ending == .open, !connection.streaming else {
            closeConnection(connection.id)  // drained, or an event stream's client left
            return
        }
        process(connection)
    }

    private func process(_ connection: Connection) {
        while !connection.busy, !connection.streaming, connection.ending == .open, connections[connection.id] != nil {
            let request: HTTPRequest?
            do {
                request = try connection.decoder.next()
            } catch {
                logger.info(
                    "api.bad_request",
                    [("peer", .string(connection.peer)), ("status", .int(error.status.code)), ("error", .string(error.reason))])
                write(HTTPResponse.error(error).serialized(keepAlive: false, date: currentDate()), to: connection)
                closeAfterFlushing(connection)
                return
            }
            guard let request else {
                awaitMore(connection)
                return
            }
            connection.busy = true
            connection.timer.map(loop.cancel)
            connection.timer = nil
            connection.headerDeadline = nil
            connection.requestDeadline = nil
            connection.armedDeadline = nil
            let responder = HTTPResponder(server: self, connectionID: connection.id, keepAlive: request.keepAlive)
            handler(request, RequestContext(peer: connection.peer, connectionID: connection.id), responder)
        }
    }

    /// No whole request is buffered: wait for the rest, or end when no more can come.
    private func awaitMore(_ connection: Connection) {
        if connection.inputClosed {
            closeAfterFlushing(connection)
            return
        }
        if connection.decoder.awaitingContinue != nil {
            write(HTTPResponse(status: .continue).serialized(keepAlive: true, date: nil), to: connection)
            connection.decoder.continueSent()
            flush(connection)
        }
        guard connections[connection.id] != nil, connection.decoder.hasPartialRequest else { return }
        // From the first byte: more bytes do not extend it (a client trickling a byte a second
        // is cut off all the same).
        if connection.requestDeadline == nil { connection.requestDeadline = .now.advanced(by: limits.requestTimeout) }
        if connection.decoder.hasHead { connection.headerDeadline = nil }
        armRequestDeadline(connection)
    }

    func finish(_ id: Int, with response: HTTPResponse, keepAlive: Bool) {
        guard let connection = connections[id], connection.busy else { return }
        connection.busy = false
        write(response.serialized(keepAlive: keepAlive, date: currentDate()), to: connection)
        guard keepAlive else {
            closeAfterFlushing(connection)
            return
        }
        flush(connection)
        guard connections[id] != nil else { return }
        awaitRequest(connection)
        process(connection)
        // Reading may have waited while the request was handled.
        if connections[id] != nil { settle(connection) }
    }

    func startStream(_ id: Int, head: HTTPResponse) {
        guard let connection = connections[id], connection.busy else { return }
        guard !connection.inputClosed else {
            closeConnection(id)  // the client has left: an event stream ends with its input
            return
        }
        connection.busy = false
        connection.streaming = true
        connection.timer.map(loop.cancel)
        connection.timer = nil
        write(head.serializedStreamHead(date: currentDate()), to: connection)
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
            logger.warning("api.slow_client", [("peer", .string(connection.peer)), ("pending_bytes", .int(connection.pending))])
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
            guard case .processed(let count) = result else { break }  // the socket is full: wait for POLLOUT
            connection.outputOffset += count
        }
        settle(connection)
        if connection.pending == 0, connection.ending == .closing { startDraining(connection) }
    }

    /// After any change of the connection's state: files it as idle or not, and polls for reading
    /// when it wants input, for writing while output is pending.
    private func settle(_ connection: Connection) {
        connection.pool.update(connection.id, idle: connection.isIdle)
        var interest: IOEvents = []
        if connection.wantsInput { interest.insert(.read) }
        if connection.pending > 0 { interest.insert(.write) }
        guard interest != connection.interest else { return }
        connection.interest = interest
        loop.setInterest(fd: connection.fd, interest)
    }

    /// Ends the connection once its output is out. Nothing else bounds that (the request timer
    /// stopped when the request was handed over), so a client that never reads gets
    /// `closeTimeout`, not its slot forever.
    private func closeAfterFlushing(_ connection: Connection) {
        guard connections[connection.id] != nil else { return }
        connection.ending = .closing
        flush(connection)
        guard connections[connection.id] != nil, connection.ending == .closing else { return }
        arm(connection, after: limits.closeTimeout) { [unowned self] connection in
            logger.info("api.close_timeout", [("peer", .string(connection.peer)), ("pending_bytes", .int(connection.pending))])
            closeConnection(connection.id)
        }
    }

    /// Everything is written: close at once if the client's input has ended, else shut down our
    /// side and drain what it still sends (see `Ending.draining`).
    private func startDraining(_ connection: Connection) {
        guard !connection.inputClosed else {
            closeConnection(connection.id)
            return
        }
        Socket.shutdownOutput(connection.fd)
        connection.ending = .draining(discarded: 0)
        settle(connection)
        arm(connection, after: Self.drainTimeout) { [unowned self] connection in closeConnection(connection.id) }
    }

    /// The connection waits for a request (it was accepted, or its last response written): its
    /// head must arrive within `headerTimeout` from now.
    private func awaitRequest(_ connection: Connection) {
        connection.headerDeadline = .now.advanced(by: limits.headerTimeout)
        connection.requestDeadline = nil
        armRequestDeadline(connection)
    }

    /// Sets the timer for the nearer of the head's and the whole request's deadlines.
    private func armRequestDeadline(_ connection: Connection) {
        guard let deadline = [connection.headerDeadline, connection.requestDeadline].compactMap({ $0 }).min(),
            deadline != connection.armedDeadline
        else { return }
        arm(connection, at: deadline) { [unowned self] connection in requestDeadlinePassed(connection) }
        connection.armedDeadline = deadline
    }

    /// A silent connection is closed (there is nothing to answer); one partway through a request
    /// gets 408.
    private func requestDeadlinePassed(_ connection: Connection) {
        guard !connection.busy, !connection.streaming, connection.ending == .open else { return }
        guard connection.decoder.hasPartialRequest else {
            logger.debug("api.idle_connection_closed", [("peer", .string(connection.peer)), ("reason", "no request in time")])
            closeConnection(connection.id)
            return
        }
        logger.info("api.request_timeout", [("peer", .string(connection.peer))])
        write(HTTPResponse.error(.requestTimeout, code: "request_timeout", message: "the request did not arrive in time")
            .serialized(keepAlive: false, date: currentDate()), to: connection)
        closeAfterFlushing(connection)
    }

    /// Replaces the connection's timer: `work` runs after `delay` if the connection is still open.
    private func arm(_ connection: Connection, after delay: Duration, _ work: @escaping (Connection) -> Void) {
        arm(connection, at: .now.advanced(by: delay), work)
    }

    private func arm(_ connection: Connection, at deadline: ContinuousClock.Instant, _ work: @escaping (Connection) -> Void) {
        connection.timer.map(loop.cancel)
        connection.armedDeadline = nil
        let id = connection.id
        connection.timer = loop.schedule(at: deadline) { [unowned self] in
            guard let connection = connections[id] else { return }
            connection.timer = nil
            connection.armedDeadline = nil
            work(connection)
        }
    }

    /// The `Date` header's value for a response written now.
    private func currentDate() -> String? {
        dateCache.value(at: Int(time(nil)))
    }

    func closeConnection(_ id: Int) {
        guard let connection = connections.removeValue(forKey: id) else { return }
        connection.pool.closed(id)
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
