import ControlPort
import AgentCore
import Store

extension Daemon {
    /// One command through the rules, audited whether it succeeded or not, and answered once
    /// its batch has committed; when the store cannot commit, refused as if it never came.
    func perform(
        _ command: Command, by actor: Actor, source: String, completion: @escaping @Sendable (CommandReply) -> Void
    ) {
        guard accepting else { return completion(CommandReply(result: .failure(.stopping))) }
        counters.commands += 1
        if storeHoldsInputs(), let outage {
            return refuseForStore(command, by: actor, error: outage.error, completion: completion)
        }
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
        if let failedInput { return refuseForStore(command, by: actor, error: failedInput, completion: completion) }
        // The reply as of now: later inputs of the batch must not change what this one answers.
        let reply: CommandReply
        switch outcome.result {
        case .failure(let error)?:
            reply = CommandReply(result: .failure(.refused(error)))
        case .success(let state)?:
            let members = state.flatMap { machine.members[$0.interface] } ?? []
            reply = CommandReply(result: .success(state), warnings: outcome.warnings, members: members)
        case nil:
            reply = CommandReply(result: .success(machine.state(of: command.agent)), warnings: outcome.warnings)
        }
        whenCommitted { [self] failure in
            if let failure { return refuseForStore(command, by: actor, error: failure, completion: completion) }
            if case .failure(let error) = reply.result {
                counters.commandsRefused += 1
                logger.notice(
                    "command.refused",
                    [("agent", .string(command.agent.rawValue)), ("command", .string(command.auditAction)),
                     ("actor", .string(actor.description)), ("error", .string(error.description))])
            }
            for warning in reply.warnings {
                logger.warning("command.warning", [("agent", .string(command.agent.rawValue)), ("message", .string(warning))])
            }
            completion(reply)
        }
    }

    /// The store cannot commit: the command did not happen, and the caller is told so.
    private func refuseForStore(
        _ command: Command, by actor: Actor, error: StoreError, completion: @Sendable (CommandReply) -> Void
    ) {
        counters.commandsRefused += 1
        logger.warning(
            "command.refused",
            [("agent", .string(command.agent.rawValue)), ("command", .string(command.auditAction)),
             ("actor", .string(actor.description)), ("error", "the store cannot commit"), ("store_error", .string(error.description))])
        completion(CommandReply(result: .failure(.storeUnavailable(error.summary))))
    }
}

extension Command {
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
