import HTTPWire
import HTTPServing
import Crypt
import AgentCore
import ControlPort

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
        let agents = machine.configuration.users.values.filter(\.isAgent).count
        out.labelled(
            "ccagentd_agents", "gauge", "Agents per status (unassigned: configured agents not logged in).", by: "status",
            machine.configuration.statuses.keys.sorted().map { id in
                (id.rawValue, id == .unassigned ? max(0, agents - machine.agents.count) : machine.count(in: id))
            })
        out.single("ccagentd_ami_connected", "gauge", "1 while the AMI connection is logged in.", state.ami.isLoggedIn ? 1 : 0)
        out.labelled(
            "ccagentd_ami_state", "gauge", "The AMI connection's state (1 for the current one).", by: "state",
            AsteriskLink.names.map { ($0, state.ami.name == $0 ? 1 : 0) })
        out.single("ccagentd_ami_reconnects_total", "counter", "AMI logins after the first one.", counters.reconnects)
        out.single("ccagentd_ami_events_read_total", "counter", "AMI events read.", counters.eventsRead)
        out.single("ccagentd_ami_events_queued", "gauge", "AMI inputs (events and connection changes) read and not yet handled by the daemon's thread.", counters.eventsQueued)
        out.labelled(
            "ccagentd_ami_actions_sent_total", "counter", "AMI actions sent, by action.", by: "action",
            counters.actionsSent.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        out.labelled(
            "ccagentd_ami_actions_failed_total", "counter", "AMI actions Asterisk answered with an error, by action.", by: "action",
            counters.actionsFailed.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        out.single("ccagentd_ami_actions_deferred_total", "counter", "Actions not sent while AMI was down (reconciled later).", counters.actionsDeferred)
        out.single("ccagentd_ami_actions_in_flight", "gauge", "Queue actions sent and not yet answered.", state.inFlight)
        out.single("ccagentd_reconciles_total", "counter", "Reconciles with Asterisk.", counters.reconciles)
        out.single("ccagentd_commands_total", "counter", "Commands (login, logout, status) handled.", counters.commands)
        out.single("ccagentd_commands_refused_total", "counter", "Commands the rules refused.", counters.commandsRefused)
        out.single("ccagentd_store_failures_total", "counter", "Store writes that failed.", counters.storeFailures)
        out.single("ccagentd_store_writable", "gauge", "1 while the store takes writes.", state.storeWritable ? 1 : 0)
        out.single("ccagentd_api_event_streams", "gauge", "Clients listening to /v1/events.", streams)

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
