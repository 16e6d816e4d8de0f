import AMI
import Foundation

/// The `Command` action: the CLI commands of transcript 13, and `sim …` controls for an
/// out-of-process amisim.
extension SimulatorCore {
    func command(_ session: AMISession, _ action: AMIMessage) {
        let text = (action["Command"] ?? "").trimmingCharacters(in: .whitespaces)
        let words = text.split(separator: " ").map(String.init)
        let output: [String]?
        switch (words.first, words.dropFirst().first) {
        case ("queue", "show"): output = queueShow(words.count > 2 ? words[2] : nil)
        case ("core", "show") where words.count > 2 && words[2] == "channels": output = coreShowChannelsText()
        case ("database", "show"): output = databaseShow(words.count > 2 ? words[2] : nil)
        case ("sim", _): output = simCommand(Array(words.dropFirst()))
        default: output = nil
        }
        guard let output else {
            let help = words.dropLast().joined(separator: " ")
            respond(
                session, to: action, "Error",
                [("Message", "Command output follows"),
                 ("Output", "No such command '\(text)' (type 'core show help \(help)' for other possible commands)")])
            return
        }
        respond(session, to: action, "Success", [("Message", "Command output follows")] + output.map { ("Output", $0) })
    }

    // MARK: CLI output

    private static func deviceStateText(_ status: Int) -> String {
        switch status {
        case 1: "Not in use"
        case 2: "In use"
        case 3: "Busy"
        case 4: "Invalid"
        case 5: "Unavailable"
        case 6: "Ringing"
        case 7: "Ring+Inuse"
        case 8: "On Hold"
        default: "Unknown"
        }
    }

    /// app_queue's `queue show`, without colour codes (as over AMI).
    func queueShow(_ name: String?) -> [String] {
        let shown = queues.filter { name == nil || $0.name == name }
        if let name, shown.isEmpty { return ["No such queue: \(name)."] }
        let now = Self.epochSeconds()
        let clock = ContinuousClock.now
        var lines: [String] = []
        for queue in shown {
            let level = String(format: "%.1f", queue.serviceLevelPerformance)
            lines.append(
                "\(queue.name) has \(queue.waiting.count) calls (max unlimited) in '\(queue.strategy)' strategy "
                    + "(\(queue.averageHold)s holdtime, \(queue.averageTalk)s talktime), W:0, C:\(queue.completed), "
                    + "A:\(queue.abandoned), SL:\(level)%, SL2:\(level)% within \(queue.serviceLevel)s")
            if queue.members.isEmpty {
                lines.append("   No Members")
            } else {
                lines.append("   Members: ")
                for member in queue.members {
                    var line = "      \(member.name)"
                    if member.name != member.interface {
                        line += " (\(member.interface)"
                        if member.stateInterface != member.interface { line += " from \(member.stateInterface)" }
                        line += ")"
                    }
                    if member.penalty != 0 { line += " with penalty \(member.penalty)" }
                    line += " (ringinuse disabled)"
                    if member.dynamic { line += " (dynamic)" }
                    if member.inCall { line += " (in call)" }
                    if member.paused {
                        let ago = now - member.lastPause
                        line += member.pausedReason.isEmpty
                            ? " (paused was \(ago) secs ago)" : " (paused:\(member.pausedReason) was \(ago) secs ago)"
                    }
                    line += " (\(Self.deviceStateText(member.status)))"
                    line += member.callsTaken > 0
                        ? " has taken \(member.callsTaken) calls (last was \(now - member.lastCall) secs ago)"
                        : " has taken no calls yet"
                    line += " (login was \(now - member.loginTime) secs ago)"
                    lines.append(line)
                }
            }
            if queue.waiting.isEmpty {
                lines.append("   No Callers")
            } else {
                lines.append("   Callers: ")
                for (index, call) in queue.waiting.enumerated() {
                    let wait = Int(call.joinedAt.duration(to: clock).components.seconds)
                    lines.append(
                        "      \(index + 1). \(call.caller.name) (wait: \(wait / 60):\(String(wait % 60).leftPadded(2)), prio: 0)")
                }
            }
            lines.append("")
        }
        lines.append("")
        return lines
    }

    private static func column(_ text: String, _ width: Int) -> String {
        let cut = String(text.prefix(width))
        return cut + String(repeating: " ", count: width - cut.count)
    }

    func coreShowChannelsText() -> [String] {
        var lines = [
            Self.column("Channel", 64) + " " + Self.column("Location", 32) + " " + Self.column("State", 7) + " "
                + Self.column("Application(Data)", 30)
        ]
        for channel in channels {
            let location = "\(channel.exten)@\(channel.context):\(channel.priority)"
            let application = channel.application.isEmpty ? "(None)" : "\(channel.application)(\(channel.applicationData))"
            lines.append(
                Self.column(channel.name, 64) + " " + Self.column(location, 32) + " "
                    + Self.column(channel.state.description, 7) + " " + Self.column(application, 30))
        }
        let active = channels.count
        let activeCalls = Set(channels.map(\.callID)).count
        lines.append("\(active) active channel\(active == 1 ? "" : "s")")
        lines.append("\(activeCalls) active call\(activeCalls == 1 ? "" : "s")")
        lines.append("\(callsProcessed) call\(callsProcessed == 1 ? "" : "s") processed")
        return lines
    }

    private func databaseShow(_ family: String?) -> [String] {
        let keys = database.keys.filter { family == nil || $0.hasPrefix(family.map { "\($0)/" } ?? "") }.sorted()
        var lines = keys.map { key in
            Self.column("/" + key, 26) + ": " + (database[key] ?? "")
        }
        lines.append("\(keys.count) result\(keys.count == 1 ? "" : "s") found.")
        return lines
    }

    // MARK: sim …

    static let simUsage = [
        "sim drop | sim stall on|off | sim restart [seconds] [keep] | sim fail <Action> [count] <message>",
        "sim flood <events-per-second> <seconds> | sim call inbound <queue> [number] [name]",
        "sim call out <interface> <number> | sim call phone <interface> [number] | sim hangup <channel|uniqueid>",
        "sim answer <interface> on|off",
    ]

    /// Controls for an amisim in another process. The reply is sent before drop/restart act.
    private func simCommand(_ words: [String]) -> [String]? {
        guard let verb = words.first else { return Self.simUsage }
        let rest = Array(words.dropFirst())
        switch verb {
        case "drop":
            afterReply { $0.dropAllConnections() }
            return ["Dropping \(sessions.count) connection\(sessions.count == 1 ? "" : "s")"]
        case "stall":
            guard let mode = rest.first, ["on", "off"].contains(mode) else { return Self.simUsage }
            // The reply goes out first; then nothing more is read or written.
            afterReply { $0.setStalled(mode == "on") }
            return ["Stall \(mode)"]
        case "restart":
            let seconds = rest.first.flatMap(Double.init) ?? 1
            let keep = rest.contains("keep") ? true : nil
            afterReply { $0.restart(downtime: .milliseconds(Int64(seconds * 1000)), keepDynamicMembers: keep) }
            return ["Restarting, back in \(seconds) s"]
        case "fail":
            guard let actionName = rest.first, rest.count >= 2 else { return Self.simUsage }
            var messageWords = Array(rest.dropFirst())
            var count = 1
            if messageWords.count > 1, let number = Int(messageWords[0]) {
                count = number
                messageWords.removeFirst()
            }
            let message = messageWords.joined(separator: " ")
            failNext(action: actionName, message: message, count: count)
            return ["Next \(count) \(actionName) will fail: \(message)"]
        case "flood":
            guard rest.count >= 2, let rate = Int(rest[0]), let seconds = Double(rest[1]) else { return Self.simUsage }
            startFlood(eventsPerSecond: rate, duration: .milliseconds(Int64(seconds * 1000)))
            return ["Flooding \(rate) events/s for \(rest[1]) s"]
        case "call":
            return simCall(rest)
        case "hangup":
            guard let target = rest.first, let channel = channel(named: target) else {
                return ["No such channel: \(rest.first ?? "")"]
            }
            hangup(channel)
            return ["Hung up \(channel.name)"]
        case "answer":
            guard rest.count == 2, ["on", "off"].contains(rest[1]) else { return Self.simUsage }
            answers[rest[0]] = rest[1] == "on"
            return ["\(rest[0]) answers: \(rest[1])"]
        default:
            return Self.simUsage
        }
    }

    /// Runs `work` once the reply now being built has been written: two hops, because the
    /// reply's flush is queued after this command returns.
    private func afterReply(_ work: @escaping @Sendable (SimulatorCore) -> Void) {
        loop.execute { [self] in self.loop.execute { [self] in work(self) } }
    }

    private func simCall(_ words: [String]) -> [String] {
        guard words.count >= 2 else { return Self.simUsage }
        switch words[0] {
        case "inbound":
            let number = words.count > 2 ? words[2] : "0201234567"
            let name = words.count > 3 ? words[3...].joined(separator: " ") : "Sim Caller"
            let did = configuration.inboundNumbers.first { $0.value == words[1] }?.key ?? "5000"
            guard let call = startInboundCall(
                queue: words[1], number: did, callerNum: number, callerName: name, hangupAfter: nil)
            else { return ["No such queue: \(words[1])."] }
            return ["Caller \(call.caller.name) uniqueid \(call.caller.uniqueid)"]
        case "out":
            guard words.count >= 3 else { return Self.simUsage }
            let channel = phoneDialsOut(words[1], number: words[2])
            return ["Phone channel \(channel.name) uniqueid \(channel.uniqueid)"]
        case "phone":
            let number = words.count > 2 ? words[2] : "0201234567"
            let channel = callPhone(words[1], callerNum: number, callerName: number)
            return ["Phone channel \(channel.name) uniqueid \(channel.uniqueid)"]
        default:
            return Self.simUsage
        }
    }
}
