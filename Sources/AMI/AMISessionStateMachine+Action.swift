import SystemSupport

extension AMISessionStateMachine {
    /// What the I/O layer does for the machine, in order.
    enum Action {
        /// Report a state change, a `FullyBooted` or an event to the connection's consumer.
        case emit(AMIConnectionEvent)
        /// Resolve `host` off the loop (it may block on DNS), then call `resolved(_:generation:at:)`.
        case resolve(host: String, port: Int, generation: UInt64)
        /// Open a non-blocking socket and start connecting, then call `connectStarted(at:)` (and
        /// register the socket under the new `generation`) or `connectStartFailed(_:at:)`. Always
        /// the last action of its list: its outcome is fed back at once.
        case startConnect(SocketAddress)
        /// Queue bytes on the socket: everything queued before the loop's next turn goes out in
        /// one system call.
        case write([UInt8])
        /// Close the socket (if any) and drop the output not yet written.
        case closeSocket
        case arm(Timer, at: Instant)
        case cancel(Timer)
        /// Cancel every armed timer: the connection ended.
        case cancelAllTimers
        /// Answer the caller of an action.
        case complete(Caller, Result<AMIResponse, AMIError>)
        /// One `stop` is done.
        case stopFinished
    }

    /// A timer the machine arms; the shell calls `timerFired(_:at:)` when it is due. Those of a
    /// connection carry its generation: a late one is ignored.
    enum Timer: Hashable, Sendable {
        case connect(generation: UInt64)
        /// The banner and the login must come within `loginTimeout` of the connect.
        case login(generation: UInt64)
        case retry(generation: UInt64)
        case ping(generation: UInt64)
        /// An action's timeout, by its number.
        case action(UInt64)
    }
}
