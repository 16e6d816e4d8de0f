#if canImport(Glibc)
import Glibc
#endif
import AMI
import Foundation

/// A small blocking AMI client over loopback with poll(2) timeouts: the test's hand on amisim.
/// It logs in with `Events: off`, so all it reads are answers to its own actions.
final class AMIClient {
    let fd: Int32
    private var decoder = AMIFrameDecoder(expectsBanner: true)
    private(set) var closed = false
    private var nextID = 0

    init(port: Int) throws(HarnessError) {
        fd = try connectLoopback(port: port)
    }

    deinit { Glibc.close(fd) }

    /// Connects and logs in as the test's own manager user.
    static func loggedIn(port: Int, timeout: Duration = .seconds(10)) throws(HarnessError) -> AMIClient {
        let client = try AMIClient(port: port)
        let answer = client.request("Login", [("Username", "ccd"), ("Secret", "ccdsecret"), ("Events", "off")], timeout: timeout)
        guard answer?["Response"] == "Success" else {
            throw HarnessError("amisim login failed: \(answer.map(\.description) ?? "no answer")")
        }
        return client
    }

    // MARK: Wire

    /// Sends an action and returns its ActionID.
    @discardableResult
    func send(_ name: String, _ headers: [(String, String)] = []) -> String {
        nextID += 1
        let id = "e2e-\(nextID)"
        let text = ([("Action", name), ("ActionID", id)] + headers).map { "\($0.0): \($0.1)\r\n" }.joined() + "\r\n"
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 {
                closed = true
                break
            }
            offset += n
        }
        return id
    }

    /// The next message, or nil on timeout or end of stream.
    func next(timeout: Duration) -> AMIMessage? {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while true {
            // Every frame already buffered first: the banner and the first answer often share a read.
            while let frame = try? decoder.next() {
                if case .message(let message) = frame { return message }
            }
            if closed { return nil }
            let remaining = ContinuousClock.now.duration(to: deadline)
            if remaining <= .zero { return nil }
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard Glibc.poll(&pfd, 1, Int32(clamping: remaining.milliseconds + 1)) > 0 else { continue }
            var buffer = [UInt8](repeating: 0, count: 65536)
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 {
                if n < 0 && errno == EINTR { continue }
                closed = true
                continue
            }
            decoder.append(contentsOf: buffer[0..<n])
        }
    }

    /// Reads up to the response with this ActionID (and, for a list, up to its `…Complete` event);
    /// returns everything with that ActionID, response first. nil on timeout or close.
    func collect(_ id: String, list: Bool, timeout: Duration) -> [AMIMessage]? {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        var messages: [AMIMessage] = []
        while let message = next(timeout: ContinuousClock.now.duration(to: deadline)) {
            guard message.actionID == id else { continue }
            messages.append(message)
            if message.kind == .response {
                if !list || message["Response"] != "Success" { return messages }
            } else if message["EventList"] == "Complete" || message["Event"]?.hasSuffix("Complete") == true {
                return messages
            }
        }
        return nil
    }

    func request(_ name: String, _ headers: [(String, String)] = [], timeout: Duration = .seconds(10)) -> AMIMessage? {
        collect(send(name, headers), list: false, timeout: timeout)?.first
    }

    // MARK: What the tests do

    /// A `sim …` or CLI command; its output lines.
    func command(_ text: String, timeout: Duration = .seconds(10)) -> [String]? {
        guard let answer = request("Command", [("Command", text)], timeout: timeout), answer["Response"] == "Success" else {
            return nil
        }
        return answer.values("Output")
    }

    /// A phone feature code, as the dialplan's `UserEvent(ccagentd,…)` would send it.
    func featureCode(_ headers: [(String, String)], timeout: Duration = .seconds(10)) -> Bool {
        request("UserEvent", [("UserEvent", "ccagentd")] + headers, timeout: timeout)?["Response"] == "Success"
    }

    /// Every queue member amisim has (`QueueStatus`); nil on timeout or close.
    func members(timeout: Duration = .seconds(10)) -> [QueueMemberInfo]? {
        guard let messages = collect(send("QueueStatus"), list: true, timeout: timeout),
            messages.first?["Response"] == "Success"
        else { return nil }
        return messages.filter { $0["Event"] == "QueueMember" }.map(QueueMemberInfo.init)
    }
}

/// A `QueueMember` event of `QueueStatus`.
struct QueueMemberInfo: Equatable, CustomStringConvertible {
    var queue: String
    var interface: String
    var name: String
    var stateInterface: String
    var dynamic: Bool
    var penalty: Int
    var loginTime: String

    init(_ message: AMIMessage) {
        queue = message["Queue"] ?? ""
        interface = message["Location"] ?? ""
        name = message["Name"] ?? ""
        stateInterface = message["StateInterface"] ?? ""
        dynamic = message["Membership"] == "dynamic"
        penalty = Int(message["Penalty"] ?? "") ?? -1
        loginTime = message["LoginTime"] ?? ""
    }

    var description: String { "\(queue):\(interface)\(dynamic ? "" : "(static)")/\(penalty)" }
}

extension [QueueMemberInfo] {
    /// The queues `interface` is a member of.
    func queues(of interface: String) -> Set<String> {
        Set(filter { $0.interface == interface }.map(\.queue))
    }

    func member(_ interface: String, in queue: String) -> QueueMemberInfo? {
        first { $0.interface == interface && $0.queue == queue }
    }
}
