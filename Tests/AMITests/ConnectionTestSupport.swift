import Synchronization
import Testing
import TestSupport
@testable import AMI
import SystemSupport

/// Collects a connection's event stream so tests can wait for what they expect.
final class EventRecorder: Sendable {
    private let storage = Mutex<[AMIConnectionEvent]>([])
    private let task = Mutex<Task<Void, Never>?>(nil)

    init(_ connection: AMIConnection) {
        let stream = connection.events
        let handle = Task { [self] in
            for await event in stream { storage.withLock { $0.append(event) } }
        }
        task.withLock { $0 = handle }
    }

    var all: [AMIConnectionEvent] { storage.withLock { $0 } }

    var states: [AMIConnectionState] {
        all.compactMap { if case .stateChanged(let state) = $0 { state } else { nil } }
    }

    var plainEvents: [AMIMessage] {
        all.compactMap { if case .event(let message) = $0 { message } else { nil } }
    }

    /// Waits until `condition` holds over the recorded events, or fails the test after `timeout`.
    @discardableResult
    func wait(
        for what: String, timeout: Duration = .seconds(15), sourceLocation: SourceLocation = #_sourceLocation,
        _ condition: ([AMIConnectionEvent]) -> Bool
    ) async -> Bool {
        if await eventually(timeout: timeout, every: .milliseconds(5), { () async in condition(all) }) { return true }
        Issue.record("timed out waiting for \(what); saw \(all.count) events: \(states)", sourceLocation: sourceLocation)
        return false
    }

    @discardableResult
    func waitForLogins(_ count: Int, timeout: Duration = .seconds(15), sourceLocation: SourceLocation = #_sourceLocation) async -> Bool {
        await wait(for: "\(count) login(s)", timeout: timeout, sourceLocation: sourceLocation) { events in
            events.filter { $0 == .stateChanged(.loggedIn) }.count >= count
        }
    }
}

/// Fast timings for tests: reconnects in tens of milliseconds. The keepalive is relaxed: a
/// parallel test run on two cores can starve a thread for a while; tests of the ping timeout
/// set their own.
func testConfiguration(port: Int, secret: String = "s3cret") -> AMIConnectionConfiguration {
    AMIConnectionConfiguration(
        host: "127.0.0.1", port: port, username: "ccagentd", secret: secret,
        pingInterval: .seconds(1), pingTimeout: .seconds(3), actionTimeout: .seconds(5),
        connectTimeout: .seconds(2), loginTimeout: .seconds(5),
        backoff: Backoff(initial: .milliseconds(20), maximum: .milliseconds(200)))
}
