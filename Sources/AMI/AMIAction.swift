/// An action to send: its name and its headers, in order. `ActionID` is added by the
/// connection, which owns the numbering.
public struct AMIAction: Sendable, Equatable, CustomStringConvertible {
    public var name: String
    public var headers: [(String, String)]

    public init(_ name: String, _ headers: [(String, String)] = []) {
        self.name = name
        self.headers = headers
    }

    public subscript(key: String) -> String? {
        headers.first(where: { $0.0.caseInsensitiveEquals(key) })?.1
    }

    public static func == (a: AMIAction, b: AMIAction) -> Bool {
        a.name == b.name && a.headers.elementsEqual(b.headers, by: { $0 == $1 })
    }

    /// Never shows a `Secret` or `Key`: actions are logged at debug level.
    public var description: String {
        let shown = headers.map { key, value in
            ["secret", "key"].contains(key.lowercased()) ? "\(key): ********" : "\(key): \(value)"
        }
        return (["Action: \(name)"] + shown).joined(separator: ", ")
    }
}

extension String {
    func caseInsensitiveEquals(_ other: String) -> Bool {
        let a = utf8, b = other.utf8
        guard a.count == b.count else { return false }
        return zip(a, b).allSatisfy { AMIMessage.lower($0) == AMIMessage.lower($1) }
    }
}
