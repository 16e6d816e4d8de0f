/// A configuration file the simulator cannot use, with the line a person has to fix.
public enum SimulatorConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    case syntax(line: Int, text: String)
    case invalidValue(line: Int, key: String, value: String, expected: String)
    case unreadable(path: String, reason: String)

    public var description: String {
        switch self {
        case .syntax(let line, let text): "line \(line): cannot read \(text.debugDescription)"
        case .invalidValue(let line, let key, let value, let expected):
            "line \(line): \(key) = \(value.debugDescription) is not \(expected)"
        case .unreadable(let path, let reason): "\(path): \(reason)"
        }
    }
}
