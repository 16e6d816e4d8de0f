import Foundation
import Glibc
import Synchronization
@testable import AMI
import SystemSupport

/// A scripted AMI peer for the connection's edge cases (the simulator covers the behaviour of
/// a real Asterisk). Blocking sockets on its own threads: one per accepted client.
final class FakeAsterisk: Sendable {
    /// What to do with one received action: the frames to write back (raw bytes).
    typealias Script = @Sendable (_ action: AMIMessage, _ connection: Int) -> [UInt8]

    let port: Int
    private let listenFD: Int32
    private let script: Script
    private let state = Mutex<(clients: [Int32], accepted: Int, received: [AMIMessage], banner: Bool, stopping: Bool)>(
        ([], 0, [], true, false))
    /// Signalled when the accept loop has returned: only then is the listening descriptor closed,
    /// lest the loop poll or accept on a number a later test's socket has taken.
    private let acceptLoopEnded = DispatchSemaphore(value: 0)

    init(host: String = "127.0.0.1", sendsBanner: Bool = true, script: @escaping Script) throws {
        guard let address = try SocketAddress.resolve(host: host, port: 0).first else { throw AMIError.notConnected }
        listenFD = try Socket.listen(on: address)
        port = try Socket.localAddress(listenFD).port
        self.script = script
        state.withLock { $0.banner = sendsBanner }
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    var received: [AMIMessage] { state.withLock { $0.received } }
    var acceptedCount: Int { state.withLock { $0.accepted } }

    /// Closes every client socket (the listener stays).
    func dropClients() {
        let clients = state.withLock { state -> [Int32] in
            defer { state.clients.removeAll() }
            return state.clients
        }
        for fd in clients { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    func stop() {
        let first = state.withLock { state -> Bool in
            defer { state.stopping = true }
            return !state.stopping
        }
        guard first else { return }
        shutdown(listenFD, Int32(SHUT_RDWR))  // wakes the accept loop's poll
        acceptLoopEnded.wait()
        Glibc.close(listenFD)
        dropClients()
    }

    private func acceptLoop() {
        defer { acceptLoopEnded.signal() }
        var number = 0
        while !state.withLock({ $0.stopping }) {
            var pollSet = pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pollSet, 1, 100)
            if ready < 0 || pollSet.revents & Int16(POLLNVAL) != 0 { return }
            if ready == 0 { continue }
            guard let client = try? Socket.accept(listenFD) else { return }
            number += 1
            let connection = number
            let sendsBanner = state.withLock { state -> Bool in
                state.clients.append(client)
                state.accepted += 1
                return state.banner
            }
            let thread = Thread { [self] in serve(client, connection: connection, sendsBanner: sendsBanner) }
            thread.start()
        }
    }

    private func serve(_ fd: Int32, connection: Int, sendsBanner: Bool) {
        // The client socket is non-blocking (accept helper); make it blocking for simplicity.
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        defer { Glibc.close(fd) }
        if sendsBanner {
            writeAll(fd, Array("Asterisk Call Manager/11.0.0\r\n".utf8))
        } else {
            return  // like 15b: accepted, then closed without a word
        }
        var decoder = AMIFrameDecoder(expectsBanner: false)
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = Glibc.read(fd, &buffer, buffer.count)
            if n <= 0 { return }
            decoder.append(contentsOf: buffer[0..<n])
            while let frame = try? decoder.next() {
                guard case .message(let action) = frame else { continue }
                state.withLock { $0.received.append(action) }
                let reply = script(action, connection)
                if reply.count >= Self.hangUp.count, Array(reply.suffix(Self.hangUp.count)) == Self.hangUp {
                    writeAll(fd, Array(reply.dropLast(Self.hangUp.count)))
                    return
                }
                if !reply.isEmpty { writeAll(fd, reply) }
            }
        }
    }

    /// Returned by a script to close the connection.
    static let hangUp: [UInt8] = Array("<hang up>".utf8)

    private func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            offset += n
        }
    }

    // MARK: Canned frames, as Asterisk 22 writes them (transcripts 01, 02, 05)

    static func frame(_ lines: [(String, String)]) -> [UInt8] { AMIMessage(lines).wireBytes }

    static func loginAccepted(_ action: AMIMessage, uptime: Int = 5) -> [UInt8] {
        frame([("Response", "Success"), ("ActionID", action.actionID ?? ""), ("Message", "Authentication accepted")])
            + frame([("Event", "FullyBooted"), ("Privilege", "system,all"), ("Uptime", String(uptime)), ("LastReload", String(uptime)), ("Status", "Fully Booted")])
    }

    static func pong(_ action: AMIMessage) -> [UInt8] {
        frame([("Response", "Success"), ("ActionID", action.actionID ?? ""), ("Ping", "Pong"), ("Timestamp", "1795289114.324585")])
    }

    /// Logs in with `secret`, answers Ping and Logoff; everything else via `other`.
    static func standard(secret: String = "s3cret", uptime: Int = 5, other: @escaping Script = { _, _ in [] }) -> Script {
        { action, connection in
            switch action["Action"]?.lowercased() {
            case "login":
                if action["Secret"] == secret { return loginAccepted(action, uptime: uptime) }
                return frame([("Response", "Error"), ("ActionID", action.actionID ?? ""), ("Message", "Authentication failed")]) + hangUp
            case "ping":
                return pong(action)
            case "logoff":
                return frame([("Response", "Goodbye"), ("ActionID", action.actionID ?? ""), ("Message", "Thanks for all the fish.")])
            default:
                return other(action, connection)
            }
        }
    }
}
