import HTTPWire
import FoundationEssentials
import SystemSupport

/// One line per event of `GET /v1/events`: for people, the local time and what happened; for
/// scripts, `{"id", "event", "data"}` with the data as the daemon sent it.
struct EventFormatter {
    var time: LocalTime
    /// The time of day now, for events that carry no time of their own (`ami`, `reload`).
    var clock: @Sendable () -> Date

    func json(_ event: ServerSentEvent) -> String {
        var members: [(key: String, value: JSONValue)] = []
        if let id = event.id { members.append((key: "id", value: .string(id))) }
        members.append((key: "event", value: .string(event.event ?? "message")))
        // Data that is not JSON (it should always be) is passed on as a string rather than lost.
        let data = (try? JSONValue.parse(event.data)) ?? .string(event.data)
        members.append((key: "data", value: data))
        return JSONValue.object(members).description + "\n"
    }

    func human(_ event: ServerSentEvent) -> String {
        let name = event.event ?? "message"
        let data = try? JSONValue.parse(event.data)
        let text = describe(name, data ?? .null) ?? "\(name) \(event.data)".escapingControlCharacters
        let at = data?["at"]?.stringValue.flatMap(LocalTime.parse) ?? clock()
        return "\(time.timeOfDay(at)) \(text)\n"
    }

    /// Nil when the data lacks what the line needs: the event is then shown raw.
    private func describe(_ name: String, _ data: JSONValue) -> String? {
        switch name {
        case "status":
            guard let agent = data["agent"]?.text, let to = data["to"]?.text else { return nil }
            var text = "\(agent): \(data["from"]?.text ?? "?") -> \(to)"
            let cause = data["cause"]?.text
            let actor = data["actor"]?.text
            switch (cause, actor) {
            case (let cause?, let actor?): text += " (\(cause), by \(actor))"
            case (let cause?, nil): text += " (\(cause))"
            case (nil, let actor?): text += " (by \(actor))"
            case (nil, nil): break
            }
            if let note = data["note"]?.text, !note.isEmpty { text += ": \(note)" }
            return text
        case "call_started":
            guard let agent = data["agent"]?.text, let id = data["unique_id"]?.text else { return nil }
            let direction = data["direction"]?.text.map { "\($0) " } ?? ""
            let channel = data["channel"]?.text.map { " on \($0)" } ?? ""
            return "\(agent): \(direction)call \(id) started\(channel)"
        case "call_ended":
            guard let agent = data["agent"]?.text, let id = data["unique_id"]?.text else { return nil }
            return "\(agent): call \(id) ended"
        case "ami":
            guard let state = data["state"]?.text else { return nil }
            return "asterisk: \(state)"
        case "reload":
            return "configuration reloaded"
        case "reset":
            return "events were missed (the daemon no longer has them): run 'ccagentctl agents' for the current state"
        default:
            return nil
        }
    }
}
