/// The time-in-status report as people read it: the day and its time zone, then one row per
/// agent with a column per status that had time (the most time over all agents first) and the
/// calls taken and made.
struct ReportFormatter {
    func table(_ report: ReportView) -> String {
        guard !report.agents.isEmpty else { return "no agent had time in \(report.day)\n" }
        let columns = Self.columns(report.agents)
        var table = TextTable(["LOGIN", "NAME"] + columns.map(\.label) + ["IN CALLS", "OUT CALLS"])
        for agent in report.agents {
            let seconds = Dictionary(agent.statuses.map { ($0.id, $0.seconds) }, uniquingKeysWith: +)
            table.append(
                [agent.login, agent.name.isEmpty ? "-" : agent.name] + columns.map { seconds[$0.id].map(Self.duration) ?? "-" }
                    + [String(agent.incomingCalls), String(agent.outgoingCalls)])
        }
        let zone = report.timeZone.map { " (\($0))" } ?? ""
        return "day \(report.day)\(zone)\n" + table.rendered()
    }

    /// Every status some agent had time in, by its total over all agents, most first (ties by
    /// id), headed by its label.
    static func columns(_ agents: [ReportView.Agent]) -> [(id: String, label: String)] {
        var totals: [String: Int] = [:]
        var labels: [String: String] = [:]
        for status in agents.flatMap(\.statuses) {
            totals[status.id, default: 0] += status.seconds
            if labels[status.id] == nil { labels[status.id] = status.label }
        }
        let order = totals.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        return order.map { (id: $0.key, label: labels[$0.key] ?? $0.key) }
    }

    /// `H:MM:SS`, hours not padded: `0:04:05`, `12:00:00`.
    static func duration(_ seconds: Int) -> String {
        func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(seconds / 3600):\(pad(seconds % 3600 / 60)):\(pad(seconds % 60))"
    }
}
