/// One line of the `[api] admin_tokens` file: a name (the actor is `admin:NAME`) and its secret.
/// Printed, logged or dumped, it shows the name only.
public struct AdminTokenEntry: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var name: String
    public var token: String

    public init(name: String, token: String) {
        self.name = name
        self.token = token
    }

    public var description: String { "AdminToken(\(name), <redacted>)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["name": name], displayStyle: .struct) }
}
