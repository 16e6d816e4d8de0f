import HTTPWire
#if canImport(Glibc)
import Glibc
#endif

/// How `watch` waits: before reconnecting (doubling from `initialBackoff`, or from the
/// server's `retry:`, up to `maximumBackoff`), and how long a silent stream is trusted (the
/// daemon sends a comment every 15 s).
public struct WatchTiming: Sendable {
    public var initialBackoff: Duration
    public var maximumBackoff: Duration
    public var idleLimit: Duration

    public init(initialBackoff: Duration = .milliseconds(500), maximumBackoff: Duration = .seconds(5), idleLimit: Duration = .seconds(45)) {
        self.initialBackoff = initialBackoff
        self.maximumBackoff = maximumBackoff
        self.idleLimit = idleLimit
    }
}

/// `ccagentctl watch`: prints each event of `GET /v1/events` as it arrives and, after a drop,
/// reconnects with `Last-Event-ID`. The first connection's failure ends it with that failure's
/// status; later, only failures that a daemon restart explains (unreachable, 5xx, lost,
/// silent) are retried. A cancellation ends it cleanly.
struct EventWatcher {
    var client: HTTPClient
    var json: Bool
    var formatter: EventFormatter
    var console: Console
    var timing: WatchTiming

    func run() throws(CtlError) -> Int32 {
        var decoder = EventStreamDecoder()
        var connected = false
        var failures = 0
        while true {
            let reason: String
            do {
                try stream(&decoder, reconnecting: connected) {
                    connected = true
                    failures = 0
                }
                reason = "the daemon closed it"
            } catch {
                if case .cancelled = error { throw error }
                guard connected, error.exitStatus == ExitStatus.unavailable else { throw error }
                reason = "\(error)"
            }
            failures += 1
            let base = decoder.retry.map { Duration.milliseconds($0) } ?? timing.initialBackoff
            let delay = min(base * (1 << min(failures - 1, 16)), max(timing.maximumBackoff, base))
            let resume = decoder.lastEventID.map { " (resuming after event \($0))" } ?? ""
            console.error.write("ccagentctl: the event stream was lost: \(reason); reconnecting in \(Self.seconds(delay))\(resume)\n")
            if let cancellation = client.cancellation {
                if cancellation.wait(for: delay) { throw .cancelled }
            } else {
                _ = poll(nil, 0, Deadline.after(delay).remainingMilliseconds)
            }
        }
    }

    /// One connection: its events printed until it ends (returns) or fails (throws).
    private func stream(_ decoder: inout EventStreamDecoder, reconnecting: Bool, onConnected: () -> Void) throws(CtlError) {
        var request = ClientRequest(method: "GET", path: "/v1/events", headers: [(name: "Accept", value: "text/event-stream")])
        if let id = decoder.lastEventID { request.headers.append((name: "Last-Event-ID", value: id)) }
        let deadline = Deadline.after(client.timeout)
        let stream = try client.open(request, deadline: deadline)
        guard stream.head.status == 200 else {
            var body: [UInt8] = []
            while let piece = try stream.nextBody(deadline: deadline), body.count < 1 << 20 { body += piece }
            throw DaemonRequests.failure(ClientResponse(head: stream.head, body: body))
        }
        let type = stream.head.headers["Content-Type"] ?? ""
        guard type.lowercased().hasPrefix("text/event-stream") else {
            throw .malformedAnswer("GET /v1/events answered \(type.isEmpty ? "without a Content-Type" : type), not text/event-stream")
        }
        onConnected()
        decoder.reset()
        if reconnecting { console.error.write("ccagentctl: reconnected\n") }
        while let bytes = try next(stream) {
            let events: [ServerSentEvent]
            do {
                events = try decoder.append(bytes)
            } catch {
                for event in error.completed { console.output.write(json ? formatter.json(event) : formatter.human(event)) }
                throw .malformedAnswer("an event stream line longer than \(error.limit) bytes")
            }
            for event in events { console.output.write(json ? formatter.json(event) : formatter.human(event)) }
        }
    }

    /// The next bytes; a stream silent past the idle limit is taken as lost.
    private func next(_ stream: ResponseStream) throws(CtlError) -> [UInt8]? {
        do {
            return try stream.nextBody(deadline: .after(timing.idleLimit))
        } catch {
            if case .timedOut(let endpoint, let seconds) = error {
                throw .connectionLost(endpoint: endpoint, reason: "nothing arrived for \(CtlError.seconds(seconds))")
            }
            throw error
        }
    }

    static func seconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        return CtlError.seconds(Double(seconds) + Double(attoseconds / 1_000_000_000_000_000) / 1000)
    }
}

extension Cancellation {
    /// Sleeps for `duration` unless cancelled first; true when cancelled.
    func wait(for duration: Duration) -> Bool {
        let deadline = Deadline.after(duration)
        var fds = [pollfd(fd: readFD, events: Int16(POLLIN), revents: 0)]
        while !isCancelled {
            let timeout = deadline.remainingMilliseconds
            if timeout == 0 { return false }
            _ = poll(&fds, 1, timeout)
        }
        return true
    }
}
