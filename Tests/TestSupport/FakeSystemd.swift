#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Fake systemd: a bound `AF_UNIX` datagram socket whose name goes into `NOTIFY_SOCKET`, for
/// reading what a notifier sends (`READY=1`, `WATCHDOG=1`, …).
public final class FakeSystemd {
    /// What goes into `NOTIFY_SOCKET`: a path, or `@name` in the abstract namespace.
    public let name: String
    private let fd: Int32
    private let directory: TemporaryDirectory?

    /// A socket at `path`; in a fresh temporary directory when nil.
    public convenience init(path: String? = nil) throws {
        let directory = path == nil ? try TemporaryDirectory(prefix: "fake-systemd") : nil
        let name = path ?? directory?.file("notify") ?? ""
        try self.init(name: name, address: Array(name.utf8) + [0], directory: directory)
    }

    /// A socket in the abstract namespace (`@ccagentd-test-…`).
    public static func abstract() throws -> FakeSystemd {
        let name = "@ccagentd-test-\(UUID().uuidString)"
        return try FakeSystemd(name: name, address: [0] + Array(name.utf8.dropFirst()), directory: nil)
    }

    private init(name: String, address: [UInt8], directory: TemporaryDirectory?) throws {
        self.name = name
        self.directory = directory
        fd = try Self.bind(address, name: name)
    }

    deinit { close(fd) }

    /// The next datagram, or nil after `timeout`.
    public func receive(timeout: Duration = .seconds(2)) -> [UInt8]? {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while true {
            var buffer = [UInt8](repeating: 0, count: 4096)
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if n >= 0 { return Array(buffer[0..<n]) }
            guard errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK else { return nil }
            let remaining = ContinuousClock.now.duration(to: deadline)
            if remaining <= .zero { return nil }
            var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            _ = poll(&entry, 1, remaining.pollMilliseconds)
        }
    }

    /// The next datagram as text, or nil after `timeout`.
    public func receiveString(timeout: Duration = .seconds(2)) -> String? {
        receive(timeout: timeout).map { String(decoding: $0, as: UTF8.self) }
    }

    /// `path` holds the address's bytes (with the leading NUL of an abstract name, or the
    /// trailing NUL of a path); the length passed to bind(2) counts exactly them.
    private static func bind(_ path: [UInt8], name: String) throws -> Int32 {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        guard path.count <= MemoryLayout.size(ofValue: address.sun_path) else {
            throw TestSupportError("\(name) is too long for sun_path")
        }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw TestSupportError("socket: \(String(cString: strerror(errno)))") }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in path.withUnsafeBytes { raw.copyMemory(from: $0) } }
        let length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + path.count)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, length) }
        }
        guard bound == 0 else {
            let code = errno
            close(fd)
            throw TestSupportError("bind \(name): \(String(cString: strerror(code)))")
        }
        return fd
    }
}
