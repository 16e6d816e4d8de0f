/// The validated rules the state machine runs on: statuses, skills, extensions, users, and how
/// remote agents are reached. Built by the `Config` module from the INI file; pure data.
public struct CoreConfiguration: Sendable, Equatable {
    public var statuses: [StatusID: StatusDefinition]
    public var skills: [SkillID: SkillDefinition]
    public var extensions: [ExtensionID: ExtensionDefinition]
    public var users: [AgentID: UserDefinition]
    public var remote: RemoteSettings

    public init(
        statuses: [StatusID: StatusDefinition], skills: [SkillID: SkillDefinition],
        extensions: [ExtensionID: ExtensionDefinition], users: [AgentID: UserDefinition], remote: RemoteSettings
    ) {
        self.statuses = statuses
        self.skills = skills
        self.extensions = extensions
        self.users = users
        self.remote = remote
    }

    /// The five built-in statuses with their default labels and colours.
    public static var builtInStatuses: [StatusID: StatusDefinition] {
        [
            .connected: StatusDefinition(id: .connected, label: "Connected", color: "#20a040", activatesSkills: true),
            .virtual: StatusDefinition(id: .virtual, label: "Virtual", color: "#2080c0", activatesSkills: true),
            .unassigned: StatusDefinition(id: .unassigned, label: "Logged out", color: "#808080", activatesSkills: false),
            .incomingCall: StatusDefinition(id: .incomingCall, label: "Incoming call", color: "#c02020", activatesSkills: true, onHangup: .last),
            .outgoingCall: StatusDefinition(id: .outgoingCall, label: "Outgoing call", color: "#c06020", activatesSkills: true, onHangup: .last),
        ]
    }

    /// The status an agent gets at login on an ordinary extension: the custom one marked
    /// `default`, else `connected`.
    public var loginStatus: StatusID {
        statuses.values.filter { $0.isDefault && !$0.id.isBuiltIn }.map(\.id).min() ?? .connected
    }
}

public struct StatusDefinition: Sendable, Equatable {
    public enum OverLimit: String, Sendable, Equatable {
        /// Allowed, and flagged with a warning.
        case warn
        /// Refused, with a reason.
        case deny
    }

    public var id: StatusID
    public var label: String
    public var color: String
    /// Whether an agent in this status is a member of its skills' queues. For the call
    /// statuses this is ignored: they keep the membership of the status they interrupted.
    public var activatesSkills: Bool
    public var timeout: Duration?
    public var timeoutGoto: StatusID?
    public var isDefault: Bool
    public var maxAgents: Int?
    public var overLimit: OverLimit
    /// Only for `incoming_call` / `outgoing_call`.
    public var onHangup: OnHangup?

    public init(
        id: StatusID, label: String, color: String = "#808080", activatesSkills: Bool, timeout: Duration? = nil,
        timeoutGoto: StatusID? = nil, isDefault: Bool = false, maxAgents: Int? = nil, overLimit: OverLimit = .warn,
        onHangup: OnHangup? = nil
    ) {
        self.id = id
        self.label = label
        self.color = color
        self.activatesSkills = activatesSkills
        self.timeout = timeout
        self.timeoutGoto = timeoutGoto
        self.isDefault = isDefault
        self.maxAgents = maxAgents
        self.overLimit = overLimit
        self.onHangup = onHangup
    }
}

/// Where an agent goes after its last call hangs up.
public enum OnHangup: Sendable, Equatable {
    /// Back to the status held before the call.
    case last
    /// To a named status (wrap-up, e.g. `paperwork`).
    case status(StatusID)
}

public struct SkillDefinition: Sendable, Equatable {
    public var id: SkillID
    public var queues: [QueueName]

    public init(id: SkillID, queues: [QueueName]) {
        self.id = id
        self.queues = queues
    }
}

public struct ExtensionDefinition: Sendable, Equatable {
    public var id: ExtensionID
    /// The phone's interface; nil for a virtual extension (it has no phone).
    public var interface: Interface?
    /// What Asterisk watches for the member's device state; defaults to `interface`.
    public var stateInterface: Interface?
    public var isVirtual: Bool

    public init(id: ExtensionID, interface: Interface?, stateInterface: Interface? = nil, isVirtual: Bool = false) {
        self.id = id
        self.interface = interface
        self.stateInterface = stateInterface
        self.isVirtual = isVirtual
    }
}

public enum Role: String, Sendable, Equatable, Comparable {
    case agent, supervisor, admin

    private var rank: Int {
        switch self {
        case .agent: 0
        case .supervisor: 1
        case .admin: 2
        }
    }

    public static func < (a: Role, b: Role) -> Bool { a.rank < b.rank }
}

public struct SkillAssignment: Sendable, Equatable {
    public var skill: SkillID
    /// Asterisk's queue penalty: lower rings first.
    public var penalty: Int

    public init(skill: SkillID, penalty: Int = 0) {
        self.skill = skill
        self.penalty = penalty
    }
}

public struct UserDefinition: Sendable, Equatable {
    public var login: AgentID
    public var name: String
    /// A crypt(3) hash; never a clear password.
    public var passwordHash: String?
    public var role: Role
    /// Whether the user is a call-center agent (can log in at an extension and take calls).
    public var isAgent: Bool
    public var active: Bool
    public var skills: [SkillAssignment]
    public var personalExtension: ExtensionID?
    /// Other extensions the user may log in at, in the order offered.
    public var extensions: [ExtensionID]
    public var supervisors: [AgentID]
    public var group: GroupID?
    public var remote: Bool
    /// Dialable mobile number for a virtual extension, e.g. `+972501234567`.
    public var mobile: String?
    public var virtualExtension: ExtensionID?
    public var stayInQueuesOnLogout: Bool

    public init(
        login: AgentID, name: String, passwordHash: String? = nil, role: Role = .agent, isAgent: Bool = true,
        active: Bool = true, skills: [SkillAssignment] = [], personalExtension: ExtensionID? = nil,
        extensions: [ExtensionID] = [], supervisors: [AgentID] = [], group: GroupID? = nil, remote: Bool = false,
        mobile: String? = nil, virtualExtension: ExtensionID? = nil, stayInQueuesOnLogout: Bool = false
    ) {
        self.login = login
        self.name = name
        self.passwordHash = passwordHash
        self.role = role
        self.isAgent = isAgent
        self.active = active
        self.skills = skills
        self.personalExtension = personalExtension
        self.extensions = extensions
        self.supervisors = supervisors
        self.group = group
        self.remote = remote
        self.mobile = mobile
        self.virtualExtension = virtualExtension
        self.stayInQueuesOnLogout = stayInQueuesOnLogout
    }
}

/// How virtual extensions reach mobiles (`[remote]` in the INI file).
public struct RemoteSettings: Sendable, Equatable {
    /// With `${MOBILE}` to fill in, e.g. `Local/${MOBILE}@ccagentd-remote/n`.
    public var interfaceTemplate: String
    /// The AstDB family the dialplan reads: key = virtual extension, value = mobile number.
    public var followmeFamily: String

    public init(interfaceTemplate: String = "Local/${MOBILE}@ccagentd-remote/n", followmeFamily: String = "ccagentd/followme") {
        self.interfaceTemplate = interfaceTemplate
        self.followmeFamily = followmeFamily
    }

    public func interface(mobile: String) -> Interface {
        Interface(interfaceTemplate.replacing("${MOBILE}", with: mobile))
    }
}
