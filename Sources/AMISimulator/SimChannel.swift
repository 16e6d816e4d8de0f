/// Channel states the simulator uses, with Asterisk's numbers and descriptions.
enum ChannelState: Int {
    case down = 0
    /// An analog (DAHDI) line taken for a call, before it rings or dials.
    case reserved = 1
    case ring = 4
    case ringing = 5
    case up = 6

    var description: String {
        switch self {
        case .down: "Down"
        case .reserved: "Rsrvd"
        case .ring: "Ring"
        case .ringing: "Ringing"
        case .up: "Up"
        }
    }
}

/// One simulated channel. Loop-confined, like all simulator state.
final class SimChannel {
    let name: String
    let uniqueid: String
    let linkedid: String
    /// The phone (member interface) this channel is a leg of; nil for callers and outside parties.
    let phone: String?
    let createdAt: ContinuousClock.Instant
    var state: ChannelState
    var callerNum = "<unknown>"
    var callerName = "<unknown>"
    var connectedNum = "<unknown>"
    var connectedName = "<unknown>"
    var context: String
    var exten: String
    var priority = 1
    var application = ""
    var applicationData = ""
    var bridgeID = ""
    /// The call this channel belongs to.
    var callID = 0

    init(
        name: String, uniqueid: String, linkedid: String, state: ChannelState, context: String, exten: String,
        phone: String?
    ) {
        self.name = name
        self.uniqueid = uniqueid
        self.linkedid = linkedid
        self.state = state
        self.context = context
        self.exten = exten
        self.phone = phone
        self.createdAt = .now
    }

    /// The channel block of an event, in Asterisk's order; `prefix` is `Dest` for the far side.
    func fields(prefix: String = "", exten overriddenExten: String? = nil) -> [(String, String)] {
        [
            (prefix + "Channel", name),
            (prefix + "ChannelState", String(state.rawValue)),
            (prefix + "ChannelStateDesc", state.description),
            (prefix + "CallerIDNum", callerNum),
            (prefix + "CallerIDName", callerName),
            (prefix + "ConnectedLineNum", connectedNum),
            (prefix + "ConnectedLineName", connectedName),
            (prefix + "Language", "en"),
            (prefix + "AccountCode", ""),
            (prefix + "Context", context),
            (prefix + "Exten", overriddenExten ?? exten),
            (prefix + "Priority", String(priority)),
            (prefix + "Uniqueid", uniqueid),
            (prefix + "Linkedid", linkedid),
        ]
    }

    func setCaller(num: String, name: String) {
        callerNum = num
        callerName = name
    }

    func setConnected(num: String, name: String) {
        connectedNum = num
        connectedName = name
    }

    var snapshot: ChannelSnapshot {
        ChannelSnapshot(
            name: name, uniqueid: uniqueid, linkedid: linkedid, state: state.rawValue, callerIDNum: callerNum,
            context: context, exten: exten, application: application, interface: phone)
    }
}
