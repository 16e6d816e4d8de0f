import ControlPort
import AgentCore
import Store

extension Daemon {
    /// Restores every agent the store holds, then applies what changed while the daemon was down:
    /// users, extensions or statuses gone from the configuration (through the core's reload
    /// rules) and timed statuses that expired (each recorded at its own deadline).
    func restore() throws(DaemonError) {
        let saved: [AgentState]
        let lingering: [Interface: AgentID]
        do {
            saved = try store.loadAgents()
            lingering = try store.loadLingering()
        } catch {
            throw .store(path: settings.general.database, error.description)
        }
        let now = options.clock()
        // On the caller's thread, before the daemon's runs anything: one commit, made here.
        restoring = true
        machine = AgentStateMachine(configuration: settings.core, restoring: saved, lingering: lingering)
        // The core restores only agents its configuration knows; the others are logged out here,
        // recorded like any change so the history stays contiguous.
        var effects: [Effect] = []
        for state in saved.sorted(by: { $0.agent < $1.agent }) where settings.core.users[state.agent] == nil {
            effects.append(
                .transition(
                    Transition(
                        agent: state.agent, from: state.status, to: .unassigned, at: now, cause: .reload, actor: .system,
                        note: "user \(state.agent) is no longer in the configuration")))
            effects.append(.saveAgent(state.agent, nil))
        }
        liveCalls = Set(machine.agents.values.flatMap(\.calls.keys))
        carryOut(effects, lingeringChanged: false)
        _ = run { $0.reload(settings.core, at: now) }
        let expired = run { $0.tick(at: now) }
        commitBatch()
        restoring = false
        // Starting without it would leave the rules above half applied: a clear error instead,
        // and the store as it was (systemd tries again; nothing was acknowledged).
        if let outage {
            throw .store(
                path: settings.general.database, "cannot record what changed while the daemon was down: \(outage.error.description)")
        }
        logger.notice(
            "daemon.restored",
            [("agents", .int(machine.agents.count)), ("timeouts", .int(expired.effects.transitions)),
             ("dropped", .int(effects.transitions))])
    }
}

extension [Effect] {
    var transitions: Int { count(where: { if case .transition = $0 { true } else { false } }) }
}
