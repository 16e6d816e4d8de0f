public import AMI

/// A small blocking AMI client over loopback, with deadlines: the test's hand on amisim or a
/// fake Asterisk. Actions go out as `AMIMessage.wireBytes` writes them; raw bytes when a test
/// wants exactly those.
public final class AMITestClient {
    public let connection: LoopbackConnection
    private var decoder = AMIFrameDecoder(expectsBanner: true)
    /// The version of the banner, once read.
    public private(set) var banner: String?
    private var nextID = 0

    public init(port: Int) throws {
        connection = try LoopbackConnection(port: port)
    }

    /// Connects and logs in; an error with the answer when the login is refused.
    public static func loggedIn(
        port: Int, username: String = "ccd", secret: String = "ccdsecret", events: String? = nil,
        timeout: Duration = .seconds(10)
    ) throws -> AMITestClient {
        let client = try AMITestClient(port: port)
        let answer = client.login(username, secret, events: events, timeout: timeout)
        guard answer?["Response"] == "Success" else {
            throw TestSupportError("AMI login as \(username) failed: \(answer.map(\.description) ?? "no answer")")
        }
        return client
    }

    /// True once the server closed the connection.
    public var closed: Bool { connection.closed }

    // MARK: Sending

    public func send(_ headers: [(String, String)]) {
        sendRaw(AMIMessage(headers).wireBytes)
    }

    /// Sends `Action: name` with `ActionID: id` (a fresh one when nil) and `headers`; the ActionID.
    @discardableResult
    public func send(action name: String, id: String? = nil, _ headers: [(String, String)] = []) -> String {
        let actionID = id ?? nextActionID()
        send([("Action", name), ("ActionID", actionID)] + headers)
        return actionID
    }

    public func sendRaw(_ bytes: [UInt8]) {
        connection.send(bytes)
    }

    private func nextActionID() -> String {
        nextID += 1
        return "test-\(nextID)"
    }

    // MARK: Receiving

    /// The next frame, or nil on timeout or end of stream.
    public func nextFrame(timeout: Duration = .seconds(10)) -> AMIFrame? {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while true {
            // Every frame already buffered first: the banner and the first answer often share a read.
            if let frame = try? decoder.next() { return frame }
            guard case .bytes(let bytes) = connection.readAvailable(timeout: ContinuousClock.now.duration(to: deadline)) else {
                return nil
            }
            decoder.append(contentsOf: bytes)
        }
    }

    /// The next message, or nil on timeout or end of stream; the banner is remembered on the way.
    public func next(timeout: Duration = .seconds(10)) -> AMIMessage? {
        while let frame = nextFrame(timeout: timeout) {
            switch frame {
            case .banner(let version): banner = version
            case .message(let message): return message
            }
        }
        return nil
    }

    /// Messages up to and including the first that matches; nil on timeout or end of stream.
    public func collect(timeout: Duration = .seconds(10), until done: (AMIMessage) -> Bool) -> [AMIMessage]? {
        var messages: [AMIMessage] = []
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while let message = next(timeout: ContinuousClock.now.duration(to: deadline)) {
            messages.append(message)
            if done(message) { return messages }
        }
        return nil
    }

    /// Reads up to the response with this ActionID (and, for a list, up to its `…Complete`
    /// event); everything with that ActionID, response first. nil on timeout or close.
    public func collect(_ id: String, list: Bool, timeout: Duration = .seconds(10)) -> [AMIMessage]? {
        var answer: [AMIMessage] = []
        let all = collect(timeout: timeout) { message in
            guard message.actionID == id else { return false }
            answer.append(message)
            if message.kind == .response { return !list || message["Response"] != "Success" }
            return message["EventList"] == "Complete" || message["Event"]?.hasSuffix("Complete") == true
        }
        return all == nil ? nil : answer
    }

    /// Reads until the response with this ActionID; returns it (other messages are dropped).
    public func response(_ id: String, timeout: Duration = .seconds(10)) -> AMIMessage? {
        collect(timeout: timeout) { $0.kind == .response && $0.actionID == id }?.last
    }

    /// Reads until the event named `name`.
    public func event(_ name: String, timeout: Duration = .seconds(10)) -> AMIMessage? {
        collect(timeout: timeout) { $0.kind == .event && $0["Event"] == name }?.last
    }

    /// Sends an action and waits for its response.
    public func request(_ name: String, _ headers: [(String, String)] = [], timeout: Duration = .seconds(10)) -> AMIMessage? {
        response(send(action: name, headers), timeout: timeout)
    }

    /// True when the server closes the connection within `timeout`.
    public func waitForClose(timeout: Duration = .seconds(10)) -> Bool {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while !closed && ContinuousClock.now < deadline {
            _ = nextFrame(timeout: ContinuousClock.now.duration(to: deadline))
        }
        return closed
    }

    /// Logs in; the answer.
    @discardableResult
    public func login(
        _ username: String = "ccd", _ secret: String = "ccdsecret", events: String? = nil, timeout: Duration = .seconds(10)
    ) -> AMIMessage? {
        var headers = [("Username", username), ("Secret", secret)]
        if let events { headers.append(("Events", events)) }
        return response(send(action: "Login", id: "login", headers), timeout: timeout)
    }
}
