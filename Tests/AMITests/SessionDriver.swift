import Testing
import TestSupport
@testable import AMI
import SystemSupport

/// Drives an `AMISessionStateMachine` the way `AMIConnection.Session` does, on a manual clock:
/// it performs the machine's actions (keeps the armed timers, decodes what is written, records
/// what is reported and answered) and fires the timers that come due as the test moves time on.
/// The test plays Asterisk: it answers resolutions and connects and writes frames.
final class SessionDriver {
    typealias Machine = AMISessionStateMachine<ManualInstant, String>

    private(set) var machine: Machine
    private(set) var now = ManualInstant.start
    let logs = MemoryLogSink()
    /// Armed timers, in the order they were armed.
    private(set) var timers: [(timer: Machine.Timer, deadline: ManualInstant)] = []
    private(set) var reported: [AMIConnectionEvent] = []
    private(set) var answers: [(caller: String, result: Result<AMIResponse, AMIError>)] = []
    private(set) var stopsFinished = 0
    /// The resolution asked for and not answered yet.
    private(set) var resolution: (host: String, port: Int, generation: UInt64)?
    private(set) var resolutionsAsked = 0
    /// The address of every socket opened, in order.
    private(set) var connections: [SocketAddress] = []
    private(set) var socketOpen = false
    /// The actions written on each socket, decoded.
    private(set) var written: [[AMIMessage]] = []
    /// When set, the next `startConnect` fails at once with it.
    var startConnectFailure: SystemCallError?

    init(configuration: AMIConnectionConfiguration = manualConfiguration(), unitRandom: @escaping () -> Double = { 1 }) {
        machine = Machine(
            configuration: configuration, logger: Logger(level: .debug, sink: logs), actionIDPrefix: "ccd-test", unitRandom: unitRandom)
    }

    // MARK: What the test reads

    var state: Machine.State { machine.state }

    var states: [AMIConnectionState] {
        reported.compactMap { if case .stateChanged(let state) = $0 { state } else { nil } }
    }

    var plainEvents: [AMIMessage] {
        reported.compactMap { if case .event(let message) = $0 { message } else { nil } }
    }

    var fullyBooted: [AMIConnectionEvent] {
        reported.filter { if case .fullyBooted = $0 { true } else { false } }
    }

    /// Every action written, on every socket.
    var allWritten: [AMIMessage] { written.flatMap { $0 } }

    var lastWritten: AMIMessage? { written.last?.last }

    /// Whether any field of any log record holds `text`.
    func logMentions(_ text: String) -> Bool {
        logs.records.contains { record in record.fields.contains { $0.1.description.contains(text) } }
    }

    func answers(to caller: String) -> [Result<AMIResponse, AMIError>] {
        answers.filter { $0.caller == caller }.map(\.result)
    }

    func armed(_ timer: Machine.Timer) -> ManualInstant? {
        timers.first { $0.timer == timer }?.deadline
    }

    var armedPingTimers: Int {
        timers.filter { if case .ping = $0.timer { true } else { false } }.count
    }

    // MARK: Inputs

    func start() { perform(machine.start(at: now)) }

    func update(_ configuration: AMIConnectionConfiguration) { perform(machine.update(configuration: configuration, at: now)) }

    func send(_ action: AMIAction, timeout: Duration? = nil, caller: String) {
        perform(machine.send(action, timeout: timeout, caller: caller, at: now))
    }

    func stop(grace: Duration = .seconds(2)) { perform(machine.stop(grace: grace, at: now)) }

    /// Answers the pending resolution (with loopback unless told otherwise).
    func resolve(_ result: Result<[SocketAddress], SystemCallError>? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let pending = try #require(resolution, "no resolution asked for", sourceLocation: sourceLocation)
        resolution = nil
        let answer = try result ?? .success(SocketAddress.resolve(host: "127.0.0.1", port: pending.port))
        perform(machine.resolved(answer, generation: pending.generation, at: now))
    }

    /// A resolution answered for `generation`, whichever is pending.
    func resolve(_ result: Result<[SocketAddress], SystemCallError>, generation: UInt64) {
        perform(machine.resolved(result, generation: generation, at: now))
    }

    /// The socket being connected became writable with `error` pending (nil: connected).
    func connect(error: Int32? = nil) {
        perform(machine.connected(error: error.map { SystemCallError(call: "connect", code: $0) }, at: now))
    }

    func receive(_ bytes: [UInt8]) { perform(machine.received(bytes, at: now)) }

    func receive(_ lines: [(String, String)]) { receive(FakeAsterisk.frame(lines)) }

    func banner() { receive(Array("Asterisk Call Manager/11.0.0\r\n".utf8)) }

    /// A response to `action` with `lines` after its `ActionID`.
    func answer(_ action: AMIMessage?, _ lines: [(String, String)], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let action = try #require(action, "nothing to answer", sourceLocation: sourceLocation)
        let id = try #require(action.actionID, sourceLocation: sourceLocation)
        receive(lines.prefix(1) + [("ActionID", id)] + lines.dropFirst())
    }

    func loseConnection(_ reason: String = "Asterisk closed the connection") { perform(machine.connectionLost(reason, at: now)) }

    /// From idle, or from a retry or resolution under way: resolves, connects and reads the banner.
    func connectThroughBanner(sourceLocation: SourceLocation = #_sourceLocation) throws {
        if state == .idle { start() }
        if state == .waitingToRetry, let retry = timers.first(where: { if case .retry = $0.timer { true } else { false } }) {
            advance(to: retry.deadline)
        }
        try resolve(sourceLocation: sourceLocation)
        connect()
        banner()
    }

    /// `connectThroughBanner`, then accepts the plain `Login` and sends `FullyBooted` with `uptime`.
    func logIn(uptime: Int = 5, sourceLocation: SourceLocation = #_sourceLocation) throws {
        try connectThroughBanner(sourceLocation: sourceLocation)
        let login = try #require(lastWritten, sourceLocation: sourceLocation)
        #expect(login["Action"] == "Login", sourceLocation: sourceLocation)
        receive(FakeAsterisk.loginAccepted(login, uptime: uptime))
        #expect(state == .loggedIn, sourceLocation: sourceLocation)
    }

    /// Moves the clock on by `duration`, firing every timer that comes due on the way, each at
    /// its deadline, in deadline order (in arming order when equal).
    func advance(by duration: Duration) { advance(to: now.advanced(by: duration)) }

    func advance(to target: ManualInstant) {
        while true {
            var due: Int?
            for (index, entry) in timers.enumerated() where entry.deadline <= target {
                if let best = due, timers[best].deadline <= entry.deadline { continue }
                due = index
            }
            guard let index = due else { break }
            let entry = timers.remove(at: index)
            now = max(now, entry.deadline)
            perform(machine.timerFired(entry.timer, at: now))
        }
        now = max(now, target)
    }

    // MARK: Performing, as the shell does

    private func perform(_ actions: [Machine.Action]) {
        for action in actions {
            switch action {
            case .emit(let event):
                reported.append(event)
            case .resolve(let host, let port, let generation):
                resolution = (host, port, generation)
                resolutionsAsked += 1
            case .startConnect(let address):
                if let failure = startConnectFailure {
                    startConnectFailure = nil
                    perform(machine.connectStartFailed(failure, at: now))
                } else {
                    socketOpen = true
                    connections.append(address)
                    written.append([])
                    perform(machine.connectStarted(at: now))
                }
            case .write(let bytes):
                guard socketOpen else { continue }
                var decoder = AMIFrameDecoder(expectsBanner: false)
                decoder.append(contentsOf: bytes)
                while case .message(let message)? = try? decoder.next() { written[written.count - 1].append(message) }
            case .closeSocket:
                socketOpen = false
            case .arm(let timer, let deadline):
                timers.removeAll { $0.timer == timer }
                timers.append((timer, deadline))
            case .cancel(let timer):
                timers.removeAll { $0.timer == timer }
            case .cancelAllTimers:
                timers.removeAll()
            case .complete(let caller, let result):
                answers.append((caller, result))
            case .stopFinished:
                stopsFinished += 1
            }
        }
    }
}

/// The live tests' timings (`testConfiguration`), on a clock that only moves when told.
func manualConfiguration(secret: String = "s3cret") -> AMIConnectionConfiguration {
    testConfiguration(port: 5038, secret: secret)
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { error } else { nil }
    }

    var success: Success? {
        if case .success(let value) = self { value } else { nil }
    }
}
