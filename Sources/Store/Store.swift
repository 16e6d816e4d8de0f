public import AgentCore

/// The daemon's view of the database: apply the effects of one input in one transaction, restore
/// agents at start, read history and reports. Not `Sendable`, like its connection.
public final class Store {
    public let database: Database

    /// Opens (or creates) the store at `path` and migrates it to the latest schema.
    public init(path: String) throws(StoreError) {
        database = try Database.open(path: path)
        try Schema.migrate(database)
    }

    public static var schemaVersion: Int { Schema.latestVersion }

    /// Commits everything one input changed, in ONE transaction: history rows, agent states,
    /// calls, optionally the whole lingering map, and the audit line. Effects that are not the
    /// store's (queue actions, AstDB, warnings) are ignored. Nothing to write: no transaction.
    public func apply(
        _ effects: [Effect], lingering: [Interface: AgentID]? = nil, audit: AuditEntry? = nil
    ) throws(StoreError) {
        let relevant = effects.filter(\.isStored)
        if relevant.isEmpty, lingering == nil, audit == nil { return }
        try database.transaction { () throws(StoreError) in
            for effect in relevant { try write(effect) }
            if let lingering { try replaceLingering(lingering) }
            if let audit { try write(audit) }
        }
    }

    /// Writes what one input changed into the transaction the caller opened (`begin()`), for
    /// the daemon's group commit: nothing is durable before `commit()`.
    public func write(_ effects: [Effect], lingering: [Interface: AgentID]? = nil, audit: AuditEntry? = nil) throws(StoreError) {
        for effect in effects where effect.isStored { try write(effect) }
        if let lingering { try replaceLingering(lingering) }
        if let audit { try write(audit) }
    }

    /// Runs one input's writes inside the open transaction: on failure they alone are undone
    /// (`.inputFailed`), unless the transaction itself was lost.
    public func writeInput(_ body: () throws(StoreError) -> Void) throws(StoreError) { try database.savepoint(body) }

    /// Opens the transaction that the writes of several inputs share.
    public func begin() throws(StoreError) { try database.begin() }

    /// Commits the open transaction: one fsync for every input written into it.
    public func commit() throws(StoreError) { try database.commit() }

    /// Drops the open transaction's writes, if one is open.
    public func rollback() { database.rollback() }

    public var isInTransaction: Bool { database.isInTransaction }

    /// Replaces the lingering interfaces (left in queues by a logout) in one transaction.
    public func saveLingering(_ lingering: [Interface: AgentID]) throws(StoreError) {
        try database.transaction { () throws(StoreError) in try replaceLingering(lingering) }
    }

    // MARK: Writing

    private func write(_ effect: Effect) throws(StoreError) {
        switch effect {
        case .transition(let t):
            try database.execute(
                "INSERT INTO status_history (agent, from_status, to_status, at_ms, cause, actor, note) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [.text(t.agent.rawValue), .text(t.from.rawValue), .text(t.to.rawValue), .integer(t.at.millisecondsSince1970),
                 .text(t.cause.rawValue), .text(t.actor.storedText), .text(t.note)])
        case .saveAgent(let agent, let state):
            try save(agent, state)
        case .callStarted(let agent, let uniqueID, let channel, let direction, let at):
            // A reconcile after a restart may report a call already recorded: keep its start.
            try database.execute(
                "INSERT INTO calls (unique_id, agent, direction, channel, started_ms) VALUES (?, ?, ?, ?, ?) ON CONFLICT (unique_id) DO NOTHING",
                [.text(uniqueID), .text(agent.rawValue), .text(direction.rawValue), .text(channel), .integer(at.millisecondsSince1970)])
        case .callEnded(_, let uniqueID, let at):
            try database.execute(
                "UPDATE calls SET ended_ms = ? WHERE unique_id = ? AND ended_ms IS NULL",
                [.integer(at.millisecondsSince1970), .text(uniqueID)])
        case .queueAdd, .queueRemove, .queuePenalty, .dbPut, .dbDel, .warning:
            break
        }
    }

    private func save(_ agent: AgentID, _ state: AgentState?) throws(StoreError) {
        guard let state else {
            // Its calls go with it (ON DELETE CASCADE).
            try database.execute("DELETE FROM agent_state WHERE agent = ?", [.text(agent.rawValue)])
            return
        }
        try database.execute(
            """
            INSERT INTO agent_state (agent, status, since_ms, extension, interface, state_interface, is_virtual, status_before_call, requested_by)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (agent) DO UPDATE SET status = excluded.status, since_ms = excluded.since_ms,
                extension = excluded.extension, interface = excluded.interface, state_interface = excluded.state_interface,
                is_virtual = excluded.is_virtual, status_before_call = excluded.status_before_call, requested_by = excluded.requested_by
            """,
            [.text(agent.rawValue), .text(state.status.rawValue), .integer(state.since.millisecondsSince1970),
             .text(state.extensionID.rawValue), .text(state.interface.rawValue), .text(state.stateInterface?.rawValue),
             .integer(state.isVirtual ? 1 : 0), .text(state.statusBeforeCall?.rawValue), .text(state.requestedBy?.storedText)])
        try database.execute("DELETE FROM agent_call WHERE agent = ?", [.text(agent.rawValue)])
        for (uniqueID, direction) in state.calls.sorted(by: { $0.key < $1.key }) {
            try database.execute(
                "INSERT INTO agent_call (agent, unique_id, direction) VALUES (?, ?, ?)",
                [.text(agent.rawValue), .text(uniqueID), .text(direction.rawValue)])
        }
    }

    private func replaceLingering(_ lingering: [Interface: AgentID]) throws(StoreError) {
        try database.execute("DELETE FROM lingering")
        for (interface, agent) in lingering.sorted(by: { $0.key < $1.key }) {
            try database.execute(
                "INSERT INTO lingering (interface, agent) VALUES (?, ?)", [.text(interface.rawValue), .text(agent.rawValue)])
        }
    }

    private func write(_ entry: AuditEntry) throws(StoreError) {
        try database.execute(
            "INSERT INTO audit_log (at_ms, actor, source, action, target, outcome, detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [.integer(entry.at.millisecondsSince1970), .text(entry.actor.storedText), .text(entry.source), .text(entry.action),
             .text(entry.target), .text(entry.outcome), .text(entry.detail)])
    }
}

@available(*, unavailable)
extension Store: Sendable {}

extension Effect {
    /// Whether the store records this effect.
    public var isStored: Bool {
        switch self {
        case .transition, .saveAgent, .callStarted, .callEnded: true
        case .queueAdd, .queueRemove, .queuePenalty, .dbPut, .dbDel, .warning: false
        }
    }
}

extension Store {
    /// Records when a call was answered (its channel went Up); the first answer counts.
    public func markAnswered(uniqueID: String, at: Timestamp) throws(StoreError) {
        try database.execute(
            "UPDATE calls SET answered_ms = ? WHERE unique_id = ? AND answered_ms IS NULL",
            [.integer(at.millisecondsSince1970), .text(uniqueID)])
    }
}
