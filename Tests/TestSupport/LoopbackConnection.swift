#if canImport(Glibc)
import Glibc
#endif
public import SystemSupport

/// A test's client connection to a server on this machine (TCP on loopback or a Unix socket),
/// made with `SystemSupport.Socket`. It sends exactly the bytes it is given and waits for
/// answers under deadlines, so a server that never answers fails the test instead of hanging it.
public final class LoopbackConnection {
    /// One wait for bytes.
    public enum ReadResult: Equatable {
        case bytes([UInt8])
        case closed
        case timedOut
        case failed(errno: Int32)
    }

    public let fd: Int32
    /// Every byte `read(timeout:until:)` and `receive(until:timeout:)` took, in order.
    public private(set) var received: [UInt8] = []
    /// True once the peer closed (or reset) the connection, or `close()` was called.
    public private(set) var closed = false
    /// Why the last read stopped short of its condition: `ETIMEDOUT` at its deadline, or the
    /// `errno` of a failed read (`ECONNRESET`); nil when the condition held or the peer closed.
    public private(set) var readError: Int32?
    private var released = false

    /// Connects to `host`:`port`, waiting at most `timeout` for the connection to complete.
    public convenience init(port: Int, host: String = "127.0.0.1", timeout: Duration = .seconds(5)) throws {
        guard let address = try SocketAddress.resolve(host: host, port: port).first else {
            throw TestSupportError("\(host) does not resolve")
        }
        try self.init(address: address, timeout: timeout)
    }

    /// Connects to `address`; `socket(2)` is the only descriptor it takes.
    public init(address: SocketAddress, timeout: Duration = .seconds(5)) throws {
        fd = try Socket.startConnect(to: address)
        var entry = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        let ready = poll(&entry, 1, timeout.pollMilliseconds)
        let code = ready > 0 ? Socket.pendingError(fd) : ETIMEDOUT
        guard code == 0 else {
            Socket.close(fd)
            throw TestSupportError("connect to \(address) failed: \(String(cString: strerror(code)))")
        }
    }

    /// Connects to the Unix-domain socket at `path`.
    public init(socketPath path: String) throws {
        fd = try Socket.connectLocal(path: path)
    }

    deinit { close() }

    /// Closes the connection (the client goes away); again does nothing.
    public func close() {
        guard !released else { return }
        released = true
        closed = true
        Socket.close(fd)
    }

    /// Limits the kernel's receive buffer, so a client that stops reading soon holds the server's
    /// writes back.
    public func setReceiveBufferSize(_ bytes: Int32) {
        var size = bytes
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
    }

    // MARK: Sending

    /// Sends all of `bytes`, waiting while the socket is full; nil when all went, else the
    /// `errno` that stopped it (`EPIPE`, `ECONNRESET`; `ETIMEDOUT` when the peer took nothing for
    /// `timeout`).
    @discardableResult
    public func send(_ bytes: [UInt8], timeout: Duration = .seconds(10)) -> Int32? {
        var offset = 0
        while offset < bytes.count {
            do {
                switch try bytes[offset...].withUnsafeBytes({ (buffer) throws(SystemCallError) in try Socket.write(fd, from: buffer) }) {
                case .processed(let n): offset += n
                case .endOfFile: return EPIPE
                case .wouldBlock:
                    var entry = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                    if poll(&entry, 1, timeout.pollMilliseconds) == 0 { return ETIMEDOUT }
                }
            } catch {
                return (error as? SystemCallError)?.code ?? EIO
            }
        }
        return nil
    }

    @discardableResult
    public func send(_ text: String, timeout: Duration = .seconds(10)) -> Int32? { send(Array(text.utf8), timeout: timeout) }

    /// Sends bytes until the server has taken none for 300 ms (or `limit` went, or the send
    /// failed); how many went.
    public func flood(limit: Int) -> Int {
        let chunk = [UInt8](repeating: UInt8(ascii: "x"), count: 64 << 10)
        var sent = 0
        while sent < limit {
            guard case .processed(let n)? = try? chunk.withUnsafeBytes({ (buffer) throws(SystemCallError) in try Socket.write(fd, from: buffer) })
            else {
                var entry = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                if poll(&entry, 1, 300) <= 0 || entry.revents & Int16(POLLERR | POLLHUP) != 0 { break }
                continue
            }
            sent += n
        }
        return sent
    }

    /// Half-closes: the server reads end of input and can still answer.
    public func shutdownOutput() { Socket.shutdownOutput(fd) }

    // MARK: Receiving

    /// Waits at most `timeout` for what arrives next.
    public func readAvailable(timeout: Duration) -> ReadResult {
        if closed { return .closed }
        let deadline = ContinuousClock.now.advanced(by: timeout)
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            do {
                switch try buffer.withUnsafeMutableBytes({ (raw) throws(SystemCallError) in try Socket.read(fd, into: raw) }) {
                case .processed(let n): return .bytes(Array(buffer[0..<n]))
                case .endOfFile:
                    closed = true
                    return .closed
                case .wouldBlock:
                    let remaining = ContinuousClock.now.duration(to: deadline)
                    if remaining <= .zero { return .timedOut }
                    var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                    _ = poll(&entry, 1, remaining.pollMilliseconds)
                }
            } catch {
                closed = true
                return .failed(errno: (error as? SystemCallError)?.code ?? EIO)
            }
        }
    }

    /// Reads until `condition` holds on everything received so far, the peer closes, or
    /// `timeout` passes; everything received so far, as text.
    @discardableResult
    public func read(timeout: Duration, until condition: (String) -> Bool = { _ in false }) -> String {
        readMore(from: 0, timeout: timeout, until: condition)
        return text
    }

    /// Reads until what arrives from now on contains `expected` (nil: until the peer closes), or
    /// `timeout` passes; what arrived during this call, as text.
    @discardableResult
    public func receive(until expected: String? = nil, timeout: Duration = .seconds(5)) -> String {
        let start = received.count
        readMore(from: start, timeout: timeout) { text in expected.map { text.contains($0) } ?? false }
        return String(decoding: received[start...], as: UTF8.self)
    }

    /// Everything received so far, as text.
    public var text: String { String(decoding: received, as: UTF8.self) }

    /// The status code of the first HTTP response received, if one is there.
    public var firstStatus: Int? {
        let text = text
        guard text.hasPrefix("HTTP/1.1 "), text.count >= 12 else { return nil }
        return Int(text.dropFirst(9).prefix(3))
    }

    private func readMore(from start: Int, timeout: Duration, until condition: (String) -> Bool) {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        readError = nil
        while !condition(String(decoding: received[start...], as: UTF8.self)) {
            switch readAvailable(timeout: ContinuousClock.now.duration(to: deadline)) {
            case .bytes(let bytes): received += bytes
            case .closed: return
            case .timedOut:
                readError = ETIMEDOUT
                return
            case .failed(let code):
                readError = code
                return
            }
        }
    }
}
