import AMI
import SystemSupport

/// The phones' feature codes, as the dialplan sends them (`UserEvent: ccagentd`): a second
/// manager session on the simulator, with no events of its own. The way to drive a `ccagentd`
/// in another process until the control API exists.
final class PhoneDriver: Sendable {
    static let username = "phones"
    static let secret = "phones-secret"

    private let connection: AMIConnection

    init(port: Int) throws {
        connection = try AMIConnection(
            configuration: AMIConnectionConfiguration(port: port, username: Self.username, secret: Self.secret, eventMask: "off"),
            logger: Logger(level: .warning, sink: LineLogSink(format: .text, fileDescriptor: 2)))
        connection.start()
    }

    /// Waits until the session is logged in.
    func connect(timeout: Duration = .seconds(10)) async throws {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while !connection.state.isLoggedIn {
            guard ContinuousClock.now < deadline else { throw BenchmarkFailure("the phones' session did not log in: \(connection.state)") }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    func login(extension extensionID: String) async throws {
        try await send([("Command", "login"), ("Extension", extensionID)])
    }

    func setStatus(_ status: String, extension extensionID: String) async throws {
        try await send([("Command", "status"), ("Status", status), ("Extension", extensionID)])
    }

    private func send(_ headers: [(String, String)]) async throws {
        let response = try await connection.send(AMIAction("UserEvent", [("UserEvent", "ccagentd")] + headers))
        guard response.isSuccess else { throw BenchmarkFailure("UserEvent refused: \(response.message)") }
    }

    func shutdown() async { await connection.shutdown(grace: .seconds(1)) }
}
