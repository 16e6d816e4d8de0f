/// Agents and extensions as people read them: aligned tables, a key/value block, one line per
/// command result. Times go through `LocalTime`.
struct AgentFormatter {
    var time: LocalTime

    func table(_ agents: [AgentView]) -> String {
        guard !agents.isEmpty else { return "no agents\n" }
        var table = TextTable(["LOGIN", "NAME", "STATUS", "SINCE", "EXTENSION", "QUEUES"])
        for agent in agents {
            table.append([
                agent.login, dash(agent.name), agent.status, agent.since.map(time.short) ?? "-", place(agent) ?? "-",
                agent.queues.isEmpty ? "-" : agent.queues.map(\.name).joined(separator: ", "),
            ])
        }
        return table.rendered()
    }

    /// Every field of one agent, its queues and calls one per line.
    func block(_ agent: AgentView) -> String {
        var lines: [(String, String)] = [("login", agent.login), ("name", dash(agent.name)), ("group", agent.group ?? "-")]
        var status = agent.status
        if agent.statusLabel != agent.status { status += " (\(agent.statusLabel))" }
        if let since = agent.since { status += " since \(time.full(since))" }
        lines.append(("status", status))
        var place = place(agent) ?? "none"
        if let interface = agent.interface { place += " on \(interface)" }
        lines.append(("extension", place))
        var queues = TextTable(columns: 2)
        for queue in agent.queues { queues.append([queue.name, queue.penalty.map { "penalty \($0)" } ?? ""]) }
        lines += subLines("queues", queues, empty: agent.queues.isEmpty)
        var calls = TextTable(columns: 2)
        for call in agent.calls { calls.append([call.uniqueID, call.direction]) }
        lines += subLines("calls", calls, empty: agent.calls.isEmpty)
        return lines.map { key, value in
            let label = key.isEmpty ? "" : key + ":"
            return (label + String(repeating: " ", count: max(1, 12 - label.count)) + value).trimmedRight + "\n"
        }.joined()
    }

    /// `dana@example.com: break since 14:02:11 at 101 (queues: none)`.
    func line(_ agent: AgentView) -> String {
        var text = "\(agent.login): \(agent.status)"
        if let since = agent.since { text += " since \(time.short(since))" }
        if let place = place(agent) { text += " at \(place)" }
        let queues = agent.queues.isEmpty ? "none" : agent.queues.map(\.name).joined(separator: ", ")
        return text + " (queues: \(queues))\n"
    }

    /// The ordered offer of one agent.
    func offers(_ offers: [OfferView]) -> String {
        guard !offers.isEmpty else { return "no extensions offered\n" }
        var table = TextTable(["EXTENSION", "KIND", "LABEL", "TAKEN BY"])
        for offer in offers { table.append([offer.id, dash(offer.kind), dash(offer.label), offer.takenBy ?? "-"]) }
        return table.rendered()
    }

    /// Every configured extension (the admin's list).
    func extensions(_ extensions: [ExtensionView]) -> String {
        guard !extensions.isEmpty else { return "no extensions\n" }
        var table = TextTable(["EXTENSION", "INTERFACE", "STATE INTERFACE", "VIRTUAL", "AGENT"])
        for item in extensions {
            table.append([item.id, item.interface ?? "-", item.stateInterface ?? "-", item.isVirtual ? "yes" : "no", item.agent ?? "-"])
        }
        return table.rendered()
    }

    /// `101`, `901 (virtual)`, nil when logged out.
    private func place(_ agent: AgentView) -> String? {
        agent.extensionID.map { agent.isVirtual ? "\($0) (virtual)" : $0 }
    }

    private func dash(_ text: String) -> String { text.isEmpty ? "-" : text }

    /// `key: first row`, then the other rows under it; `none` when there are none.
    private func subLines(_ key: String, _ table: TextTable, empty: Bool) -> [(String, String)] {
        guard !empty else { return [(key, "none")] }
        let rows = table.rendered().split(separator: "\n").map(String.init)
        return rows.enumerated().map { index, row in (index == 0 ? key : "", row) }
    }
}

extension String {
    var trimmedRight: String {
        var text = self
        while text.hasSuffix(" ") { text.removeLast() }
        return text
    }
}
