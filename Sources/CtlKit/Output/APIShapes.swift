import HTTPWire
import SystemSupport

/// The API's AGENT, as far as ccagentctl shows it. Decoding is strict about what a table needs
/// (a login and a status) and lenient about the rest, so a newer daemon's extra fields are fine.
struct AgentView: Equatable {
    struct Queue: Equatable {
        var name: String
        var penalty: Int?
    }

    struct Call: Equatable {
        var uniqueID: String
        var direction: String
    }

    var login: String
    var name: String
    var group: String?
    var status: String
    var statusLabel: String
    var since: String?
    var extensionID: String?
    var interface: String?
    var isVirtual: Bool
    var queues: [Queue]
    var calls: [Call]
    var warnings: [String]

    init(_ json: JSONValue) throws(CtlError) {
        guard json.objectValue != nil else { throw .malformedAnswer("an agent is not a JSON object") }
        login = try json.required("login", in: "agent")
        status = try json.required("status", in: "agent")
        name = json["name"]?.text ?? ""
        group = json["group"]?.text
        statusLabel = json["status_label"]?.text ?? status
        since = json["since"]?.text
        extensionID = json["extension"]?.scalarText
        interface = json["interface"]?.text
        isVirtual = json["virtual"]?.boolValue ?? false
        queues = try json.list("queues", in: "agent").map { (queue) throws(CtlError) in
            Queue(name: try queue.required("queue", in: "queue"), penalty: queue["penalty"]?.intValue)
        }
        calls = try json.list("calls", in: "agent").map { (call) throws(CtlError) in
            Call(uniqueID: try call.required("unique_id", in: "call"), direction: call["direction"]?.text ?? "")
        }
        warnings = try json.list("warnings", in: "agent").map(\.shown)
    }
}

/// One OFFER of `GET /v1/agents/{login}/extensions`.
struct OfferView: Equatable {
    var id: String
    var kind: String
    var label: String
    var takenBy: String?

    init(_ json: JSONValue) throws(CtlError) {
        guard let id = json["id"]?.scalarText else { throw .malformedAnswer("an extension offer without an id") }
        self.id = id
        kind = json["kind"]?.text ?? ""
        label = json["label"]?.text ?? id
        // A holder the caller may not see is not named: "taken" says so all the same.
        takenBy = json["taken_by"]?.text ?? (json["taken"]?.boolValue == true ? "(taken)" : nil)
    }
}

/// One entry of the admin's `GET /v1/extensions`.
struct ExtensionView: Equatable {
    var id: String
    var interface: String?
    var stateInterface: String?
    var isVirtual: Bool
    var agent: String?

    init(_ json: JSONValue) throws(CtlError) {
        guard let id = json["id"]?.scalarText else { throw .malformedAnswer("an extension without an id") }
        self.id = id
        interface = json["interface"]?.text
        stateInterface = json["state_interface"]?.text
        isVirtual = json["virtual"]?.boolValue ?? false
        agent = json["agent"]?.text
    }
}

/// The API's REPORT of `GET /v1/reports/time-in-status`: strict about what the table needs
/// (the day, each agent's login, each status's id and seconds), lenient about the rest.
struct ReportView: Equatable {
    struct Status: Equatable {
        var id: String
        var label: String
        var seconds: Int
    }

    struct Agent: Equatable {
        var login: String
        var name: String
        /// As sent: most time first.
        var statuses: [Status]
        var incomingCalls: Int
        var outgoingCalls: Int
    }

    var day: String
    var timeZone: String?
    var agents: [Agent]

    init(_ json: JSONValue) throws(CtlError) {
        guard json.objectValue != nil else { throw .malformedAnswer("the report is not a JSON object") }
        day = try json.required("day", in: "report")
        timeZone = json["time_zone"]?.text
        guard let agents = json["agents"]?.arrayValue else { throw .malformedAnswer("no \"agents\" list") }
        self.agents = try agents.map { (agent) throws(CtlError) in
            let statuses = try agent.list("statuses", in: "report agent").map { (status) throws(CtlError) in
                let id = try status.required("status", in: "report status")
                guard let seconds = status["seconds"]?.doubleValue, seconds >= 0, seconds < 1e12 else {
                    throw .malformedAnswer("report status without a \"seconds\" count")
                }
                return Status(id: id, label: status["label"]?.text ?? id, seconds: Int(seconds.rounded()))
            }
            let calls = agent["calls"]
            return Agent(
                login: try agent.required("login", in: "report agent"), name: agent["name"]?.text ?? "", statuses: statuses,
                incomingCalls: calls?["incoming"]?.intValue ?? 0, outgoingCalls: calls?["outgoing"]?.intValue ?? 0)
        }
    }
}

extension JSONValue {
    /// A string as a terminal should show it: control characters escaped (`\x1b`, `\n`), so a name,
    /// label or note from the daemon cannot recolour the screen, move the cursor or start a line
    /// of its own. Every string ccagentctl prints for people comes through here.
    var text: String? { stringValue?.escapingControlCharacters }

    /// Any value for people: a string as `text`, anything else as JSON, escaped the same way.
    var shown: String { (stringValue ?? description).escapingControlCharacters }

    /// A string member that must be there, as `text`.
    func required(_ key: String, in what: String) throws(CtlError) -> String {
        guard let value = self[key]?.text else { throw .malformedAnswer("\(what) without a \"\(key)\" string") }
        return value
    }

    /// An array member; missing or null reads as empty, anything else is malformed.
    func list(_ key: String, in what: String) throws(CtlError) -> [JSONValue] {
        guard let value = self[key], !value.isNull else { return [] }
        guard let array = value.arrayValue else { throw .malformedAnswer("\(what)'s \"\(key)\" is not a list") }
        return array
    }

    /// A string as `text`, a number as written (extension ids may come as either).
    var scalarText: String? {
        switch self {
        case .string(let value): value.escapingControlCharacters
        case .integer(let value): String(value)
        default: nil
        }
    }
}
