/// A request the wire layer refuses, with the status to answer and a short constant reason.
///
/// After the decoder throws one, the connection's framing is lost: answer with `status`
/// (`HTTPResponse.error(_:)`) and `Connection: close`, then close.
public struct HTTPError: Error, Sendable, Hashable, CustomStringConvertible {
    public let status: HTTPStatus
    public let reason: String

    public init(_ status: HTTPStatus, _ reason: String) {
        self.status = status
        self.reason = reason
    }

    static func badRequest(_ reason: String) -> HTTPError { HTTPError(.badRequest, reason) }

    public var description: String { "\(status.code) \(reason)" }
}
