#if canImport(Glibc)
import Glibc
#endif
import SystemSupport

/// A point in time by which something must happen, and the limit it came from (for the message).
struct Deadline: Sendable {
    let instant: ContinuousClock.Instant
    let limit: Duration

    static func after(_ limit: Duration) -> Deadline { Deadline(instant: .now.advanced(by: limit), limit: limit) }

    var seconds: Double { Double(limit.components.seconds) + Double(limit.components.attoseconds) / 1e18 }

    /// For `poll(2)`: at least 1 ms while time is left (rounded up, so it never spins), 0 after.
    var remainingMilliseconds: Int32 {
        let left = ContinuousClock.now.duration(to: instant)
        guard left > .zero else { return 0 }
        let (seconds, attoseconds) = left.components
        return Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1)
    }
}

/// One connection to the daemon with blocking reads and writes that give up at a deadline and
/// stop at once when a `Cancellation` fires. The descriptor is non-blocking underneath: every
/// wait is a `poll(2)` on it and on the cancellation's pipe.
final class ClientSocket {
    let endpoint: Endpoint
    private let fd: Int32
    private let cancellation: Cancellation?

    private init(fd: Int32, endpoint: Endpoint, cancellation: Cancellation?) {
        self.fd = fd
        self.endpoint = endpoint
        self.cancellation = cancellation
    }

    deinit { Socket.close(fd) }

    static func connect(to endpoint: Endpoint, deadline: Deadline?, cancellation: Cancellation?) throws(CtlError) -> ClientSocket {
        switch endpoint {
        case .socket(let path):
            let fd: Int32
            do {
                fd = try Socket.connectLocal(path: path)
            } catch {
                throw unreachable(endpoint, error.code)
            }
            let socket = ClientSocket(fd: fd, endpoint: endpoint, cancellation: cancellation)
            try socket.finishConnect(deadline: deadline)
            return socket
        case .http(let host, let port, _):
            let addresses: [SocketAddress]
            do {
                addresses = try SocketAddress.resolve(host: host, port: port)
            } catch {
                throw .unreachable(endpoint: endpoint.description, reason: "cannot resolve '\(host)'", permissionDenied: false)
            }
            var lastError = CtlError.unreachable(endpoint: endpoint.description, reason: "no address for '\(host)'", permissionDenied: false)
            // Each address in turn (localhost may be ::1 and 127.0.0.1; the daemon listens on one).
            for address in addresses {
                do {
                    let socket = ClientSocket(fd: try Socket.startConnect(to: address), endpoint: endpoint, cancellation: cancellation)
                    try socket.finishConnect(deadline: deadline)
                    return socket
                } catch let error as SystemCallError {
                    lastError = unreachable(endpoint, error.code)
                } catch let error as CtlError {
                    guard case .unreachable = error else { throw error }
                    lastError = error
                } catch {
                    lastError = .unreachable(endpoint: endpoint.description, reason: "\(error)", permissionDenied: false)
                }
            }
            throw lastError
        }
    }

    private static func unreachable(_ endpoint: Endpoint, _ code: Int32) -> CtlError {
        var reason = String(cString: strerror(code))
        if case .socket = endpoint, code == ENOENT || code == ECONNREFUSED {
            reason += " (is ccagentd running, with [api] socket set? --url reaches it over HTTP)"
        }
        return .unreachable(endpoint: endpoint.description, reason: reason, permissionDenied: code == EACCES || code == EPERM)
    }

    private func finishConnect(deadline: Deadline?) throws(CtlError) {
        try wait(for: Int16(POLLOUT), deadline: deadline)
        let code = Socket.pendingError(fd)
        if code != 0 { throw Self.unreachable(endpoint, code) }
    }

    func write(_ bytes: [UInt8], deadline: Deadline?) throws(CtlError) {
        var offset = 0
        while offset < bytes.count {
            let result = bytes.withUnsafeBytes { raw in
                Result { () throws(SystemCallError) in try Socket.write(fd, from: UnsafeRawBufferPointer(rebasing: raw[offset...])) }
            }
            switch result {
            case .failure(let error): throw lost(error)
            case .success(.processed(let count)): offset += count
            case .success(.wouldBlock), .success(.endOfFile): try wait(for: Int16(POLLOUT), deadline: deadline)
            }
        }
    }

    /// Up to `capacity` bytes, waiting for at least one; empty at end of stream.
    func read(capacity: Int = 16 << 10, deadline: Deadline?) throws(CtlError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: capacity)
        while true {
            let result = buffer.withUnsafeMutableBytes { raw in Result { () throws(SystemCallError) in try Socket.read(fd, into: raw) } }
            switch result {
            case .failure(let error): throw lost(error)
            case .success(.processed(let count)): return Array(buffer[0..<count])
            case .success(.endOfFile): return []
            case .success(.wouldBlock): try wait(for: Int16(POLLIN), deadline: deadline)
            }
        }
    }

    private func lost(_ error: SystemCallError) -> CtlError {
        .connectionLost(endpoint: endpoint.description, reason: String(cString: strerror(error.code)))
    }

    /// Until the socket is ready for `events` (or has an error or hang-up for the next call to
    /// find), the deadline passes, or the cancellation fires.
    private func wait(for events: Int16, deadline: Deadline?) throws(CtlError) {
        var fds = [pollfd(fd: fd, events: events, revents: 0)]
        if let cancellation { fds.append(pollfd(fd: cancellation.readFD, events: Int16(POLLIN), revents: 0)) }
        while true {
            if cancellation?.isCancelled == true { throw .cancelled }
            let timeout = deadline?.remainingMilliseconds ?? -1
            let count = poll(&fds, nfds_t(fds.count), timeout)
            if count < 0 {
                let code = errno
                if code == EINTR { continue }
                throw lost(SystemCallError(call: "poll", code: code))
            }
            if cancellation?.isCancelled == true { throw .cancelled }
            if count > 0, fds[0].revents != 0 { return }
            if let deadline, deadline.remainingMilliseconds == 0 {
                throw .timedOut(endpoint: endpoint.description, seconds: deadline.seconds)
            }
        }
    }
}
