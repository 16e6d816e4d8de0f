/// The value of one log field, typed, so JSON lines carry numbers and booleans as JSON numbers and
/// booleans (`"agents":0`, `"ok":true`) and a tool reading them need not guess from the key name.
///
/// Literals make the common fields read as before: `("reason", "timeout")`, `("agents", 0)`,
/// `("restarted", true)`, `("error", "\(error)")`. A string held in a variable is `.string(name)`, a
/// count `.int(count)`. A string that looks like a number (`"007"`) is still a string.
public enum LogValue: Sendable, Hashable, CustomStringConvertible {
    case string(String)
    case int(Int)
    /// Written with Swift's shortest round-tripping form (`0.25`, `1e-05`); NaN and the infinities,
    /// which JSON has no number for, as the strings `nan`, `inf` and `-inf`.
    case double(Double)
    case bool(Bool)

    /// The value as text, as the text log format writes it (before any quoting).
    public var description: String {
        switch self {
        case .string(let value): value
        case .int(let value): String(value)
        case .double(let value): value.description
        case .bool(let value): value ? "true" : "false"
        }
    }
}

extension LogValue: ExpressibleByStringLiteral, ExpressibleByStringInterpolation {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(stringInterpolation: DefaultStringInterpolation) { self = .string(String(stringInterpolation: stringInterpolation)) }
}

extension LogValue: ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral {
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}
