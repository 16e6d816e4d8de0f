/// Everything that can go wrong in the AMI layer, with the context a person needs.
public enum AMIError: Error, Sendable, Equatable, CustomStringConvertible {
    // Wire format, decoding.
    /// A frame grew past the configured bound without ending; the decoder skipped it.
    case frameTooLarge(limit: Int, offset: Int)
    /// A header line without a colon; the decoder skipped the frame that held it.
    case malformedLine(offset: Int, line: String)

    // Wire format, encoding.
    case invalidCharacter(key: String, reason: String)
    case lineTooLong(key: String, length: Int, limit: Int)
    case tooManyLines(count: Int, limit: Int)

    // Connection.
    case notConnected
    case connectionLost(reason: String)
    case timeout(action: String, actionID: String)
    case authenticationFailed(message: String)
    case protocolViolation(String)
    case shutDown

    public var description: String {
        switch self {
        case .frameTooLarge(let limit, let offset):
            "AMI frame at byte \(offset) is larger than the \(limit)-byte bound; skipped to the next frame"
        case .malformedLine(let offset, let line):
            "AMI line at byte \(offset) has no colon: \(line.debugDescription); frame skipped"
        case .invalidCharacter(let key, let reason):
            "AMI header \(key.debugDescription) refused: \(reason)"
        case .lineTooLong(let key, let length, let limit):
            "AMI header \(key.debugDescription) is \(length) bytes on the wire; Asterisk drops lines over \(limit)"
        case .tooManyLines(let count, let limit):
            "AMI action has \(count) header lines; Asterisk ignores those past \(limit)"
        case .notConnected: "not connected to Asterisk"
        case .connectionLost(let reason): "connection to Asterisk lost: \(reason)"
        case .timeout(let action, let actionID): "no answer from Asterisk to \(action) (ActionID \(actionID)) in time"
        case .authenticationFailed(let message): "Asterisk refused the login: \(message)"
        case .protocolViolation(let text): "unexpected AMI traffic: \(text)"
        case .shutDown: "the AMI connection was shut down"
        }
    }
}
