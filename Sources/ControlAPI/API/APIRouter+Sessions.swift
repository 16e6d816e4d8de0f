import HTTPWire
import HTTPServing
import Crypt
import AgentCore
import Config
import ControlPort
import Dispatch
import SystemSupport

extension APIRouter {
    /// `Authorization: Bearer TOKEN` → the token; nil for another scheme or a token with
    /// characters no token of ours has.
    static func bearerToken(_ header: String?) -> String? {
        guard let header else { return nil }
        // On bytes: this runs for every request.
        var view = Substring(header).utf8[...]
        while view.first == 0x20 { view = view.dropFirst() }
        guard let space = view.firstIndex(of: 0x20) else { return nil }
        let scheme = view[..<space]
        guard scheme.count == 6, zip(scheme, "bearer".utf8).allSatisfy({ $0 | 0x20 == $1 }) else { return nil }
        var token = view[view.index(after: space)...]
        while let first = token.first, first == 0x20 || first == 0x09 { token = token.dropFirst() }
        while let last = token.last, last == 0x20 || last == 0x09 { token = token.dropLast() }
        guard !token.isEmpty, token.count <= 512, token.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return nil }
        return String(Substring(token))
    }

    /// Who sent the request: the peer, or the client a trusted proxy names.
    func client(of request: HTTPRequest, _ context: RequestContext) -> ClientAddress {
        ClientAddress(context: context, forwardedFor: request.headers.listElements(name: "X-Forwarded-For"), trusted: trustedProxies)
    }

    /// The caller behind a request: a session's user (still in the configuration, active, with
    /// the password it logged in with), an admin token's name, or a local admin on the Unix socket.
    func authenticate(token: String?, context: RequestContext, client: ClientAddress, state: DaemonSnapshot, now: ContinuousClock.Instant)
        -> Result<Caller, APIFailure>
    {
        let source = client.source
        guard let token else {
            return context.isLocalSocket ? .success(Caller(actor: .admin("local"), source: source, credential: .local)) : .failure(.unauthorized)
        }
        if let (login, fingerprint) = sessions.session(token, now: now) {
            guard let user = Self.sessionUser(login, fingerprint, in: state) else {
                sessions.revokeAll(login: login)
                return .failure(.unauthorized)
            }
            return .success(Caller(actor: .user(user.login), source: source, credential: .session(token: token)))
        }
        if let name = AdminTokens(state.settings.api.adminTokens).match(token) {
            return .success(Caller(actor: .admin(name), source: source, credential: .admin(name: name, token: token)))
        }
        return .failure(.unauthorized)
    }

    /// The user a session stands for, if it still may: in the configuration, active, and with
    /// the password hash it logged in with.
    static func sessionUser(_ login: String, _ fingerprint: String, in state: DaemonSnapshot) -> UserDefinition? {
        guard let user = state.settings.core.users[AgentID(login)], user.active, user.passwordHash == fingerprint else { return nil }
        return user
    }

    /// Whether a credential still holds: sessions end, admin tokens are withdrawn by a reload.
    func stillValid(_ credential: Credential, state: DaemonSnapshot, now: ContinuousClock.Instant) -> Bool {
        switch credential {
        case .local:
            return true
        case .admin(let name, let token):
            return AdminTokens(state.settings.api.adminTokens).match(token) == name
        case .session(let token):
            guard let (login, fingerprint) = sessions.session(token, now: now) else { return false }
            return Self.sessionUser(login, fingerprint, in: state) != nil
        }
    }

    /// After a reload (and every 15 s): sessions of users removed, made inactive or given a new
    /// password end, and so does every event stream whose credential no longer holds. On the
    /// daemon's thread.
    func revalidate(state: DaemonSnapshot) {
        let now = ContinuousClock.now
        let revoked = sessions.revokeAll { login, fingerprint in Self.sessionUser(login, fingerprint, in: state) == nil }
        let closed = hub.closeStreams { !stillValid($0.credential, state: state, now: now) }
        if revoked + closed > 0 {
            logger.notice("api.sessions_ended", [("sessions", .int(revoked)), ("streams", .int(closed))])
        }
    }

    /// `POST /v1/sessions`: checks the password off the server's thread, under the rate limits.
    func createSession(_ request: HTTPRequest, _ context: RequestContext, _ responder: HTTPResponder) {
        let login: String, password: String
        switch RequestBody.parse(request.body).flatMap({ body in
            body.string("login").flatMap { login in body.string("password").map { (login, $0) } }
        }) {
        case .success(let fields): (login, password) = fields
        case .failure(let failure): return responder.respond(failure.response)
        }
        let client = client(of: request, context)
        let (address, source) = (client.address, client.source)
        // Charged before the slow check, so a burst of parallel guesses cannot all slip through.
        switch limiter.checkAndCharge(login: login, address: address, now: .now) {
        case .allowed:
            break
        case .limited(let retryAfter):
            let seconds = Self.wholeSeconds(retryAfter)
            logger.warning("api.login_rate_limited", [("login", .string(login)), ("source", .string(source))])
            let failure = APIFailure(
                status: .tooManyRequests, code: "too_many_attempts",
                message: "too many failed logins; try again in \(seconds) s", headers: [("Retry-After", String(seconds))])
            return responder.respond(failure.response)
        case .busy:
            let failure = APIFailure(
                status: .tooManyRequests, code: "too_many_attempts",
                message: "too many logins in progress from this address; try again in a second", headers: [("Retry-After", "1")])
            return responder.respond(failure.response)
        }
        daemon.withState { [self] state in
            let user = state.settings.core.users[AgentID(login)]
            let hash = user.flatMap { $0.active ? $0.passwordHash : nil }
            let knownUser = user.map { _ in AgentID(login) }
            // The decoy costs what the configured hashes cost (a $y$ check is ten times a $6$).
            let decoy = state.settings.core.users.values.lazy.compactMap(\.passwordHash).first
            passwordQueue.async { [self] in
                // An unknown login costs the time of a real check: the answer's timing does not tell
                // which logins exist.
                let matches = hash.map { PasswordCheck.verify(password, against: $0) } ?? PasswordCheck.rejectUnknownLogin(password, costLike: decoy)
                guard matches, let hash, let knownUser else {
                    // Beyond the address's allowance the answer is held back: the address is
                    // slowed, and nobody's right password is refused for it.
                    let delay = limiter.chargeFailure(login: login, address: address, now: .now)
                    var fields: [(String, LogValue)] = [("login", .string(login)), ("source", .string(source))]
                    if delay > .zero { fields.append(("delay_ms", .int(Int(delay / .milliseconds(1))))) }
                    logger.warning("api.login_failed", fields)
                    var failure = APIFailure.unauthorized
                    failure.message = "wrong login or password"
                    let response = failure.response
                    guard delay > .zero else { return responder.respond(response) }
                    return passwordQueue.asyncAfter(deadline: .now() + .milliseconds(Int(delay / .milliseconds(1)))) {
                        responder.respond(response)
                    }
                }
                limiter.refund(login: login, address: address, now: .now)
                let created: (token: String, expiresAfter: Duration)
                do {
                    created = try sessions.create(login: knownUser.rawValue, fingerprint: hash, now: .now)
                } catch {
                    logger.error("api.session_failed", [("login", .string(login)), ("error", "\(error)")])
                    return responder.respond(
                        APIFailure(status: .internalServerError, code: "internal_error", message: "no session could be created").response)
                }
                logger.info("api.session_created", [("user", .string(knownUser.rawValue)), ("source", .string(source))])
                daemon.withState { state in
                    let machine = state.machine
                    guard let user = machine.configuration.users[knownUser] else {
                        return responder.respond(APIFailure.unauthorized.response)
                    }
                    let expiresAt = self.daemon.now() + created.expiresAfter
                    let body: JSONValue = .object([
                        ("token", .string(created.token)), ("expires_at", APIJSON.time(expiresAt)), ("user", APIJSON.user(user)),
                        ("agent", user.isAgent ? APIJSON.agent(user.login, in: machine) : .null),
                    ])
                    responder.respond(.json(.created, body))
                }
            }
        }
    }
}
