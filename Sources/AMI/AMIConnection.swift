import Dispatch
public import SystemSupport
import Synchronization

/// One long-lived connection to the Asterisk Manager Interface.
///
/// It connects, logs in, pings, and reconnects with capped exponential backoff and jitter, on
/// its own reactor thread: writes never block the reader, and the reader never waits on the
/// consumer (events go into an unbounded stream). Every action gets a unique `ActionID`; its
/// response, with the whole event list for list actions, goes back to whoever sent it, within a
/// per-action timeout. An action in flight when the connection drops fails with
/// `connectionLost` and is never re-sent: its effect is unknown, the reconcile decides.
public final class AMIConnection: Sendable {
    public typealias Completion = @Sendable (Result<AMIResponse, AMIError>) -> Void

    let loop: EventLoop
    let session: Session
    private let observedState: StateBox
    private let continuation: AsyncStream<AMIConnectionEvent>.Continuation

    /// Connection states, `FullyBooted` notices and events, in wire order. One consumer.
    public let events: AsyncStream<AMIConnectionEvent>

    public init(configuration: AMIConnectionConfiguration, logger: Logger) throws(SystemCallError) {
        loop = try EventLoop(name: "ami")
        let (stream, continuation) = AsyncStream.makeStream(of: AMIConnectionEvent.self, bufferingPolicy: .unbounded)
        events = stream
        self.continuation = continuation
        let state = StateBox()
        observedState = state
        session = Session(loop: loop, configuration: configuration, logger: logger) { event in
            switch event {
            case .stateChanged(let new):
                state.value.withLock { $0 = new }
                continuation.yield(event)
            case .event(let message):
                // Kept in the stream until its consumer takes it.
                continuation.yield(.event(message.compacted()))
            case .fullyBooted:
                continuation.yield(event)
            }
        }
    }

    /// Delivers every event to `handler` on the connection's thread, in wire order, instead of
    /// the `events` stream (which then ends at once). For a consumer with its own thread: it
    /// hops there without a task per event. Keep `handler` short.
    public init(
        configuration: AMIConnectionConfiguration, logger: Logger,
        eventHandler handler: @escaping @Sendable (AMIConnectionEvent) -> Void
    ) throws(SystemCallError) {
        loop = try EventLoop(name: "ami")
        let (stream, continuation) = AsyncStream.makeStream(of: AMIConnectionEvent.self, bufferingPolicy: .unbounded)
        events = stream
        self.continuation = continuation
        continuation.finish()
        let state = StateBox()
        observedState = state
        session = Session(loop: loop, configuration: configuration, logger: logger) { event in
            if case .stateChanged(let new) = event { state.value.withLock { $0 = new } }
            handler(event)
        }
    }

    deinit {
        loop.shutdown()
    }

    /// The current state, from any thread.
    public var state: AMIConnectionState { observedState.value.withLock { $0 } }

    /// Starts connecting; retries until `shutdown()`, except after an authentication failure.
    public func start() {
        let session = session
        loop.execute { session.start() }
    }

    /// Applies a new configuration. When it differs, the connection is re-made with it; an
    /// authentication failure is cleared (a changed secret deserves a new try).
    public func update(configuration: AMIConnectionConfiguration) {
        let session = session
        loop.execute { session.update(configuration: configuration) }
    }

    /// Sends `action` and calls `completion` once, on the connection's thread, with the response
    /// (and list events), `timeout`, `connectionLost`, `notConnected` or an encoding error.
    /// Keep `completion` short: it runs on the reader's thread.
    public func send(_ action: AMIAction, timeout: Duration? = nil, completion: @escaping Completion) {
        let session = session
        loop.execute { session.send(action, timeout: timeout, completion: completion) }
    }

    public func send(_ action: AMIAction, timeout: Duration? = nil) async throws(AMIError) -> AMIResponse {
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<AMIResponse, AMIError>, Never>) in
            send(action, timeout: timeout) { continuation.resume(returning: $0) }
        }
        return try result.get()
    }

    /// Returns once the connection's thread has run every command queued before this call: a
    /// `send` made before it is then in flight (or already answered). For tests.
    func commandsQueuedSoFarHaveRun() async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            loop.execute { done.resume() }
        }
    }

    /// Logs off (waiting up to `grace` for Asterisk's `Goodbye`), closes the socket, fails what
    /// is still pending, ends the event stream and stops the thread.
    public func shutdown(grace: Duration = .seconds(2)) async {
        let session = session
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            loop.execute { session.stop(grace: grace) { done.resume() } }
        }
        continuation.finish()
        let reactor = loop
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                reactor.shutdown()
                done.resume()
            }
        }
    }
}

/// The last state, readable from any thread.
private final class StateBox: Sendable {
    let value = Mutex<AMIConnectionState>(.idle)
}
