/// The AMI connection's state as the API shows it (`/healthz`, `/metrics`, the event stream),
/// without the AMI client's own type.
public struct AsteriskLink: Sendable, Equatable, CustomStringConvertible {
    /// A stable short name: idle, connecting, logged_in, lost, retrying, authentication_failed, stopped.
    public var name: String
    /// Actions may be sent.
    public var isLoggedIn: Bool
    /// For people: `retrying in 500 ms (attempt 2)`.
    public var description: String

    public init(name: String, isLoggedIn: Bool, description: String) {
        self.name = name
        self.isLoggedIn = isLoggedIn
        self.description = description
    }

    /// Every `name` there is, in the order `/metrics` lists them.
    public static let names = ["idle", "connecting", "logged_in", "lost", "retrying", "authentication_failed", "stopped"]
}
