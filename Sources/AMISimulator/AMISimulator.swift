import AMI
import Dispatch
public import SystemSupport
import Synchronization

/// A simulated Asterisk: an AMI server on loopback that behaves like the recorded Asterisk 22,
/// with queues, members, channels and calls, plus controls for tests (drop, stall, restart, fail,
/// flood).
///
/// Every method is thread-safe: it hops onto the simulator's event loop and, where it returns
/// something, waits for the answer. Don't call the waiting ones from an `actionObserver`.
public final class AMISimulator: Sendable {
    private let loop: EventLoop
    private let core: SimulatorCore
    private let stopped = Mutex(false)

    public init(configuration: SimulatorConfiguration = .standard, logger: Logger = .disabled) throws {
        loop = try EventLoop(name: "amisim")
        core = SimulatorCore(loop: loop, configuration: configuration, logger: logger)
        let core = self.core
        _ = sync { _ in core.boot(keepingDynamicMembers: false) }
    }

    deinit {
        loop.shutdown()
    }

    /// Listens on `host:port` (port 0 picks a free one) and returns the bound port.
    public func start(host: String = "127.0.0.1", port: Int = 0) throws -> Int {
        guard let address = try SocketAddress.resolve(host: host, port: port).first else {
            throw SystemCallError(call: "getaddrinfo(\(host))", code: 0)
        }
        let result = sync { core in Result { () throws(SystemCallError) -> Int in try core.listen(on: address) } }
        guard let result else { throw SystemCallError(call: "listen", code: 0) }
        return try result.get()
    }

    /// Closes the listener and every session, and stops the loop.
    public func stop() {
        let first = stopped.withLock { value -> Bool in
            defer { value = true }
            return !value
        }
        guard first else { return }
        _ = sync { $0.stop() }
        loop.shutdown()
    }

    /// The port listened on, nil before `start` (and during a restart's downtime, the last one).
    public var port: Int? { sync { $0.boundAddress?.port } ?? nil }

    // MARK: Inspection

    public func queueNames() -> [String] { sync { $0.queues.map(\.name) } ?? [] }

    public func members(of queue: String) -> [QueueMember] { sync { $0.queue(named: queue)?.members ?? [] } ?? [] }

    public func channels() -> [ChannelSnapshot] { sync { $0.channels.map(\.snapshot) } ?? [] }

    /// Callers waiting in `queue`.
    public func waitingCallers(in queue: String) -> Int { sync { $0.queue(named: queue)?.waiting.count ?? 0 } ?? 0 }

    /// Logged-in and not-yet-logged-in connections.
    public func sessionCount() -> Int { sync { $0.sessions.count } ?? 0 }

    /// Events sent so far to each logged-in session, by session number (1 for the first connection):
    /// what a client has read once it has caught up. List events answering an action are not counted.
    public func eventsSent() -> [Int: Int] {
        sync { core in
            Dictionary(uniqueKeysWithValues: core.sessions.values.filter(\.authenticated).map { ($0.id, $0.eventsSent) })
        } ?? [:]
    }

    /// Bytes written for each logged-in session that it has not taken yet (beyond what the
    /// kernel's socket buffers hold): a client that reads too slowly makes this grow.
    public func pendingOutput() -> [Int: Int] {
        sync { core in
            Dictionary(uniqueKeysWithValues: core.sessions.values.filter(\.authenticated).map { ($0.id, $0.pendingOutput) })
        } ?? [:]
    }

    /// Every action read so far (up to 100 000), with its arrival time.
    public func receivedActions() -> [ReceivedAction] { sync { $0.received } ?? [] }

    /// Called on the simulator's loop for each action as it arrives (for latency measurements).
    /// Keep it short and don't call back into the simulator from it.
    public func setActionObserver(_ observer: (@Sendable (ReceivedAction) -> Void)?) {
        _ = sync { $0.actionObserver = observer }
    }

    public func databaseValue(family: String, key: String) -> String? { sync { $0.database["\(family)/\(key)"] } ?? nil }

    // MARK: Scenarios

    /// Adds a dynamic member as `QueueAdd` would (with its events). False when the queue is
    /// unknown or the member is already there.
    @discardableResult
    public func addMember(
        queue: String, interface: String, name: String? = nil, penalty: Int = 0, paused: Bool = false,
        stateInterface: String? = nil
    ) -> Bool {
        sync { core in
            core.addMember(
                queue: queue, interface: interface, name: name ?? interface, penalty: penalty, paused: paused,
                reason: "", stateInterface: stateInterface ?? interface) == .added
        } ?? false
    }

    /// An inbound call into `queue` (as `Local/<number>@inbound-…;2`, like the recordings). It rings
    /// members, and the caller hangs up after `hangupAfter` if given. Returns the caller's channel
    /// name, nil when there is no such queue.
    @discardableResult
    public func inboundCall(
        queue: String, callerIDNum: String = "0201234567", callerIDName: String = "Jan Jansen",
        hangupAfter: Duration? = nil
    ) -> String? {
        sync { core -> String? in
            let number = core.configuration.inboundNumbers.first { $0.value == queue }?.key ?? "5000"
            return core.startInboundCall(
                queue: queue, number: number, callerNum: callerIDNum, callerName: callerIDName,
                hangupAfter: hangupAfter)?.caller.name
        } ?? nil
    }

    /// The phone `interface` dials `number` (its channel appears in state 4 Ring). Returns its channel name.
    @discardableResult
    public func phoneDialsOut(interface: String, number: String) -> String? {
        sync { $0.phoneDialsOut(interface, number: number).name } ?? nil
    }

    /// An outside caller rings the phone `interface`, outside any queue (0 Down → 5 Ringing).
    /// Returns the phone's channel name.
    @discardableResult
    public func callPhone(interface: String, callerIDNum: String = "0201234567") -> String? {
        sync { $0.callPhone(interface, callerNum: callerIDNum, callerName: callerIDNum).name } ?? nil
    }

    /// Hangs up the channel with this name or uniqueid, as the `Hangup` action does.
    @discardableResult
    public func hangup(_ channel: String) -> Bool {
        sync { core -> Bool in
            guard let found = core.channel(named: channel) else { return false }
            core.hangup(found)
            return true
        } ?? false
    }

    /// Whether the phone `interface` answers when rung (overrides the configuration).
    public func setAnswers(_ interface: String, _ answers: Bool) {
        _ = sync { $0.answers[interface] = answers }
    }

    // MARK: Controls

    /// Closes every connection at once, without a Shutdown event (like `kill -9`, 18).
    public func dropAllConnections() { _ = sync { $0.dropAllConnections() } }

    /// Stops reading, answering and accepting (connects still complete in the kernel); false resumes.
    public func setStalled(_ stalled: Bool) { _ = sync { $0.setStalled(stalled) } }

    /// `core restart now`: calls hang up, `Shutdown` goes out, connections close, connects are
    /// refused for `downtime`, then it comes back with a fresh uptime and no dynamic members
    /// (unless `keepDynamicMembers`, or the configuration's `persistentMembers`).
    public func restart(downtime: Duration, keepDynamicMembers: Bool? = nil) {
        _ = sync { $0.restart(downtime: downtime, keepDynamicMembers: keepDynamicMembers) }
    }

    /// Answers the next `count` actions named `action` with `Response: Error` and `message`.
    public func failNext(action: String, message: String, count: Int = 1) {
        _ = sync { $0.failNext(action: action, message: message, count: count) }
    }

    /// Sends a mix of call and dialplan events for made-up calls at `eventsPerSecond` for `duration`.
    public func flood(eventsPerSecond: Int, duration: Duration) {
        _ = sync { $0.startFlood(eventsPerSecond: eventsPerSecond, duration: duration) }
    }

    // MARK: Loop hopping

    /// Runs `body` on the loop and waits for its result; nil once the simulator is stopped.
    private func sync<T: Sendable>(_ body: @escaping @Sendable (SimulatorCore) -> T) -> T? {
        if loop.inLoop { return body(core) }
        let core = self.core
        let box = Mutex<T?>(nil)
        let done = DispatchSemaphore(value: 0)
        loop.execute {
            let value = body(core)
            box.withLock { $0 = value }
            done.signal()
        }
        guard done.wait(timeout: .now() + .seconds(10)) == .success else { return nil }
        return box.withLock { $0 }
    }
}
