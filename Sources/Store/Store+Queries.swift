public import AgentCore

extension Store {
    /// Status changes with `from <= at < to`, oldest first (in the order they were written);
    /// one agent's, or everyone's when `agent` is nil.
    public func history(agent: AgentID? = nil, from: Timestamp, to: Timestamp) throws(StoreError) -> [Transition] {
        let columns = "SELECT agent, from_status, to_status, at_ms, cause, actor, note FROM status_history"
        let range: [SQLValue] = [.integer(from.millisecondsSince1970), .integer(to.millisecondsSince1970)]
        if let agent {
            return try database.query(
                "\(columns) WHERE agent = ? AND at_ms >= ? AND at_ms < ? ORDER BY at_ms, id",
                [.text(agent.rawValue)] + range, row: Self.transition)
        }
        return try database.query("\(columns) WHERE at_ms >= ? AND at_ms < ? ORDER BY at_ms, id", range, row: Self.transition)
    }

    /// Calls that started with `from <= started < to`, oldest first.
    public func calls(agent: AgentID? = nil, from: Timestamp, to: Timestamp) throws(StoreError) -> [CallRecord] {
        let columns = "SELECT unique_id, agent, direction, channel, started_ms, answered_ms, ended_ms FROM calls"
        let range: [SQLValue] = [.integer(from.millisecondsSince1970), .integer(to.millisecondsSince1970)]
        if let agent {
            return try database.query(
                "\(columns) WHERE agent = ? AND started_ms >= ? AND started_ms < ? ORDER BY started_ms, unique_id",
                [.text(agent.rawValue)] + range, row: Self.call)
        }
        return try database.query(
            "\(columns) WHERE started_ms >= ? AND started_ms < ? ORDER BY started_ms, unique_id", range, row: Self.call)
    }

    /// The newest `limit` audit lines, newest first.
    public func audit(limit: Int) throws(StoreError) -> [AuditEntry] {
        try database.query(
            "SELECT id, at_ms, actor, source, action, target, outcome, detail FROM audit_log ORDER BY id DESC LIMIT ?",
            [.integer(Int64(limit))]
        ) { (row) throws(StoreError) in
            guard let actor = row.text(2).flatMap(Actor.init(storedText:)) else {
                throw StoreError.badValue(table: "audit_log", column: "actor", key: "id \(row.int64(0))")
            }
            return AuditEntry(
                at: Timestamp(millisecondsSince1970: row.int64(1)), actor: actor, source: row.text(3) ?? "",
                action: row.text(4) ?? "", target: row.text(5), outcome: row.text(6) ?? "", detail: row.text(7))
        }
    }

    // MARK: Rows

    static func transition(_ row: Statement) throws(StoreError) -> Transition {
        let agent = AgentID(row.text(0) ?? "")
        guard let cause = row.text(4).flatMap(Cause.init(rawValue:)) else {
            throw .badValue(table: "status_history", column: "cause", key: agent.rawValue)
        }
        guard let actor = row.text(5).flatMap(Actor.init(storedText:)) else {
            throw .badValue(table: "status_history", column: "actor", key: agent.rawValue)
        }
        return Transition(
            agent: agent, from: StatusID(row.text(1) ?? ""), to: StatusID(row.text(2) ?? ""),
            at: Timestamp(millisecondsSince1970: row.int64(3)), cause: cause, actor: actor, note: row.text(6))
    }

    static func call(_ row: Statement) throws(StoreError) -> CallRecord {
        let uniqueID = row.text(0) ?? ""
        guard let direction = row.text(2).flatMap(CallDirection.init(rawValue:)) else {
            throw .badValue(table: "calls", column: "direction", key: uniqueID)
        }
        return CallRecord(
            uniqueID: uniqueID, agent: AgentID(row.text(1) ?? ""), direction: direction, channel: row.text(3) ?? "",
            started: Timestamp(millisecondsSince1970: row.int64(4)),
            answered: row.optionalInt64(5).map(Timestamp.init(millisecondsSince1970:)),
            ended: row.optionalInt64(6).map(Timestamp.init(millisecondsSince1970:)))
    }
}
