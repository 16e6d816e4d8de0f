#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A resolved socket address (IPv4 or IPv6) kept as raw `sockaddr_storage` bytes.
public struct SocketAddress: Sendable, CustomStringConvertible {
    var storage: sockaddr_storage
    var length: socklen_t

    public var family: Int32 { Int32(storage.ss_family) }

    public var port: Int {
        withUnsafeBytes(of: storage) { raw in
            if family == AF_INET {
                let sin = raw.load(as: sockaddr_in.self)
                return Int(UInt16(bigEndian: sin.sin_port))
            }
            let sin6 = raw.load(as: sockaddr_in6.self)
            return Int(UInt16(bigEndian: sin6.sin6_port))
        }
    }

    public var host: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        withUnsafeBytes(of: storage) { raw in
            if family == AF_INET {
                var addr = raw.load(as: sockaddr_in.self).sin_addr
                _ = inet_ntop(AF_INET, &addr, &buffer, socklen_t(buffer.count))
            } else {
                var addr = raw.load(as: sockaddr_in6.self).sin6_addr
                _ = inet_ntop(AF_INET6, &addr, &buffer, socklen_t(buffer.count))
            }
        }
        return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    public var description: String { family == AF_INET6 ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// Resolves a host name or literal (IPv4, IPv6) and port with `getaddrinfo`. This may block on
    /// DNS: call it off any event loop.
    public static func resolve(host: String, port: Int) throws(SystemCallError) -> [SocketAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var result: UnsafeMutablePointer<addrinfo>?
        let trimmed = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        let status = getaddrinfo(trimmed, String(port), &hints, &result)
        guard status == 0, let first = result else {
            throw SystemCallError(call: "getaddrinfo(\(host))", code: status == EAI_SYSTEM ? errno : -status)
        }
        defer { freeaddrinfo(first) }
        var addresses: [SocketAddress] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            if let sa = info.pointee.ai_addr {
                var storage = sockaddr_storage()
                withUnsafeMutableBytes(of: &storage) { dst in
                    dst.copyMemory(from: UnsafeRawBufferPointer(start: sa, count: Int(info.pointee.ai_addrlen)))
                }
                addresses.append(SocketAddress(storage: storage, length: info.pointee.ai_addrlen))
            }
            cursor = info.pointee.ai_next
        }
        return addresses
    }
}

/// Outcome of a non-blocking read or write.
public enum IOResult: Sendable, Equatable {
    case processed(Int)
    case wouldBlock
    case endOfFile
}

/// Thin wrappers over the socket calls; every one goes through `syscall`.
public enum Socket {
    private static var streamType: Int32 {
        #if canImport(Glibc)
        Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
        #else
        SOCK_STREAM
        #endif
    }

    /// Starts a non-blocking connect. Returns the descriptor; completion is signalled by
    /// writability, then `pendingError` tells whether it worked.
    public static func startConnect(to address: SocketAddress) throws(SystemCallError) -> Int32 {
        let fd = try syscall("socket") { socket(address.family, streamType, 0) }
        setNoDelay(fd)
        var storage = address.storage
        let result = withUnsafePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, address.length) }
        }
        if result == -1 {
            let code = errno
            if code != EINPROGRESS && code != EINTR {
                close(fd)
                throw SystemCallError(call: "connect(\(address))", code: code)
            }
        }
        return fd
    }

    /// The error of a finished non-blocking connect (0 when it succeeded).
    public static func pendingError(_ fd: Int32) -> Int32 {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        if getsockopt(fd, SOL_SOCKET, SO_ERROR, &value, &length) == -1 { return errno }
        return value
    }

    /// A non-blocking listening socket. Port 0 picks a free port; read it back with `localAddress`.
    public static func listen(on address: SocketAddress, backlog: Int32 = 128) throws(SystemCallError) -> Int32 {
        let fd = try reserve(address)
        do {
            _ = try syscall("listen") { Glibc.listen(fd, backlog) }
        } catch {
            close(fd)
            throw error
        }
        return fd
    }

    /// A socket bound to `address` and not listening: it holds the port (nobody else can bind
    /// it) while connects to it are refused, as to a server that is down.
    public static func reserve(_ address: SocketAddress) throws(SystemCallError) -> Int32 {
        let fd = try syscall("socket") { socket(address.family, streamType, 0) }
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var storage = address.storage
        do {
            _ = try syscall("bind(\(address))") {
                withUnsafePointer(to: &storage) { pointer in
                    pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, address.length) }
                }
            }
        } catch {
            close(fd)
            throw error
        }
        return fd
    }

    public static func localAddress(_ fd: Int32) throws(SystemCallError) -> SocketAddress {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = try syscall("getsockname") {
            withUnsafeMutablePointer(to: &storage) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
            }
        }
        return SocketAddress(storage: storage, length: length)
    }

    /// Accepts one pending connection, non-blocking; nil when none is waiting.
    public static func accept(_ fd: Int32) throws(SystemCallError) -> Int32? {
        try acceptPeer(fd)?.fd
    }

    public static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) throws(SystemCallError) -> IOResult {
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n > 0 { return .processed(n) }
            if n == 0 { return .endOfFile }
            let code = errno
            switch code {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .wouldBlock
            default: throw SystemCallError(call: "read", code: code)
            }
        }
    }

    public static func write(_ fd: Int32, from buffer: UnsafeRawBufferPointer) throws(SystemCallError) -> IOResult {
        while true {
            let n = send(fd, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL))
            if n >= 0 { return .processed(n) }
            let code = errno
            switch code {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .wouldBlock
            default: throw SystemCallError(call: "send", code: code)
            }
        }
    }

    public static func close(_ fd: Int32) { _ = Glibc.close(fd) }

    /// Sends FIN and writes nothing more; reading goes on. Failure means the peer is already
    /// gone, which the next read reports.
    public static func shutdownOutput(_ fd: Int32) { _ = Glibc.shutdown(fd, Int32(SHUT_WR)) }

    /// Non-blocking and close-on-exec.
    public static func setNonBlocking(_ fd: Int32) {
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
    }

    private static func setNoDelay(_ fd: Int32) {
        var one: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }
}
