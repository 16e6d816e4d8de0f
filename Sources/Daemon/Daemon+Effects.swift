import ControlPort
import AMI
import AgentCore
import Store
import SystemSupport

extension Effect {
    /// Whether `report` logs it or tells listeners about it.
    var isReported: Bool {
        switch self {
        case .transition, .callStarted, .callEnded, .warning: true
        case .queueAdd, .queueRemove, .queuePenalty, .dbPut, .dbDel, .saveAgent: false
        }
    }

    var transitionAgent: AgentID? {
        if case .transition(let t) = self { t.agent } else { nil }
    }
}

extension Daemon {
    /// Runs one input through the core and carries out its effects. When the store refuses this
    /// input's writes alone, it is undone and `failedInput` says why; the batch goes on.
    @discardableResult
    func run(audit: ((Outcome) -> AuditEntry?)? = nil, _ input: (inout AgentStateMachine) -> Outcome) -> Outcome {
        failedInput = nil
        let lingering = machine.lingering
        let mark = batch.effects.count
        let sentBefore = actionsSentCount
        let outcome = input(&machine)
        carryOut(outcome.effects, lingeringChanged: machine.lingering != lingering, audit: audit?(outcome))
        if let failedInput {
            undoInput(failedInput, effectsFrom: mark, sentActions: actionsSentCount != sentBefore)
        }
        return outcome
    }

    /// Asterisk first (queue actions are idempotent and the reconcile repairs them; sending
    /// them before the disk write keeps the agent's phone waiting for nothing), then the store,
    /// into the batch's transaction. Logs and listeners wait for the commit (`commitBatch`).
    func carryOut(_ effects: [Effect], lingeringChanged: Bool, audit: AuditEntry? = nil) {
        scheduleCommit()
        // A batch that cannot commit is undone: sending it more would only be undone too.
        if batch.failure == nil {
            let entered = ContinuousClock.now
            for effect in effects {
                guard let action = EffectAction(effect) else { continue }
                send(action, entered: entered)
            }
        }
        let lingering = lingeringChanged ? machine.lingering : nil
        if lingering != nil || audit != nil || effects.contains(where: \.isStored) {
            record { () throws(StoreError) in try store.write(effects, lingering: lingering, audit: audit) }
        }
        for effect in effects where effect.isReported {
            switch effect {
            case .callStarted(_, let uniqueID, _, _, _): liveCalls.insert(uniqueID)
            case .callEnded(_, let uniqueID, _): liveCalls.remove(uniqueID)
            default: break
            }
            // The extension as it is now: a later input of the batch may log the agent out.
            let extensionID = effect.transitionAgent.flatMap { machine.state(of: $0)?.extensionID }
            batch.effects.append((effect, extensionID))
        }
    }

    /// Logs the effect and tells listeners: once it is committed.
    func report(_ effect: Effect, extensionID: ExtensionID?) {
        switch effect {
        case .transition(let t):
            var fields: [(String, LogValue)] = [
                ("agent", .string(t.agent.rawValue)), ("from", .string(t.from.rawValue)), ("to", .string(t.to.rawValue)),
                ("cause", .string(t.cause.rawValue)), ("actor", .string(t.actor.description)),
            ]
            if let extensionID { fields.append(("extension", .string(extensionID.rawValue))) }
            if let note = t.note { fields.append(("note", .string(note))) }
            let event =
                t.from == .unassigned ? "agent.logged_in" : t.to == .unassigned ? "agent.logged_out" : "agent.status_changed"
            logger.info(event, fields)
            notify(.transition(t))
        case .callStarted(let agent, let uniqueID, let channel, let direction, let at):
            logger.info(
                "call.started",
                [("agent", .string(agent.rawValue)), ("unique_id", .string(uniqueID)), ("channel", .string(channel)),
                 ("direction", .string(direction.rawValue))])
            notify(.callStarted(agent: agent, uniqueID: uniqueID, channel: channel, direction: direction, at: at))
        case .callEnded(let agent, let uniqueID, let at):
            logger.info("call.ended", [("agent", .string(agent.rawValue)), ("unique_id", .string(uniqueID))])
            notify(.callEnded(agent: agent, uniqueID: uniqueID, at: at))
        case .warning(let event, let agent, let message):
            logger.warning(event, (agent.map { [("agent", .string($0.rawValue))] } ?? []) + [("message", .string(message))])
        case .queueAdd, .queueRemove, .queuePenalty, .dbPut, .dbDel, .saveAgent:
            break
        }
    }

    // MARK: Queue actions

    private func send(_ effectAction: EffectAction, entered: ContinuousClock.Instant) {
        guard let connection, amiState.isLoggedIn else {
            // The reconcile after the next login converges Asterisk to the state recorded now.
            counters.actionsDeferred += 1
            return
        }
        counters.actionsSent[effectAction.action.name, default: 0] += 1
        batch.sentActions = true
        actionsSentCount &+= 1
        inFlight += 1
        connection.send(effectAction.action) { [weak self] result in
            self?.loop.execute { [weak self] in self?.finished(effectAction, result: result, entered: entered) }
        }
    }

    private func finished(_ effectAction: EffectAction, result: Result<AMIResponse, AMIError>, entered: ContinuousClock.Instant) {
        inFlight -= 1
        let name = effectAction.action.name
        var fields: [(String, LogValue)] = [("action", .string(name))]
        if let queue = effectAction.queue { fields.append(("queue", .string(queue))) }
        if let interface = effectAction.interface { fields.append(("interface", .string(interface))) }
        switch result {
        case .success(let response):
            let elapsed = entered.duration(to: .now)
            counters.effectLatency.record(milliseconds: Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)
            fields.append(("action_id", .string(response.message.actionID ?? "")))
            switch EffectAction.verdict(on: response, to: effectAction.action) {
            case .done:
                break
            case .refusedForGood(let message):
                logger.warning("ami.action_refused", fields + [("error", .string(message))])
            case .failed(let message):
                counters.actionsFailed[name, default: 0] += 1
                logger.error("ami.action_failed", fields + [("error", .string(message))])
                scheduleRetryReconcile()
            }
        case .failure(let error):
            counters.actionsFailed[name, default: 0] += 1
            switch error {
            case .notConnected, .connectionLost, .shutDown:
                // Its effect is unknown: the reconcile after the next login decides.
                logger.warning("ami.action_failed", fields + [("error", .string(error.description)), ("retry", "reconcile on reconnect")])
            case .timeout:
                logger.error("ami.action_failed", fields + [("error", .string(error.description))])
                scheduleRetryReconcile()
            default:
                // Refused before sending (a value Asterisk would mangle): asking again changes nothing.
                logger.error("ami.action_failed", fields + [("error", .string(error.description))])
            }
        }
    }
}
