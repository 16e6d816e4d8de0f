import AMI
import Foundation

/// Originate, Hangup and Redirect (transcripts 08, 10, 12).
extension SimulatorCore {
    func originate(_ session: AMISession, _ action: AMIMessage) {
        guard let channel = action["Channel"], !channel.isEmpty else {
            respondError(session, to: action, "Channel not specified")
            return
        }
        let caller = action["CallerID"].map(Self.parseCallerID)
        let timeout = Int(action["Timeout"] ?? "").map { Duration.milliseconds($0) } ?? .seconds(30)
        let request = OriginateRequest(
            channel: channel, context: action["Context"], exten: action["Exten"],
            application: action["Application"].flatMap { $0.isEmpty ? nil : $0 }, data: action["Data"] ?? "",
            timeout: timeout, callerNum: caller?.num, callerName: caller?.name, actionID: action.actionID,
            isAsync: Self.isTrue(action["Async"]))
        if request.isAsync {
            respondSuccess(session, to: action, "Originate successfully queued")
            originateCall(request) { _ in }
            return
        }
        // Synchronous: the answer waits for the outcome, and so do this session's events (12).
        session.holdingEvents += 1
        let fd = session.fd
        originateCall(request) { [unowned self] success in
            guard let session = self.sessions[fd] else { return }
            if success {
                self.respondSuccess(session, to: action, "Originate successfully queued")
            } else {
                self.respondError(session, to: action, "Originate failed")
            }
            session.holdingEvents -= 1
            if session.holdingEvents == 0 {
                let held = session.heldEvents
                session.heldEvents = []
                for bytes in held { self.enqueue(bytes, to: session) }
            }
        }
    }

    /// `"Jan Jansen" <0201234567>` → (0201234567, Jan Jansen); a bare number is both.
    static func parseCallerID(_ text: String) -> (num: String, name: String) {
        guard let open = text.lastIndex(of: "<"), let close = text.lastIndex(of: ">"), open < close else {
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            return (trimmed, trimmed)
        }
        let num = String(text[text.index(after: open)..<close])
        let name = text[..<open].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        return (num, name.isEmpty ? num : name)
    }

    func hangupAction(_ session: AMISession, _ action: AMIMessage) {
        guard let name = action["Channel"], !name.isEmpty else {
            respondError(session, to: action, "No channel specified")
            return
        }
        guard let channel = channel(named: name) else {
            respondError(session, to: action, "No such channel")
            return
        }
        respondSuccess(session, to: action, "Channel Hungup")
        hangup(channel, cause: Int(action["Cause"] ?? "") ?? 16)
    }

    func redirect(_ session: AMISession, _ action: AMIMessage) {
        guard let name = action["Channel"], !name.isEmpty else {
            respondError(session, to: action, "Channel not specified")
            return
        }
        guard let channel = channel(named: name) else {
            respondError(session, to: action, "Channel does not exist: \(name)")
            return
        }
        let context = action["Context"] ?? channel.context
        let exten = action["Exten"] ?? channel.exten
        respondSuccess(session, to: action, "Redirect successful")
        if case .queue(let call)? = calls[channel.callID], channel === call.caller {
            redirectQueueCaller(call, context: context, exten: exten)
        } else {
            channel.context = context
            channel.exten = exten
            channel.priority = Int(action["Priority"] ?? "") ?? 1
        }
    }
}
