import HTTPWire
import SystemSupport

/// Prints an answer of the control API: the JSON as sent with `--json`, else a table, a block
/// or one line; warnings on standard error. A refusal is thrown for its exit status.
struct ResponsePrinter {
    var console: Console
    var json: Bool
    var formatter: AgentFormatter

    func print(_ response: ClientResponse, for command: CtlCommand) throws(CtlError) -> Int32 {
        let body = try? JSONValue.parse(response.body)
        guard (200..<300).contains(response.status) else {
            if json, body != nil { console.output.write(Self.verbatim(response.body)) }
            let failure = DaemonRequests.failure(response)
            if case .answered(422, _, let message) = failure, let details = body.flatMap(Self.details), !details.isEmpty {
                console.error.write("Error: \(message)\n" + details.map { "\($0)\n" }.joined())
                return failure.exitStatus
            }
            throw failure
        }
        guard let body else { throw .malformedAnswer("the body is not JSON") }
        let text = try render(body, for: command)
        if json { console.output.write(Self.verbatim(response.body)) } else { console.output.write(text) }
        if let warnings = body["warnings"]?.arrayValue {
            for warning in warnings { console.error.write("warning: \(warning.shown)\n") }
        }
        return ExitStatus.success
    }

    /// Checked whatever the output mode: a 2xx that is not the API's shape is a failure (69),
    /// with `--json` too, so a script never takes a proxy's page for an answer.
    private func render(_ body: JSONValue, for command: CtlCommand) throws(CtlError) -> String {
        switch command {
        case .agents:
            guard let list = body["agents"]?.arrayValue else { throw .malformedAnswer("no \"agents\" list") }
            return formatter.table(try list.map { (agent) throws(CtlError) in try AgentView(agent) })
        case .agent:
            return formatter.block(try AgentView(body))
        case .extensions(.some):
            guard let list = body["extensions"]?.arrayValue else { throw .malformedAnswer("no \"extensions\" list") }
            return formatter.offers(try list.map { (offer) throws(CtlError) in try OfferView(offer) })
        case .extensions(nil):
            guard let list = body["extensions"]?.arrayValue else { throw .malformedAnswer("no \"extensions\" list") }
            return formatter.extensions(try list.map { (item) throws(CtlError) in try ExtensionView(item) })
        case .login, .logout, .status:
            return formatter.line(try AgentView(body))
        case .report:
            return ReportFormatter().table(try ReportView(body))
        case .reload:
            guard body["reloaded"]?.boolValue == true else { throw .malformedAnswer("no \"reloaded\": true") }
            let notes = try body.list("notes", in: "reload").map { "  \($0.shown)\n" }
            return "reloaded\n" + notes.joined()
        case .unlock(let login):
            guard let wasLocked = body["was_locked"]?.boolValue else { throw .malformedAnswer("no \"was_locked\"") }
            let shown = body["login"]?.text ?? login.escapingControlCharacters
            return "\(shown): \(wasLocked ? "unlocked" : "was not locked")\n"
        case .watch, .hashPassword:
            return ""
        }
    }

    /// The body as sent, ending in one newline.
    static func verbatim(_ body: [UInt8]) -> String {
        String(decoding: body, as: UTF8.self).trimming(scalarsIn: "\r\n") + "\n"
    }

    /// `config_invalid`'s `details`, one line each, escaped like every string from the daemon: a string as it is; an object as
    /// `file:line: [section] key: message` from whichever of those it has.
    static func details(_ body: JSONValue) -> [String]? {
        guard let list = (body["error"]?["details"] ?? body["details"])?.arrayValue else { return nil }
        return list.map { detail in
            if let text = detail.text { return text }
            guard let message = detail["message"]?.text else { return detail.shown }
            var location = [detail["file"]?.text, detail["line"]?.intValue.map(String.init)].compactMap { $0 }.joined(separator: ":")
            if !location.isEmpty { location += ": " }
            if let section = detail["section"]?.text { location += "[\(section)] " }
            if let key = detail["key"]?.text { location += "\(key): " }
            return location + message
        }
    }
}
