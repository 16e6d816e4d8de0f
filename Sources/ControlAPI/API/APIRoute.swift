import HTTPWire
import HTTPServing
import Crypt
import AgentCore

/// Every route of the API (docs/API.md), matched from a method and a decoded path.
enum APIRoute: Sendable, Equatable {
    case createSession
    case deleteSession
    case agents
    case agent(AgentID)
    case extensionOffer(AgentID)
    case login(AgentID)
    case logout(AgentID)
    case setStatus(AgentID)
    case statuses
    case skills
    case extensions
    case reload
    /// `DELETE /v1/logins/{login}/lock`: an admin clears a login's lock.
    case unlockLogin(String)
    case timeInStatusReport
    case events
    case health
    case metrics

    /// The route, or 404 for a path nobody serves and 405 (with `Allow`) for a known path asked
    /// with the wrong method. A trailing slash is tolerated.
    static func match(method: String, path: [String]) -> Result<APIRoute, APIFailure> {
        var path = path[...]
        if path.count > 1, path.last == "" { path = path.dropLast() }
        let candidates = routes(for: Array(path))
        guard !candidates.isEmpty else {
            return .failure(APIFailure(status: .notFound, code: "not_found", message: "no such route: /\(path.joined(separator: "/"))"))
        }
        if let found = candidates.first(where: { $0.method == method }) { return .success(found.route) }
        let allowed = candidates.map(\.method).joined(separator: ", ")
        return .failure(
            APIFailure(
                status: .methodNotAllowed, code: "method_not_allowed",
                message: "\(method) is not allowed here; use \(allowed)", headers: [("Allow", allowed)]))
    }

    private static func routes(for path: [String]) -> [(method: String, route: APIRoute)] {
        switch path.count {
        case 1:
            switch path[0] {
            case "healthz": return [("GET", .health)]
            case "metrics": return [("GET", .metrics)]
            default: return []
            }
        case 2 where path[0] == "v1":
            switch path[1] {
            case "sessions": return [("POST", .createSession)]
            case "agents": return [("GET", .agents)]
            case "statuses": return [("GET", .statuses)]
            case "skills": return [("GET", .skills)]
            case "extensions": return [("GET", .extensions)]
            case "reload": return [("POST", .reload)]
            case "events": return [("GET", .events)]
            default: return []
            }
        case 3 where path[0] == "v1":
            if path[1] == "sessions", path[2] == "current" { return [("DELETE", .deleteSession)] }
            if path[1] == "reports", path[2] == "time-in-status" { return [("GET", .timeInStatusReport)] }
            guard path[1] == "agents", !path[2].isEmpty else { return [] }
            return [("GET", .agent(AgentID(path[2])))]
        case 4 where path[0] == "v1" && path[1] == "logins" && !path[2].isEmpty && path[3] == "lock":
            return [("DELETE", .unlockLogin(path[2]))]
        case 4 where path[0] == "v1" && path[1] == "agents" && !path[2].isEmpty:
            let agent = AgentID(path[2])
            switch path[3] {
            case "extensions": return [("GET", .extensionOffer(agent))]
            case "login": return [("POST", .login(agent))]
            case "logout": return [("POST", .logout(agent))]
            case "status": return [("PUT", .setStatus(agent))]
            default: return []
            }
        default:
            return []
        }
    }
}
