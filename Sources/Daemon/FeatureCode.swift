import ControlPort
import AMI
import AgentCore

/// A phone feature code: a `UserEvent` the dialplan sends (see `Config/extensions-ccagentd.conf`):
///
///     Event: UserEvent
///     UserEvent: ccagentd
///     Command: status | login | logout
///     Status: <status id>            (status only)
///     Extension: <the calling phone's extension>
///     Agent: <login>                 (login only, optional; must be the extension's owner)
///
/// A phone logs in only the owner of its personal extension (no password is asked at a phone);
/// `status` and `logout` act on the agent logged in at the extension.
struct FeatureCode: Equatable {
    enum Request: Equatable {
        case login(agent: AgentID?)
        case logout
        case status(StatusID)
    }

    var extensionID: ExtensionID
    var request: Request

    /// Why a `UserEvent: ccagentd` could not be read, for the log.
    struct Invalid: Error, Equatable {
        var reason: String
    }

    /// nil for a `UserEvent` that is not ccagentd's; a failure for one that is but is malformed.
    static func parse(_ message: AMIMessage) -> Result<FeatureCode, Invalid>? {
        guard message["UserEvent"]?.lowercased() == "ccagentd" else { return nil }
        guard let extensionText = message["Extension"]?.trimmed, !extensionText.isEmpty else {
            return .failure(Invalid(reason: "no Extension header"))
        }
        let extensionID = ExtensionID(extensionText)
        switch message["Command"]?.trimmed.lowercased() {
        case "status":
            guard let status = message["Status"]?.trimmed, !status.isEmpty else {
                return .failure(Invalid(reason: "Command: status without a Status header"))
            }
            return .success(FeatureCode(extensionID: extensionID, request: .status(StatusID(status))))
        case "logout":
            return .success(FeatureCode(extensionID: extensionID, request: .logout))
        case "login":
            let agent = message["Agent"]?.trimmed
            return .success(FeatureCode(extensionID: extensionID, request: .login(agent: agent.flatMap { $0.isEmpty ? nil : AgentID($0) })))
        case let other?:
            return .failure(Invalid(reason: "unknown Command \(other); expected status, login or logout"))
        case nil:
            return .failure(Invalid(reason: "no Command header"))
        }
    }
}

extension String {
    var trimmed: String {
        var view = Substring(self)
        while view.first?.isWhitespace == true { view = view.dropFirst() }
        while view.last?.isWhitespace == true { view = view.dropLast() }
        return String(view)
    }
}
