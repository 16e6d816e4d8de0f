import AgentCore
import Daemon

extension APIRouter {
    /// `GET /healthz`: 200 when Asterisk is logged in and the store takes writes, else 503 with
    /// what is wrong. For load balancers and `systemctl`-side checks: no token needed.
    static func health(_ state: DaemonSnapshot) -> HTTPResponse {
        let healthy = state.ami.isLoggedIn && state.storeWritable
        let body: JSONValue = .object([
            ("status", .string(healthy ? "ok" : "degraded")), ("ami", .string(state.ami.name)),
            ("store", .string(state.storeWritable ? "writable" : "failing")),
        ])
        return .json(healthy ? .ok : .serviceUnavailable, body)
    }

    /// `GET /metrics` in the Prometheus text format.
    static func metrics(_ state: DaemonSnapshot, streams: Int) -> HTTPResponse {
        let machine = state.machine
        let counters = state.metrics
        var out = PrometheusText()
        out.family("ccagentd_agents", "gauge", "Agents per status (unassigned: configured agents not logged in).")
        let agents = machine.configuration.users.values.filter(\.isAgent).count
        for id in machine.configuration.statuses.keys.sorted() {
            let count = id == .unassigned ? max(0, agents - machine.agents.count) : machine.count(in: id)
            out.sample("ccagentd_agents", labels: [("status", id.rawValue)], count)
        }
        out.family("ccagentd_ami_connected", "gauge", "1 while the AMI connection is logged in.")
        out.sample("ccagentd_ami_connected", state.ami.isLoggedIn ? 1 : 0)
        out.family("ccagentd_ami_state", "gauge", "The AMI connection's state (1 for the current one).")
        for name in ["idle", "connecting", "logged_in", "lost", "retrying", "authentication_failed", "stopped"] {
            out.sample("ccagentd_ami_state", labels: [("state", name)], state.ami.name == name ? 1 : 0)
        }
        out.family("ccagentd_ami_reconnects_total", "counter", "AMI logins after the first one.")
        out.sample("ccagentd_ami_reconnects_total", counters.reconnects)
        out.family("ccagentd_ami_events_read_total", "counter", "AMI events read.")
        out.sample("ccagentd_ami_events_read_total", counters.eventsRead)
        out.family("ccagentd_ami_events_queued", "gauge", "AMI inputs (events and connection changes) read and not yet handled by the daemon's thread.")
        out.sample("ccagentd_ami_events_queued", counters.eventsQueued)
        out.family("ccagentd_ami_actions_sent_total", "counter", "AMI actions sent, by action.")
        for (action, count) in counters.actionsSent.sorted(by: { $0.key < $1.key }) {
            out.sample("ccagentd_ami_actions_sent_total", labels: [("action", action)], count)
        }
        out.family("ccagentd_ami_actions_failed_total", "counter", "AMI actions Asterisk answered with an error, by action.")
        for (action, count) in counters.actionsFailed.sorted(by: { $0.key < $1.key }) {
            out.sample("ccagentd_ami_actions_failed_total", labels: [("action", action)], count)
        }
        out.family("ccagentd_ami_actions_deferred_total", "counter", "Actions not sent while AMI was down (reconciled later).")
        out.sample("ccagentd_ami_actions_deferred_total", counters.actionsDeferred)
        out.family("ccagentd_ami_actions_in_flight", "gauge", "Queue actions sent and not yet answered.")
        out.sample("ccagentd_ami_actions_in_flight", state.inFlight)
        out.family("ccagentd_reconciles_total", "counter", "Reconciles with Asterisk.")
        out.sample("ccagentd_reconciles_total", counters.reconciles)
        out.family("ccagentd_commands_total", "counter", "Commands (login, logout, status) handled.")
        out.sample("ccagentd_commands_total", counters.commands)
        out.family("ccagentd_commands_refused_total", "counter", "Commands the rules refused.")
        out.sample("ccagentd_commands_refused_total", counters.commandsRefused)
        out.family("ccagentd_store_failures_total", "counter", "Store writes that failed.")
        out.sample("ccagentd_store_failures_total", counters.storeFailures)
        out.family("ccagentd_store_writable", "gauge", "1 while the store takes writes.")
        out.sample("ccagentd_store_writable", state.storeWritable ? 1 : 0)
        out.family("ccagentd_api_event_streams", "gauge", "Clients listening to /v1/events.")
        out.sample("ccagentd_api_event_streams", streams)

        let histogram = counters.effectLatency
        let name = "ccagentd_effect_latency_seconds"
        out.family(name, "histogram", "From an input entering the daemon to Asterisk's answer to the action it caused.")
        var cumulative = 0
        for (index, bound) in LatencyHistogram.bounds.enumerated() {
            cumulative += histogram.counts[index]
            out.sample(name + "_bucket", labels: [("le", PrometheusText.number(bound / 1000))], cumulative)
        }
        out.sample(name + "_bucket", labels: [("le", "+Inf")], histogram.count)
        out.sample(name + "_sum", double: histogram.sum / 1000)
        out.sample(name + "_count", histogram.count)
        return HTTPResponse(status: .ok, headers: ["Content-Type": PrometheusText.contentType], body: Array(out.text.utf8))
    }
}
