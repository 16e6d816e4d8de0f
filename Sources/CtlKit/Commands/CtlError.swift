/// Why a command did not succeed: what to tell the person, and the exit status for scripts.
public enum CtlError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The connection could not be made; `permissionDenied` when the socket's file mode kept us out.
    case unreachable(endpoint: String, reason: String, permissionDenied: Bool)
    /// No answer (or, for an event stream, no data) within `seconds`.
    case timedOut(endpoint: String, seconds: Double)
    /// The connection ended, or failed, before the whole answer arrived.
    case connectionLost(endpoint: String, reason: String)
    /// The answer is not HTTP, or not the API's shape.
    case malformedAnswer(String)
    /// An answer other than 2xx: its status and the API's error code and message.
    case answered(status: Int, code: String?, message: String)
    /// A step on this side failed (e.g. the two passwords differ).
    case failed(String)
    /// SIGINT or SIGTERM during `watch`: a clean stop.
    case cancelled

    public var exitStatus: Int32 {
        switch self {
        case .unreachable(_, _, let permissionDenied): permissionDenied ? ExitStatus.notAuthorized : ExitStatus.unavailable
        case .timedOut, .connectionLost, .malformedAnswer: ExitStatus.unavailable
        case .answered(let status, _, _):
            switch status {
            case 401, 403: ExitStatus.notAuthorized
            case 400..<500: ExitStatus.refused
            default: ExitStatus.unavailable
            }
        case .failed: ExitStatus.refused
        case .cancelled: ExitStatus.success
        }
    }

    /// The text after `Error: `.
    public var description: String {
        switch self {
        case .unreachable(let endpoint, let reason, _): "cannot connect to \(endpoint): \(reason)"
        case .timedOut(let endpoint, let seconds): "no answer from \(endpoint) within \(Self.seconds(seconds))"
        case .connectionLost(let endpoint, let reason): "the connection to \(endpoint) was lost: \(reason)"
        case .malformedAnswer(let reason): "the daemon's answer could not be read: \(reason)"
        case .answered(_, _, let message): message
        case .failed(let message): message
        case .cancelled: "stopped"
        }
    }

    /// `10 s`, `0.5 s`.
    static func seconds(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? "\(Int(value)) s" : "\(value) s"
    }
}
