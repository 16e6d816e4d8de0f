import HTTPWire
import HTTPServing
import Crypt
import AgentCore
import Config
import ControlPort
import Dispatch
import SystemSupport

/// Answers the API's requests: matches the route, finds who is asking, checks what it may see
/// and do, and hands commands to the daemon. Everything that reads the agents runs on the
/// daemon's thread (`Daemon.withState`), between two inputs, so an answer is never half old.
final class APIRouter: Sendable {
    let daemon: any ControlPort
    let logger: Logger
    let sessions: SessionStore
    let limiter: LoginRateLimiter
    /// `[api] trusted_proxies`, fixed at start like the limits.
    let trustedProxies: [IPNetwork]
    let hub: EventHub
    /// crypt(3) is slow on purpose; it runs here, never on the server's or daemon's thread.
    let passwordQueue = DispatchQueue(label: "ccagentd.api.passwords", attributes: .concurrent)
    /// Big answers (the agent list) are rendered here, not on the daemon's thread.
    let renderQueue = DispatchQueue(label: "ccagentd.api.render", attributes: .concurrent)


    init(daemon: any ControlPort, settings: APISettings, hub: EventHub, logger: Logger) {
        self.daemon = daemon
        self.logger = logger
        self.hub = hub
        sessions = SessionStore(ttl: settings.sessionTTL)
        limiter = LoginRateLimiter(
            perLogin: settings.loginAttemptsPerLogin, perAddress: settings.loginAttemptsPerAddress, window: settings.loginWindow)
        trustedProxies = settings.trustedProxies
    }

    /// What a caller proved who it is with.
    enum Credential: Sendable, Equatable {
        case session(token: String)
        case admin(name: String, token: String)
        /// The Unix socket, without a token: file permission decided.
        case local
    }

    /// Who made a request: the actor the rules know, and the source the audit log records.
    struct Caller: Sendable {
        var actor: Actor
        var source: String
        var credential: Credential

        /// The session token used, if the caller logged in with a password.
        var sessionToken: String? {
            if case .session(let token) = credential { token } else { nil }
        }
    }

    func handle(_ request: HTTPRequest, _ context: RequestContext, _ responder: HTTPResponder) {
        let route: APIRoute
        switch APIRoute.match(method: request.method, path: request.path) {
        case .success(let found): route = found
        case .failure(let failure): return responder.respond(failure.response)
        }
        // The routes anyone may call, without a token.
        switch route {
        case .createSession: return createSession(request, context, responder)
        case .health: return daemon.withState { responder.respond(Self.health($0)) }
        case .metrics: return daemon.withState { [hub] in responder.respond(Self.metrics($0, streams: hub.subscriberCount)) }
        default: break
        }
        // Commands parse their body before the daemon is bothered with them.
        var body = RequestBody(value: .object([]))
        switch route {
        case .login, .setStatus:
            switch RequestBody.parse(request.body) {
            case .success(let parsed): body = parsed
            case .failure(let failure): return responder.respond(failure.response)
            }
        default: break
        }
        let token = Self.bearerToken(request.headers["Authorization"])
        if request.headers["Authorization"] != nil, token == nil {
            return responder.respond(APIFailure.unauthorized.response)
        }
        let now = ContinuousClock.now
        let client = client(of: request, context)
        daemon.withState { [self, body] state in
            let caller: Caller
            switch authenticate(token: token, context: context, client: client, state: state, now: now) {
            case .success(let found): caller = found
            case .failure(let failure): return responder.respond(failure.response)
            }
            serve(route, body: body, request: request, caller: caller, state: state, responder: responder)
        }
    }

    /// On the daemon's thread, for an authenticated caller.
    private func serve(
        _ route: APIRoute, body: RequestBody, request: HTTPRequest, caller: Caller, state: DaemonSnapshot, responder: HTTPResponder
    ) {
        let machine = state.machine
        switch route {
        case .deleteSession:
            guard let token = caller.sessionToken else {
                return responder.respond(
                    APIFailure.badRequest("bad_request", "only a session token can be ended; admin tokens live in the admin_tokens file")
                        .response)
            }
            _ = sessions.revoke(token)
            hub.closeStreams { $0.credential == caller.credential }
            logger.info("api.session_ended", [("user", .string(caller.actor.description)), ("source", .string(caller.source))])
            responder.respond(HTTPResponse(status: .noContent))
        case .agents:
            // Built off the daemon's thread (12 ms for 2,000 agents): the snapshot is a value; the
            // daemon's next change copies what it touches instead of waiting for the list.
            renderQueue.async { [actor = caller.actor] in
                let visible = machine.configuration.users.values
                    .filter { $0.isAgent && machine.maySee($0.login, by: actor) }
                    .map(\.login).sorted()
                let agents = visible.map { APIJSON.agent($0, in: machine) }
                responder.respond(.json(.ok, .object([("agents", .array(agents))])))
            }
        case .agent(let agent):
            guard Self.visible(agent, to: caller, in: machine) else { return responder.respond(APIFailure.unknownAgent(agent).response) }
            responder.respond(.json(.ok, APIJSON.agent(agent, in: machine)))
        case .extensionOffer(let agent):
            guard Self.visible(agent, to: caller, in: machine) else { return responder.respond(APIFailure.unknownAgent(agent).response) }
            // Who sits at an extension is shown only when the caller may see them.
            let offer = machine.extensionOffer(for: agent).map { offer in
                APIJSON.offer(offer, showing: offer.takenBy.map { machine.maySee($0, by: caller.actor) } ?? false)
            }
            responder.respond(.json(.ok, .object([("extensions", .array(offer))])))
        case .login(let agent):
            let command = body.string("extension").map { Command.login(agent, extension: ExtensionID($0)) }
            submit(command, caller: caller, machine: machine, responder: responder)
        case .logout(let agent):
            submit(Result<Command, APIFailure>.success(.logout(agent)), caller: caller, machine: machine, responder: responder)
        case .setStatus(let agent):
            let command = body.string("status").map { Command.setStatus(agent, StatusID($0)) }
            submit(command, caller: caller, machine: machine, responder: responder)
        case .statuses:
            // Counted over the agents the caller may see: another group's breaks are not its business.
            var counts: [StatusID: Int] = [:]
            if machine.role(of: caller.actor) == .admin {
                for id in machine.configuration.statuses.keys { counts[id] = machine.count(in: id) }
            } else {
                for state in machine.agents.values where machine.maySee(state.agent, by: caller.actor) {
                    counts[state.status, default: 0] += 1
                }
            }
            let statuses = machine.configuration.statuses.values.sorted { $0.id < $1.id }
                .map { APIJSON.status($0, agents: counts[$0.id] ?? 0) }
            responder.respond(.json(.ok, .object([("statuses", .array(statuses))])))
        case .skills:
            let skills = machine.configuration.skills.values.sorted { $0.id < $1.id }.map(APIJSON.skill)
            responder.respond(.json(.ok, .object([("skills", .array(skills))])))
        case .extensions:
            guard machine.role(of: caller.actor) == .admin else {
                return responder.respond(APIFailure.forbidden("only admins may list every extension").response)
            }
            let extensions = machine.configuration.extensions.values.sorted { $0.id < $1.id }
                .map { APIJSON.extensionEntry($0, agent: machine.agent(at: $0.id)) }
            responder.respond(.json(.ok, .object([("extensions", .array(extensions))])))
        case .reload:
            guard machine.role(of: caller.actor) == .admin else {
                return responder.respond(APIFailure.forbidden("only admins may reload the configuration").response)
            }
            reload(caller: caller, responder: responder)
        case .unlockLogin(let login):
            unlock(login, caller: caller, isAdmin: machine.role(of: caller.actor) == .admin, responder: responder)
        case .timeInStatusReport:
            timeInStatusReport(request, caller: caller, machine: machine, responder: responder)
        case .events:
            let stream = responder.startStream(HTTPResponse(status: .ok, headers: ServerSentEvent.responseHeaders))
            let last = ServerSentEvent.lastEventSequence(fromHeader: request.headers["Last-Event-ID"])
            let connectionID = stream.connectionID
            hub.subscribe(
                connectionID: connectionID, actor: caller.actor, credential: caller.credential, stream: stream, lastEventID: last,
                machine: machine)
            stream.onClose { [hub] in hub.unsubscribe(connectionID: connectionID) }
        case .createSession, .health, .metrics:
            break  // answered before authentication
        }
    }

    /// Whether the caller may see `agent` at all: one it may not is answered exactly like an
    /// unknown one.
    static func visible(_ agent: AgentID, to caller: Caller, in machine: AgentStateMachine) -> Bool {
        guard let user = machine.configuration.users[agent], user.isAgent else { return false }
        return machine.maySee(agent, by: caller.actor)
    }

    private func submit(
        _ parsed: Result<Command, APIFailure>, caller: Caller, machine: AgentStateMachine, responder: HTTPResponder
    ) {
        let command: Command
        switch parsed {
        case .success(let parsed): command = parsed
        case .failure(let failure): return responder.respond(failure.response)
        }
        guard Self.visible(command.agent, to: caller, in: machine) else {
            return responder.respond(APIFailure.unknownAgent(command.agent).response)
        }
        let configuration = machine.configuration
        daemon.submit(command, by: caller.actor, source: caller.source) { [machine] reply in
            switch reply.result {
            case .success(let state):
                responder.respond {
                    .json(
                        .ok,
                        APIJSON.agent(
                            command.agent, state: state, members: reply.members, configuration: configuration, warnings: reply.warnings))
                }
            case .failure(.refused(.extensionTaken(let extensionID, let holder))) where !machine.maySee(holder, by: caller.actor):
                // Not who: the holder is in a group the caller does not see.
                let failure = APIFailure(status: .conflict, code: "extension_taken", message: "extension \(extensionID) is taken")
                responder.respond(failure.response)
            case .failure(.refused(let error)):
                responder.respond(APIFailure.refused(error).response)
            case .failure(.stopping):
                responder.respond(APIFailure.stopping.response)
            case .failure(.storeUnavailable(let reason)):
                responder.respond(APIFailure.storeUnavailable(reason).response)
            }
        }
    }

    private func reload(caller: Caller, responder: HTTPResponder) {
        logger.notice("api.reload_requested", [("actor", .string(caller.actor.description)), ("source", .string(caller.source))])
        daemon.reload { result in
            switch result {
            case .applied(let notes):
                responder.respond(.json(.ok, .object([("reloaded", true), ("notes", .array(notes.map { .string($0) }))])))
            case .refused(let errors):
                let failure = APIFailure(
                    status: .unprocessableContent, code: "config_invalid",
                    message: "the configuration has \(errors.count.counted("error")); the old one stays", details: errors)
                responder.respond(failure.response)
            case .storeUnavailable(let reason):
                responder.respond(APIFailure.storeUnavailable(reason).response)
            }
        }
    }
}
