import HTTPWire
import TestSupport

/// A client of `/v1/events`: the answer's head, then the events as HTTPWire's decoders read
/// them from the chunked body.
final class EventStreamClient {
    let connection: LoopbackConnection
    private(set) var head: HTTPResponseHead?
    private(set) var events: [ServerSentEvent] = []
    /// The bytes of the body, comments and `retry:` included.
    private(set) var body: [UInt8] = []
    private var response = HTTPResponseDecoder()
    private var stream = EventStreamDecoder()
    private var ended = false

    init(connection: LoopbackConnection) {
        self.connection = connection
    }

    /// True once the server ended the stream (the body's end or the connection's close).
    var isClosed: Bool { ended || connection.closed }

    /// The events as (event, data), the data parsed as JSON.
    var named: [(event: String, data: JSONValue?)] {
        events.map { ($0.event ?? "message", try? JSONValue.parse($0.data)) }
    }

    /// The `agent` of every event that names one.
    var agents: [String] { named.compactMap { $0.data?["agent"]?.stringValue } }

    /// Reads until `condition` holds on the events so far, the stream ends, or `timeout` passes;
    /// whether the condition held.
    @discardableResult
    func read(timeout: Duration = .seconds(5), until condition: ([ServerSentEvent]) -> Bool = { _ in false }) throws -> Bool {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while !condition(events) {
            if ended { return false }
            switch connection.readAvailable(timeout: ContinuousClock.now.duration(to: deadline)) {
            case .bytes(let bytes):
                response.append(bytes)
                try take()
            case .closed, .failed:
                ended = true
                return condition(events)
            case .timedOut:
                return condition(events)
            }
        }
        return true
    }

    /// Reads until the greeting comment has arrived: the stream is subscribed from then on.
    func waitForGreeting(timeout: Duration = .seconds(5)) throws {
        _ = try read(timeout: timeout) { [self] _ in String(decoding: body, as: UTF8.self).contains(": ccagentd events\n\n") }
        guard head?.status == 200, String(decoding: body, as: UTF8.self).contains(": ccagentd events\n\n") else {
            throw TestSupportError("no event stream: \(head.map { String($0.status) } ?? "no answer") \(String(decoding: body, as: UTF8.self))")
        }
    }

    private func take() throws {
        while let part = try response.next() {
            switch part {
            case .head(let found): head = found
            case .body(let bytes):
                body += bytes
                events += try stream.append(bytes)
            case .end: ended = true
            }
        }
    }
}
