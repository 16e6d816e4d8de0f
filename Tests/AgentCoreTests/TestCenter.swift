@testable import AgentCore

/// A small call center for the rule tests: two skills over three queues, a timed break with a
/// limit, paperwork as wrap-up, a remote agent, a supervisor, two groups.
enum TestCenter {
    static let t0 = Timestamp(seconds: 1_795_289_000)

    static func at(_ seconds: Int64) -> Timestamp { Timestamp(millisecondsSince1970: t0.millisecondsSince1970 + seconds * 1000) }

    static var configuration: CoreConfiguration {
        var statuses = CoreConfiguration.builtInStatuses
        statuses[.incomingCall]?.onHangup = .status("paperwork")
        statuses["break"] = StatusDefinition(id: "break", label: "Break", activatesSkills: false, timeout: .seconds(900), timeoutGoto: .connected, maxAgents: 2, overLimit: .deny)
        statuses["paperwork"] = StatusDefinition(id: "paperwork", label: "Paperwork", activatesSkills: false, timeout: .seconds(120), timeoutGoto: .connected)
        statuses["lunch"] = StatusDefinition(id: "lunch", label: "Lunch", activatesSkills: false, maxAgents: 1, overLimit: .warn)
        statuses["training"] = StatusDefinition(id: "training", label: "Training", activatesSkills: true)
        statuses["wrap"] = StatusDefinition(id: "wrap", label: "Wrap", activatesSkills: false, timeout: .seconds(60), timeoutGoto: "break")
        let skills: [SkillID: SkillDefinition] = [
            "sales": SkillDefinition(id: "sales", queues: ["sales"]),
            "support": SkillDefinition(id: "support", queues: ["support-private", "support-business"]),
        ]
        var extensions: [ExtensionID: ExtensionDefinition] = [:]
        for n in 101...105 {
            let id = ExtensionID(String(n))
            extensions[id] = ExtensionDefinition(id: id, interface: Interface("PJSIP/\(n)"))
        }
        extensions["106"] = ExtensionDefinition(id: "106", interface: "Local/106@agents/n", stateInterface: "Custom:agent106")
        extensions["901"] = ExtensionDefinition(id: "901", interface: nil, isVirtual: true)
        extensions["902"] = ExtensionDefinition(id: "902", interface: nil, isVirtual: true)
        let users: [UserDefinition] = [
            UserDefinition(login: "dana@example.com", name: "Dana Levi", skills: [SkillAssignment(skill: "sales"), SkillAssignment(skill: "support", penalty: 2)],
                           personalExtension: "101", extensions: ["102", "103", "104", "105", "106", "902"], supervisors: ["boss@example.com"], group: "team-a"),
            UserDefinition(login: "eli@example.com", name: "Eli Cohen", skills: [SkillAssignment(skill: "support", penalty: 1)],
                           personalExtension: "102", extensions: ["101", "103", "104", "105", "106"], supervisors: ["boss@example.com"], group: "team-a"),
            UserDefinition(login: "fay@example.com", name: "Fay Nowak", skills: [SkillAssignment(skill: "sales")],
                           personalExtension: "103", extensions: ["101", "104", "105"], group: "team-b"),
            UserDefinition(login: "remo@example.com", name: "Remo Ivanov", skills: [SkillAssignment(skill: "sales", penalty: 1)],
                           personalExtension: "105", extensions: ["101", "104"], supervisors: ["boss@example.com"], group: "team-a",
                           remote: true, mobile: "+972501234567", virtualExtension: "901"),
            UserDefinition(login: "stay@example.com", name: "Stay Put", skills: [SkillAssignment(skill: "sales", penalty: 3)],
                           personalExtension: "104", extensions: ["101", "105", "106"], group: "team-b", stayInQueuesOnLogout: true),
            UserDefinition(login: "boss@example.com", name: "Boss", role: .supervisor, isAgent: false, group: "team-a"),
            UserDefinition(login: "root@example.com", name: "Root", role: .admin, isAgent: false),
        ]
        return CoreConfiguration(
            statuses: statuses, skills: skills, extensions: extensions,
            users: Dictionary(uniqueKeysWithValues: users.map { ($0.login, $0) }), remote: RemoteSettings())
    }

    static let dana: AgentID = "dana@example.com"
    static let eli: AgentID = "eli@example.com"
    static let fay: AgentID = "fay@example.com"
    static let remo: AgentID = "remo@example.com"
    static let stay: AgentID = "stay@example.com"
    static let boss: AgentID = "boss@example.com"
    static let root: AgentID = "root@example.com"
    static let agents: [AgentID] = [dana, eli, fay, remo, stay]
}

extension Outcome {
    var queueEffects: [Effect] {
        effects.filter {
            switch $0 {
            case .queueAdd, .queueRemove, .queuePenalty: true
            default: false
            }
        }
    }

    var transitions: [Transition] {
        effects.compactMap { if case .transition(let t) = $0 { t } else { nil } }
    }

    var error: CommandError? {
        if case .failure(let error) = result { error } else { nil }
    }
}

func add(_ queue: QueueName, _ interface: Interface, _ penalty: Int, _ name: String, state: Interface?) -> Effect {
    .queueAdd(Member(queue: queue, interface: interface, penalty: penalty, memberName: name, stateInterface: state))
}
