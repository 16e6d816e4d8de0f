#if canImport(Glibc)
import Glibc
#endif
import SystemSupport

/// Why an exchange failed: counted as an error, and the connection is opened again.
enum ExchangeError: Error, CustomStringConvertible {
    case system(SystemCallError)
    case closed
    case malformed(String)

    var description: String {
        switch self {
        case .system(let error): "\(error)"
        case .closed: "the server closed the connection"
        case .malformed(let reason): "malformed answer: \(reason)"
        }
    }
}

/// A blocking HTTP/1.1 client on one keep-alive TCP connection to 127.0.0.1, made for the
/// benchmark's request loop: one request at a time, the answer read by its `Content-Length`.
/// CtlKit's `HTTPClient` opens a connection per request (`Connection: close`); measured that way,
/// the figures would be of `connect` and `accept`, not of the API.
///
/// Blocking reads give up after `timeout` (`SO_RCVTIMEO`): a lost answer is an error, not a hang.
final class KeepAliveConnection {
    private let fd: Int32
    /// Bytes read and not yet consumed (the server sends nothing unasked, so at most one answer).
    private var input: [UInt8] = []
    private var chunk = [UInt8](repeating: 0, count: 64 << 10)

    init(port: Int, timeout: Duration = .seconds(30)) throws(ExchangeError) {
        do {
            fd = try syscall("socket") { socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0) }
        } catch {
            throw .system(error)
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = in_addr_t(UInt32(0x7F00_0001).bigEndian)
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if connected == -1 {
            let code = errno
            close(fd)
            throw .system(SystemCallError(call: "connect(127.0.0.1:\(port))", code: code))
        }
        // Requests are small and answered one at a time: Nagle would hold each for the ACK.
        var on: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
        let (seconds, attoseconds) = timeout.components
        var limit = timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    /// Writes `request` whole and reads its whole answer.
    func exchange(_ request: [UInt8]) throws(ExchangeError) -> HTTPAnswer {
        try writeAll(request)
        while true {
            if let (answer, consumed) = try AnswerParser.parse(input) {
                input.removeFirst(consumed)
                return answer
            }
            try readMore()
        }
    }

    private func writeAll(_ bytes: [UInt8]) throws(ExchangeError) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { raw in
                Result { () throws(SystemCallError) in
                    try syscall("send") { send(fd, raw.baseAddress.map { $0 + offset }, raw.count - offset, Int32(MSG_NOSIGNAL)) }
                }
            }
            do {
                offset += try sent.get()
            } catch {
                throw .system(error)
            }
        }
    }

    private func readMore() throws(ExchangeError) {
        let received = chunk.withUnsafeMutableBytes { raw in
            Result { () throws(SystemCallError) in try syscall("recv") { recv(fd, raw.baseAddress, raw.count, 0) } }
        }
        let count: Int
        do {
            count = try received.get()
        } catch {
            throw .system(error)
        }
        guard count > 0 else { throw .closed }
        input.append(contentsOf: chunk[0..<count])
    }
}

/// A keep-alive connection opened again after a failed exchange or a `Connection: close`, so one
/// bad answer costs one error, not the rest of the run.
final class ReconnectingConnection {
    private let port: Int
    private var current: KeepAliveConnection?

    init(port: Int) throws(ExchangeError) {
        self.port = port
        current = try KeepAliveConnection(port: port)
    }

    func exchange(_ request: [UInt8]) throws(ExchangeError) -> HTTPAnswer {
        let connection: KeepAliveConnection
        if let current {
            connection = current
        } else {
            connection = try KeepAliveConnection(port: port)
            current = connection
        }
        do {
            let answer = try connection.exchange(request)
            if answer.closes { current = nil }
            return answer
        } catch {
            current = nil
            throw error
        }
    }
}
