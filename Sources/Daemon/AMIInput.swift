import ControlPort
import AMI
import AgentCore

/// What the daemon's thread needs of one report from the AMI connection, reduced on the
/// connection's thread as it is read: a few strings instead of the whole frame, and nothing at
/// all for the events the daemon does not act on (most of a busy PBX's feed).
enum AMIInput: Sendable, Equatable {
    case stateChanged(AMIConnectionState)
    case fullyBooted(uptime: Int?, restarted: Bool)
    /// `Newchannel`, `DialBegin`, `Hangup`.
    case call(CallEvent)
    /// `Newstate` to Up (6): the call with this unique id was answered, if it is one being watched.
    case answered(uniqueID: String)
    /// `UserEvent: ccagentd`, read or refused; `extensionHeader` as sent, for the log.
    case featureCode(Result<FeatureCode, FeatureCode.Invalid>, extensionHeader: String)

    /// nil for an event the daemon does not act on.
    init?(_ event: AMIConnectionEvent) {
        switch event {
        case .stateChanged(let state):
            self = .stateChanged(state)
        case .fullyBooted(let uptime, let restarted):
            self = .fullyBooted(uptime: uptime, restarted: restarted)
        case .event(let message):
            guard let input = Self(message) else { return nil }
            self = input
        }
    }

    private init?(_ message: AMIMessage) {
        guard let name = message["Event"] else { return nil }
        if let call = CallEvent(message, event: name) {
            self = .call(call)
        } else if name == "Newstate" {
            guard message.has("ChannelState", "6"), let uniqueID = message["Uniqueid"] else { return nil }
            self = .answered(uniqueID: uniqueID)
        } else if name == "UserEvent", let parsed = FeatureCode.parse(message) {
            self = .featureCode(parsed, extensionHeader: message["Extension"] ?? "")
        } else {
            return nil
        }
    }
}
