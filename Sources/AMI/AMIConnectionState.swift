/// What the connection is doing; observable and logged.
public enum AMIConnectionState: Sendable, Equatable, CustomStringConvertible {
    case idle
    case connecting(attempt: Int)
    /// Banner read, `Login` accepted: actions may be sent.
    case loggedIn
    /// The connection ended (EOF, error, `Shutdown`, ping timeout); a retry follows.
    case lost(reason: String)
    case retrying(in: Duration, attempt: Int)
    /// Asterisk refused the credentials. No retry until the configuration changes.
    case authenticationFailed(message: String)
    case stopped

    public var isLoggedIn: Bool { self == .loggedIn }

    /// A stable short name for logs and metrics.
    public var name: String {
        switch self {
        case .idle: "idle"
        case .connecting: "connecting"
        case .loggedIn: "logged_in"
        case .lost: "lost"
        case .retrying: "retrying"
        case .authenticationFailed: "authentication_failed"
        case .stopped: "stopped"
        }
    }

    public var description: String {
        switch self {
        case .idle: "idle"
        case .connecting(let attempt): "connecting (attempt \(attempt + 1))"
        case .loggedIn: "logged in"
        case .lost(let reason): "lost: \(reason)"
        case .retrying(let delay, let attempt): "retrying in \(delay.milliseconds) ms (attempt \(attempt + 1))"
        case .authenticationFailed(let message): "authentication failed: \(message)"
        case .stopped: "stopped"
        }
    }
}

/// Everything the connection reports, in the order it happened on the wire.
public enum AMIConnectionEvent: Sendable, Equatable {
    case stateChanged(AMIConnectionState)
    /// `FullyBooted` after a login. `restarted` is true when its `Uptime` is lower than at the
    /// previous connection: Asterisk restarted meanwhile (dynamic members may be gone).
    case fullyBooted(uptime: Int?, restarted: Bool)
    /// Any event that is not part of an action's event list.
    case event(AMIMessage)
}

/// An answer to one action: the response, and for list actions (`QueueStatus`,
/// `CoreShowChannels`, …) the items up to the `…Complete` event.
public struct AMIResponse: Sendable, Equatable {
    public let message: AMIMessage
    public let events: [AMIMessage]
    public let complete: AMIMessage?

    public init(message: AMIMessage, events: [AMIMessage] = [], complete: AMIMessage? = nil) {
        self.message = message
        self.events = events
        self.complete = complete
    }

    /// `Response: Success` (or `Follows`, `Goodbye`).
    public var isSuccess: Bool {
        guard let response = message["Response"]?.lowercased() else { return false }
        return response == "success" || response == "follows" || response == "goodbye"
    }

    /// Asterisk's `Message`, the text ops need when something failed.
    public var text: String? { message["Message"] }
}

extension Duration {
    public var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
