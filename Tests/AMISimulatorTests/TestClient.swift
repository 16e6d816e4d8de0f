#if canImport(Glibc)
import Glibc
#endif
import AMI
import Foundation

/// A small blocking AMI client over a real loopback socket, with poll(2) timeouts.
final class TestClient {
    struct ClientError: Error, CustomStringConvertible {
        let description: String
    }

    let fd: Int32
    private var decoder = AMIFrameDecoder(expectsBanner: true)
    private(set) var banner: String?
    private(set) var closed = false

    init(port: Int, receiveBuffer: Int32? = nil) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ClientError(description: "socket failed") }
        if var size = receiveBuffer {
            _ = setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            Glibc.close(fd)
            throw ClientError(description: "connect failed: errno \(errno)")
        }
    }

    deinit { Glibc.close(fd) }

    func send(_ headers: [(String, String)]) {
        sendRaw(WireText.encode(headers))
    }

    func send(action name: String, id: String? = nil, _ headers: [(String, String)] = []) {
        var all: [(String, String)] = [("Action", name)]
        if let id { all.append(("ActionID", id)) }
        send(all + headers)
    }

    func sendRaw(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            offset += n
        }
    }

    /// The next frame, or nil on timeout or end of stream.
    func nextFrame(timeout: Duration = .seconds(10)) -> AMIFrame? {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while true {
            if let frame = try? decoder.next() { return frame }
            if closed { return nil }
            let remaining = ContinuousClock.now.duration(to: deadline)
            if remaining <= .zero { return nil }
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ms = Int32(clamping: remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000 + 1)
            guard poll(&pfd, 1, ms) > 0 else { continue }
            var buffer = [UInt8](repeating: 0, count: 65536)
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 {
                closed = true
                continue
            }
            decoder.append(contentsOf: buffer[0..<n])
        }
    }

    /// The next message; the banner is remembered on the way.
    func next(timeout: Duration = .seconds(10)) -> AMIMessage? {
        while let frame = nextFrame(timeout: timeout) {
            switch frame {
            case .banner(let version): banner = version
            case .message(let message): return message
            }
        }
        return nil
    }

    /// Messages up to and including the first that matches; nil on timeout.
    func collect(timeout: Duration = .seconds(10), until done: (AMIMessage) -> Bool) -> [AMIMessage]? {
        var messages: [AMIMessage] = []
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while ContinuousClock.now < deadline {
            guard let message = next(timeout: ContinuousClock.now.duration(to: deadline)) else { return nil }
            messages.append(message)
            if done(message) { return messages }
        }
        return nil
    }

    /// Reads until the response with this ActionID; returns it (events on the way are dropped).
    func response(_ id: String, timeout: Duration = .seconds(10)) -> AMIMessage? {
        collect(timeout: timeout) { $0.kind == .response && $0.actionID == id }?.last
    }

    /// Reads until the event named `name`.
    func event(_ name: String, timeout: Duration = .seconds(10)) -> AMIMessage? {
        collect(timeout: timeout) { $0.kind == .event && $0["Event"] == name }?.last
    }

    /// True when the server closes the connection within `timeout`.
    func waitForClose(timeout: Duration = .seconds(10)) -> Bool {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while !closed && ContinuousClock.now < deadline {
            _ = nextFrame(timeout: ContinuousClock.now.duration(to: deadline))
        }
        return closed
    }

    @discardableResult
    func login(_ username: String = "ccd", _ secret: String = "ccdsecret", events: String? = nil) -> AMIMessage? {
        var headers = [("Username", username), ("Secret", secret)]
        if let events { headers.append(("Events", events)) }
        send(action: "Login", id: "login", headers)
        return response("login")
    }
}

enum WireText {
    static func encode(_ headers: [(String, String)]) -> [UInt8] {
        Array((headers.map { "\($0.0): \($0.1)\r\n" }.joined() + "\r\n").utf8)
    }
}
