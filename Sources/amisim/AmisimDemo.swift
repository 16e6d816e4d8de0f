#if canImport(Glibc)
import Glibc
#endif
import AMI
import AMISimulator
import Foundation
import SystemSupport

/// `amisim --demo`: the simulator and a short scripted AMI session against it, printed the way
/// an admin would read it. It shows the connection, queue membership and the events of an
/// inbound queue call and of a phone dialling out, then exits.
enum AmisimDemo {
    static func run(simulator: AMISimulator, port: Int) async -> Int32 {
        let configuration = AMIConnectionConfiguration(
            host: "127.0.0.1", port: port, username: "ccagentd", secret: "change-me", pingInterval: .seconds(5))
        let connection: AMIConnection
        do {
            connection = try AMIConnection(configuration: configuration, logger: .disabled)
        } catch {
            say("error", "cannot start the AMI connection: \(error)")
            return 1
        }
        let printer = Task {
            for await event in connection.events { describe(event) }
        }
        connection.start()
        let deadline = ContinuousClock.now + .seconds(5)
        while !connection.state.isLoggedIn {
            guard ContinuousClock.now < deadline else {
                say("error", "no login within 5 s: \(connection.state)")
                return 1
            }
            try? await Task.sleep(for: .milliseconds(10))
        }
        do {
            try await script(connection, simulator)
        } catch {
            say("error", "\(error)")
            await connection.shutdown()
            return 1
        }
        await connection.shutdown()
        _ = await printer.value
        say("done", "demo finished; run `amisim --port 5038` to keep a simulator up for your own AMI client")
        return 0
    }

    private static func script(_ connection: AMIConnection, _ simulator: AMISimulator) async throws {
        step("Two agents join their queues (what ccagentd does when a status activates skills)")
        for (queue, interface, name) in [("sales", "PJSIP/101", "Dana Levi"), ("support-private", "PJSIP/101", "Dana Levi"), ("sales", "PJSIP/102", "Eli Cohen")] {
            let response = try await connection.send(AMIAction("QueueAdd", [
                ("Queue", queue), ("Interface", interface), ("Penalty", "0"), ("MemberName", name), ("StateInterface", interface),
            ]))
            say("action", "QueueAdd \(queue) \(interface) -> \(response.text ?? "?")")
        }
        let again = try await connection.send(AMIAction("QueueAdd", [("Queue", "sales"), ("Interface", "PJSIP/101")]))
        say("action", "QueueAdd sales PJSIP/101 again -> \(again.text ?? "?") (ccagentd counts this as done)")

        step("QueueStatus sales: an event list, delivered whole to the caller")
        let status = try await connection.send(AMIAction("QueueStatus", [("Queue", "sales")]))
        for member in status.events where member.has("Event", "QueueMember") {
            say("member", "\(member["Name"] ?? "?") \(member["Location"] ?? member["Interface"] ?? "?") penalty \(member["Penalty"] ?? "?") \(member["Membership"] ?? "")")
        }

        step("An inbound call into sales: a member rings, answers, talks, hangs up")
        simulator.inboundCall(queue: "sales", callerIDNum: "0201234567", callerIDName: "Jan Jansen")
        try await Task.sleep(for: .milliseconds(2500))

        step("Dana's phone dials out (state 4 Ring: an outgoing call)")
        simulator.phoneDialsOut(interface: "PJSIP/101", number: "0391234567")
        try await Task.sleep(for: .milliseconds(2500))

        step("Dana goes on break: QueueRemove")
        for queue in ["sales", "support-private"] {
            let response = try await connection.send(AMIAction("QueueRemove", [("Queue", queue), ("Interface", "PJSIP/101")]))
            say("action", "QueueRemove \(queue) PJSIP/101 -> \(response.text ?? "?")")
        }
        let summary = try await connection.send(AMIAction("QueueSummary", [("Queue", "sales")]))
        if let line = summary.events.first {
            say("summary", "sales: \(line["LoggedIn"] ?? "?") logged in, \(line["Available"] ?? "?") available, \(line["Callers"] ?? "?") callers")
        }
    }

    private static let interesting: Set<String> = [
        "Newchannel", "Newstate", "DialBegin", "DialEnd", "Hangup", "QueueMemberAdded", "QueueMemberRemoved",
        "QueueCallerJoin", "QueueCallerLeave", "AgentCalled", "AgentConnect", "AgentComplete", "Shutdown",
    ]

    private static func describe(_ event: AMIConnectionEvent) {
        switch event {
        case .stateChanged(let state):
            say("ami", "connection \(state)")
        case .fullyBooted(let uptime, let restarted):
            say("ami", "Asterisk fully booted, uptime \(uptime.map(String.init) ?? "?") s\(restarted ? ", restarted since last time" : "")")
        case .event(let message):
            guard let name = message["Event"], interesting.contains(name) else { return }
            var details: [String] = []
            for key in ["Queue", "Channel", "ChannelStateDesc", "DestChannel", "Interface", "MemberName", "DialStatus", "Reason", "Cause-txt"] {
                if let value = message[key], !value.isEmpty { details.append("\(key)=\(value)") }
            }
            say("event", "\(name) " + details.joined(separator: " "))
        }
    }

    private static func step(_ text: String) {
        FileHandle.standardOutput.write(Data("\n== \(text)\n".utf8))
    }

    private static func say(_ kind: String, _ text: String) {
        let padded = kind.padding(toLength: 8, withPad: " ", startingAt: 0)
        FileHandle.standardOutput.write(Data("\(padded)\(text)\n".utf8))
    }
}
