import HTTPWire
import HTTPServing
import Crypt
import AgentCore
import Config
import SystemSupport

/// The JSON shapes of docs/API.md, built from the daemon's state.
enum APIJSON {
    static func time(_ timestamp: Timestamp) -> JSONValue {
        .string(LogLineFormatter.timestamp(millisecondsSince1970: timestamp.millisecondsSince1970))
    }

    static func optional(_ value: (some CustomStringConvertible)?) -> JSONValue {
        value.map { .string($0.description) } ?? .null
    }

    static func user(_ user: UserDefinition) -> JSONValue {
        .object([
            ("login", .string(user.login.rawValue)), ("name", .string(user.name)), ("role", .string(user.role.rawValue)),
            ("group", optional(user.group)),
        ])
    }

    /// One agent as the daemon holds it now.
    static func agent(_ id: AgentID, in machine: AgentStateMachine) -> JSONValue {
        let state = machine.state(of: id)
        let members = state.flatMap { machine.members[$0.interface] } ?? []
        return agent(id, state: state, members: members, configuration: machine.configuration)
    }

    /// One agent; `warnings` only on a command's answer.
    static func agent(
        _ id: AgentID, state: AgentState?, members: [Member], configuration: CoreConfiguration, warnings: [String]? = nil
    ) -> JSONValue {
        let user = configuration.users[id]
        let status = state?.status ?? .unassigned
        let label = configuration.statuses[status]?.label ?? status.rawValue
        let queues = members.sorted { $0.queue < $1.queue }
            .map { JSONValue.object([("queue", .string($0.queue.rawValue)), ("penalty", .integer($0.penalty))]) }
        let calls = (state?.calls ?? [:]).sorted { $0.key < $1.key }
            .map { JSONValue.object([("unique_id", .string($0.key)), ("direction", .string($0.value.rawValue))]) }
        var fields: [(String, JSONValue)] = [
            ("login", .string(id.rawValue)), ("name", .string(user?.name ?? id.rawValue)), ("group", optional(user?.group)),
            ("status", .string(status.rawValue)), ("status_label", .string(label)),
            ("since", state.map { time($0.since) } ?? .null), ("extension", optional(state?.extensionID)),
            ("interface", optional(state?.interface)), ("virtual", .bool(state?.isVirtual ?? false)),
            ("queues", .array(queues)), ("calls", .array(calls)),
        ]
        if let warnings { fields.append(("warnings", .array(warnings.map { .string($0) }))) }
        return .object(fields)
    }

    /// `taken_by` names the holder only when `showing`; `taken` says it is taken either way.
    static func offer(_ offer: ExtensionOffer, showing: Bool) -> JSONValue {
        .object([
            ("id", .string(offer.id.rawValue)), ("kind", .string(offer.kind.rawValue)), ("label", .string(offer.label)),
            ("taken", .bool(offer.takenBy != nil)), ("taken_by", showing ? optional(offer.takenBy) : .null),
        ])
    }

    static func status(_ status: StatusDefinition, agents: Int) -> JSONValue {
        .object([
            ("id", .string(status.id.rawValue)), ("label", .string(status.label)), ("color", .string(status.color)),
            ("activates_skills", .bool(status.activatesSkills)), ("built_in", .bool(status.id.isBuiltIn)),
            ("timeout", status.timeout.map { .integer(Int($0.components.seconds)) } ?? .null),
            ("timeout_goto", optional(status.timeoutGoto)), ("max_agents", status.maxAgents.map { .integer($0) } ?? .null),
            ("over_limit", .string(status.overLimit.rawValue)), ("agents", .integer(agents)),
        ])
    }

    static func skill(_ skill: SkillDefinition) -> JSONValue {
        .object([("id", .string(skill.id.rawValue)), ("queues", .array(skill.queues.map { .string($0.rawValue) }))])
    }

    static func extensionEntry(_ definition: ExtensionDefinition, agent: AgentID?) -> JSONValue {
        .object([
            ("id", .string(definition.id.rawValue)), ("interface", optional(definition.interface)),
            ("state_interface", optional(definition.stateInterface)), ("virtual", .bool(definition.isVirtual)),
            ("agent", optional(agent)),
        ])
    }

    static func transition(_ transition: Transition) -> JSONValue {
        .object([
            ("agent", .string(transition.agent.rawValue)), ("from", .string(transition.from.rawValue)),
            ("to", .string(transition.to.rawValue)), ("at", time(transition.at)), ("cause", .string(transition.cause.rawValue)),
            ("actor", .string(transition.actor.description)), ("note", transition.note.map { .string($0) } ?? .null),
        ])
    }
}
