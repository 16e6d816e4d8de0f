public import AgentCore
import Store

extension Daemon {
    /// One command through the rules, audited whether it succeeded or not.
    func perform(_ command: Command, by actor: Actor, source: String) -> CommandReply {
        guard accepting else { return CommandReply(result: .failure(.stopping)) }
        counters.commands += 1
        let now = options.clock()
        let outcome = run(audit: { outcome in
            var entry = AuditEntry(
                at: now, actor: actor, source: source, action: command.auditAction, target: command.agent.rawValue, outcome: "ok",
                detail: command.auditDetail)
            if case .failure(let error)? = outcome.result {
                entry.outcome = "refused"
                entry.detail = [command.auditDetail, error.description].compactMap { $0 }.joined(separator: "; ")
            } else if !outcome.warnings.isEmpty {
                entry.detail = ([command.auditDetail].compactMap { $0 } + outcome.warnings).joined(separator: "; ")
            }
            return entry
        }) { $0.handle(command, by: actor, at: now) }
        switch outcome.result {
        case .failure(let error)?:
            counters.commandsRefused += 1
            logger.notice(
                "command.refused",
                [("agent", .string(command.agent.rawValue)), ("command", .string(command.auditAction)),
                 ("actor", .string(actor.description)), ("error", .string(error.description))])
            return CommandReply(result: .failure(.refused(error)))
        case .success(let state)?:
            for warning in outcome.warnings {
                logger.warning("command.warning", [("agent", .string(command.agent.rawValue)), ("message", .string(warning))])
            }
            let members = state.flatMap { machine.members[$0.interface] } ?? []
            return CommandReply(result: .success(state), warnings: outcome.warnings, members: members)
        case nil:
            return CommandReply(result: .success(machine.state(of: command.agent)), warnings: outcome.warnings)
        }
    }
}

extension Command {
    /// The agent the command is about.
    public var agent: AgentID {
        switch self {
        case .login(let agent, _), .logout(let agent), .setStatus(let agent, _): agent
        }
    }

    var auditAction: String {
        switch self {
        case .login: "login"
        case .logout: "logout"
        case .setStatus: "set_status"
        }
    }

    var auditDetail: String? {
        switch self {
        case .login(_, let extensionID): "extension \(extensionID)"
        case .logout: nil
        case .setStatus(_, let status): "status \(status)"
        }
    }
}
