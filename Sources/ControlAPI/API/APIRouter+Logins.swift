import HTTPWire
import HTTPServing
import Crypt
import ControlPort
import SystemSupport

extension APIRouter {
    /// `DELETE /v1/logins/{login}/lock`, admins only: forgets the login's failed passwords, so a
    /// locked-out user may try again at once. Audited, refusals too, like commands; the lock is
    /// cleared and the answer given once the audit line is committed (503 when it cannot be).
    func unlock(_ login: String, caller: Caller, isAdmin: Bool, responder: HTTPResponder) {
        guard isAdmin else {
            let failure = APIFailure.forbidden("only admins may unlock a login")
            return daemon.audit(
                actor: caller.actor, source: caller.source, action: "unlock", target: login, outcome: "refused", detail: failure.message
            ) { _ in responder.respond(failure.response) }
        }
        let left = limiter.lockedFor(login: login, now: .now)
        let detail = left.map { "it was locked for \(Self.wholeSeconds($0)) s more" } ?? "it was not locked"
        daemon.audit(actor: caller.actor, source: caller.source, action: "unlock", target: login, outcome: "ok", detail: detail) { [self] storeFailure in
            if let storeFailure { return responder.respond(APIFailure.storeUnavailable(storeFailure).response) }
            limiter.unlock(login: login, now: .now)
            logger.notice(
                "api.login_unlocked",
                [("login", .string(login)), ("was_locked", .bool(left != nil)), ("actor", .string(caller.actor.description)),
                 ("source", .string(caller.source))])
            responder.respond(.json(.ok, .object([("login", .string(login)), ("was_locked", .bool(left != nil))])))
        }
    }

    /// A wait in whole seconds, rounded up, at least 1: what `Retry-After` and people read.
    static func wholeSeconds(_ duration: Duration) -> Int {
        max(1, Int(duration.components.seconds) + (duration.components.attoseconds > 0 ? 1 : 0))
    }
}
