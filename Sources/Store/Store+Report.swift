public import AgentCore
import SystemSupport

extension Store {
    /// Milliseconds the agent spent in each status within `day`, from the history: each
    /// interval runs from one change to the next, clipped to the day; the last one still open
    /// runs to `now`. Before its first change in the day the agent was in the status its last
    /// earlier change led to (or, with none, the `from` of its first change).
    public func timeInStatus(agent: AgentID, day: Range<Timestamp>, now: Timestamp) throws(StoreError) -> [StatusID: Int64] {
        let end = min(day.upperBound, now)
        guard day.lowerBound < end else { return [:] }
        let before = try database.query(
            "SELECT to_status FROM status_history WHERE agent = ? AND at_ms < ? ORDER BY at_ms DESC, id DESC LIMIT 1",
            [.text(agent.rawValue), .integer(day.lowerBound.millisecondsSince1970)]
        ) { row in StatusID(row.text(0) ?? "") }.first
        let changes = try history(agent: agent, from: day.lowerBound, to: end)
        guard var status = before ?? changes.first?.from else { return [:] }
        var totals: [StatusID: Int64] = [:]
        var start = day.lowerBound
        for change in changes {
            totals[status, default: 0] += change.at.millisecondsSince1970 - start.millisecondsSince1970
            status = change.to
            start = change.at
        }
        totals[status, default: 0] += end.millisecondsSince1970 - start.millisecondsSince1970
        return totals.filter { $0.value > 0 }
    }
}
