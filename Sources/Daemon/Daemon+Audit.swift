public import AgentCore
import Store

extension Daemon {
    /// Records in the audit log an admin's action that changes no agent (an unlock of a login),
    /// on the daemon's thread, in the store like any command's line; `completion` runs after the
    /// write, so the answer comes after the record.
    public func audit(
        actor: Actor, source: String, action: String, target: String?, outcome: String = "ok", detail: String? = nil,
        completion: @escaping @Sendable () -> Void
    ) {
        loop.execute { [self] in
            let entry = AuditEntry(at: options.clock(), actor: actor, source: source, action: action, target: target, outcome: outcome, detail: detail)
            carryOut([], lingeringChanged: false, audit: entry)
            completion()
        }
    }
}
