public import AgentCore

/// How an `Actor` is written in a column: `system`, `user:<id>`, `admin:<name>`, `phone:<ext>`.
/// A prefix on every kind, so a user whose id contains a colon still reads back exactly.
extension Actor {
    public var storedText: String {
        switch self {
        case .system: "system"
        case .user(let id): "user:\(id.rawValue)"
        case .admin(let name): "admin:\(name)"
        case .phone(let ext): "phone:\(ext.rawValue)"
        }
    }

    public init?(storedText text: String) {
        if text == "system" { self = .system; return }
        guard let colon = text.firstIndex(of: ":") else { return nil }
        let value = String(text[text.index(after: colon)...])
        switch text[..<colon] {
        case "user": self = .user(AgentID(value))
        case "admin": self = .admin(value)
        case "phone": self = .phone(ExtensionID(value))
        default: return nil
        }
    }
}
