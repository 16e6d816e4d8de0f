#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A TCP or Unix-socket connection that sends exactly the bytes a test gives it and reads what
/// comes back: for event streams, and for requests no well-behaved client would send.
final class RawConnection {
    let fd: Int32
    private(set) var received: [UInt8] = []
    private(set) var closed = false

    init(port: Int) throws {
        fd = try connectLoopback(port: port)
    }

    init(socketPath path: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HarnessError("socket failed: errno \(errno)") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw HarnessError("socket path too long: \(path)") }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard result == 0 else {
            let code = errno
            Glibc.close(fd)
            throw HarnessError("connect to \(path) failed: errno \(code)")
        }
    }

    deinit { close() }

    /// Closes the connection (the client goes away); idempotent.
    func close() {
        guard !released else { return }
        released = true
        closed = true
        Glibc.close(fd)
    }

    private var released = false

    /// Sends everything (false when the peer closed).
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }

    @discardableResult
    func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    /// Reads until `condition` holds on what was received, the peer closes, or the timeout.
    @discardableResult
    func read(timeout: Duration, until condition: (String) -> Bool = { _ in false }) -> String {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while !closed, !condition(text) {
            let remaining = ContinuousClock.now.duration(to: deadline)
            if remaining <= .zero { break }
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard Glibc.poll(&pfd, 1, Int32(clamping: remaining.components.seconds * 1000 + 1)) > 0 else { continue }
            var buffer = [UInt8](repeating: 0, count: 65536)
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 {
                closed = true
            } else {
                received.append(contentsOf: buffer[..<n])
            }
        }
        return text
    }

    var text: String { String(decoding: received, as: UTF8.self) }

    /// The status code of the first response received, if one is there.
    var firstStatus: Int? {
        guard text.hasPrefix("HTTP/1.1 "), text.count >= 12 else { return nil }
        return Int(text.dropFirst(9).prefix(3))
    }
}

/// A blocking TCP connection to 127.0.0.1:`port`, or an error that says which port.
func connectLoopback(port: Int) throws(HarnessError) -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw HarnessError("socket failed: errno \(errno)") }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = UInt16(port).bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let result = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard result == 0 else {
        let code = errno
        Glibc.close(fd)
        throw HarnessError("connect to 127.0.0.1:\(port) failed: errno \(code)")
    }
    return fd
}
