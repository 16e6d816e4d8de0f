import HTTPWire
import HTTPServing
import Crypt
import AgentCore

/// Why the API refuses a request: the status, a stable `code` for programs and a message for
/// people. Errors that know their status carry it; the router turns them into JSON bodies.
struct APIFailure: Error, Sendable, Equatable {
    var status: HTTPStatus
    var code: String
    var message: String
    /// Extra header fields (`Allow`, `Retry-After`, `WWW-Authenticate`).
    var headers: [(String, String)] = []
    /// Extra lines for the body (a refused reload's errors).
    var details: [String] = []

    static func == (a: APIFailure, b: APIFailure) -> Bool {
        a.status == b.status && a.code == b.code && a.message == b.message && a.details == b.details
            && a.headers.map(\.0) == b.headers.map(\.0) && a.headers.map(\.1) == b.headers.map(\.1)
    }

    var response: HTTPResponse {
        var error: [(String, JSONValue)] = [("code", .string(code)), ("message", .string(message))]
        if !details.isEmpty { error.append(("details", .array(details.map { .string($0) }))) }
        var response = HTTPResponse.json(status, .object([("error", .object(error))]))
        for (name, value) in headers { response.headers.add(name: name, value: value) }
        return response
    }

    static func badRequest(_ code: String, _ message: String) -> APIFailure {
        APIFailure(status: .badRequest, code: code, message: message)
    }

    static let unauthorized = APIFailure(
        status: .unauthorized, code: "unauthorized", message: "a valid bearer token is required",
        headers: [("WWW-Authenticate", "Bearer realm=\"ccagentd\"")])

    static func forbidden(_ message: String) -> APIFailure {
        APIFailure(status: .forbidden, code: "forbidden", message: message)
    }

    /// What a caller that may not see `agent` is told: the same as for an agent that does not
    /// exist, so groups cannot probe each other's logins.
    static func unknownAgent(_ agent: AgentID) -> APIFailure {
        APIFailure(status: .notFound, code: "unknown_agent", message: "unknown agent \(agent)")
    }

    static let stopping = APIFailure(status: .serviceUnavailable, code: "stopping", message: "the daemon is stopping")

    /// The store could not commit (a full disk): nothing changed; the same request may succeed later.
    static func storeUnavailable(_ reason: String) -> APIFailure {
        APIFailure(
            status: .serviceUnavailable, code: "store_unavailable",
            message: "the change was not made: the store cannot commit (\(reason)); try again when it can",
            headers: [("Retry-After", "5")])
    }

    /// The status and code of each refusal of the rules.
    static func refused(_ error: CommandError) -> APIFailure {
        let (status, code): (HTTPStatus, String) =
            switch error {
            case .unknownAgent: (.notFound, "unknown_agent")
            case .unknownStatus: (.notFound, "unknown_status")
            case .unknownExtension: (.notFound, "unknown_extension")
            case .forbidden: (.forbidden, "forbidden")
            case .notAnAgent: (.conflict, "not_an_agent")
            case .inactive: (.conflict, "inactive")
            case .extensionNotAllowed: (.conflict, "extension_not_allowed")
            case .extensionTaken: (.conflict, "extension_taken")
            case .alreadyLoggedIn: (.conflict, "already_logged_in")
            case .notLoggedIn: (.conflict, "not_logged_in")
            case .statusNotSettable: (.conflict, "status_not_settable")
            case .limitReached: (.conflict, "limit_reached")
            case .noMobile: (.conflict, "no_mobile")
            }
        return APIFailure(status: status, code: code, message: error.description)
    }
}
