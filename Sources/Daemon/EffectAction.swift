import ControlPort
import AMI
import AgentCore

/// The AMI action that carries out an effect, and how to read Asterisk's answer to it.
struct EffectAction {
    var action: AMIAction
    /// For logs: the queue or AstDB key it is about.
    var queue: String?
    var interface: String?

    init?(_ effect: Effect) {
        switch effect {
        case .queueAdd(let member):
            var headers = [
                ("Queue", member.queue.rawValue), ("Interface", member.interface.rawValue), ("Penalty", String(member.penalty)),
                ("MemberName", member.memberName),
            ]
            if let stateInterface = member.stateInterface { headers.append(("StateInterface", stateInterface.rawValue)) }
            action = AMIAction("QueueAdd", headers)
            queue = member.queue.rawValue
            interface = member.interface.rawValue
        case .queueRemove(let queue, let interface):
            action = AMIAction("QueueRemove", [("Queue", queue.rawValue), ("Interface", interface.rawValue)])
            self.queue = queue.rawValue
            self.interface = interface.rawValue
        case .queuePenalty(let queue, let interface, let penalty):
            action = AMIAction(
                "QueuePenalty", [("Interface", interface.rawValue), ("Penalty", String(penalty)), ("Queue", queue.rawValue)])
            self.queue = queue.rawValue
            self.interface = interface.rawValue
        case .dbPut(let family, let key, let value):
            action = AMIAction("DBPut", [("Family", family), ("Key", key), ("Val", value)])
            interface = key
        case .dbDel(let family, let key):
            action = AMIAction("DBDel", [("Family", family), ("Key", key)])
            interface = key
        case .transition, .saveAgent, .callStarted, .callEnded, .warning:
            return nil
        }
    }

    /// What an answer means for the desired state.
    enum Verdict: Equatable {
        /// Done, or already so ("Already there" to an add, "Not there" to a remove).
        case done
        /// Asterisk refused, and asking again will not help (a static member): log it.
        case refusedForGood(String)
        /// Failed: Asterisk is not as the daemon believes; a reconcile must look.
        case failed(String)
    }

    /// Texts as Asterisk 22 writes them (see the `04-queue-member-actions` and
    /// `09-astdb-followme` transcripts).
    static func verdict(on response: AMIResponse, to action: AMIAction) -> Verdict {
        if response.isSuccess { return .done }
        let message = response.text ?? "error without a message"
        switch (action.name, message) {
        case ("QueueAdd", "Unable to add interface: Already there"),
            ("QueueRemove", "Unable to remove interface: Not there"),
            ("DBDel", "Database entry not found"):
            return .done
        case ("QueueRemove", "Member not dynamic"):
            // A static member from queues.conf: never the daemon's to remove.
            return .refusedForGood(message)
        default:
            return .failed(message)
        }
    }
}
