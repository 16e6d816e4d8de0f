#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization

/// A TCP server that answers each connection with bytes a test wrote by hand: exact wire
/// formats, answers cut short, answers that never come. It records each request's head.
final class ScriptedServer: Sendable {
    enum Step: Sendable {
        case send(String)
        case pause(milliseconds: Int)
        /// Keep the connection open this long without a word, then close.
        case silence(milliseconds: Int)
    }

    /// What the server's threads share; they never hold the server itself, so dropping it
    /// closes the listener and ends them.
    private final class Shared: Sendable {
        let requests = Mutex<[String]>([])
    }

    let port: Int
    private let fd: Int32
    private let shared = Shared()

    /// `script(n)`: the steps for the n-th connection (from 1); the connection closes after them.
    init(_ script: @escaping @Sendable (Int) -> [Step]) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        let listener = fd
        let shared = shared
        let thread = Thread {
            var count = 0
            while true {
                let client = accept(listener, nil, nil)
                guard client >= 0 else { return }
                count += 1
                let steps = script(count)
                Thread { Self.serve(client, steps, shared) }.start()
            }
        }
        thread.start()
    }

    deinit {
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
    }

    var url: String { "http://127.0.0.1:\(port)" }
    var requestHeads: [String] { shared.requests.withLock { $0 } }

    private static func serve(_ client: Int32, _ steps: [Step], _ shared: Shared) {
        defer { close(client) }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !String(decoding: received, as: UTF8.self).contains("\r\n\r\n") {
            let n = recv(client, &buffer, buffer.count, 0)
            if n <= 0 { return }
            received += buffer[0..<n]
        }
        let text = String(decoding: received, as: UTF8.self)
        shared.requests.withLock { $0.append(String(text[..<(text.range(of: "\r\n\r\n")?.lowerBound ?? text.endIndex)])) }
        for step in steps {
            switch step {
            case .send(let text):
                _ = text.utf8CString.withUnsafeBufferPointer { send(client, $0.baseAddress, $0.count - 1, Int32(MSG_NOSIGNAL)) }
            case .pause(let milliseconds), .silence(let milliseconds):
                usleep(useconds_t(milliseconds * 1000))
            }
        }
    }
}
