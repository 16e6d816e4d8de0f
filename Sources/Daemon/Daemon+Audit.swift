import ControlPort
public import AgentCore
import Store

extension Daemon {
    /// Records in the audit log an admin's action that changes no agent (an unlock of a login),
    /// in the batch being committed like any command's line. `completion` runs on the daemon's
    /// thread once it is committed (nil), or with why the store cannot take it: the action must
    /// then not happen, since nothing is done that the audit log does not hold.
    public func audit(
        actor: Actor, source: String, action: String, target: String?, outcome: String = "ok", detail: String? = nil,
        completion: @escaping @Sendable (_ storeFailure: String?) -> Void
    ) {
        loop.execute { [self] in
            if storeHoldsInputs(), let outage { return completion(outage.error.summary) }
            let entry = AuditEntry(at: options.clock(), actor: actor, source: source, action: action, target: target, outcome: outcome, detail: detail)
            // The store refused this line alone: the action must not happen either.
            let refused = recordAside("the action does not happen") { () throws(StoreError) in try store.write([], audit: entry) }
            if let refused { return completion(refused.summary) }
            whenCommitted { failure in completion(failure?.summary) }
        }
    }
}
