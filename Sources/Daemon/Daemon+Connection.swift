import ControlPort
import AMI
import AgentCore
import Config
import Store
import SystemSupport

extension Daemon {
    func startOnLoop(onReady: (@Sendable (String) -> Void)?) {
        guard !started else { return }
        started = true
        self.onReady = onReady
        logger.notice(
            "daemon.started",
            [("database", .string(settings.general.database)), ("ami", "\(settings.ami.host):\(settings.ami.port)"),
             ("agents", .int(machine.agents.count))])
        do {
            let handOff = handOff
            let connection = try AMIConnection(configuration: connectionConfiguration(settings.ami), logger: logger) {
                [weak self] event in
                // On the reader's thread: only what the daemon acts on crosses, already reduced.
                guard let input = handOff.receive(event) else { return }
                self?.loop.execute { [weak self] in self?.handle(input) }
            }
            self.connection = connection
            connection.start()
        } catch {
            logger.error("ami.unavailable", [("error", .string(error.description))])
            announceReady("cannot start the AMI connection: \(error)")
        }
        scheduleTick()
    }

    func connectionConfiguration(_ ami: AMISettings) -> AMIConnectionConfiguration {
        options.tuneConnection(
            AMIConnectionConfiguration(
                host: ami.host, port: ami.port, username: ami.username, secret: ami.secret,
                authentication: ami.authentication == .md5 ? .md5 : .plain, pingInterval: ami.pingInterval))
    }

    func announceReady(_ status: String) {
        guard !readyAnnounced else { return }
        readyAnnounced = true
        logger.notice("daemon.ready", [("status", .string(status))])
        onReady?(status)
    }

    // MARK: The clock

    private func scheduleTick() {
        tickTimer = loop.schedule(after: options.tickInterval) { [weak self] in
            guard let self, accepting else { return }
            // While the store cannot commit, timed statuses wait for the next attempt: each is
            // recorded at its own deadline whenever it is seen.
            let refusedLately = tickRefusedAt.map { $0.duration(to: .now) < options.storeRetryInterval } ?? false
            if !refusedLately, !storeHoldsInputs() {
                let now = options.clock()
                run { $0.tick(at: now) }
                // Undone and still due: asked again every tick, it would fill the log.
                tickRefusedAt = failedInput == nil ? nil : .now
            }
            releaseDrainedBacklog()
            scheduleTick()
        }
    }

    // MARK: AMI

    func handle(_ input: AMIInput) {
        defer { handOff.handled() }
        switch input {
        case .call, .answered:
            // What cannot be stored now waits, in order, for the store (`Daemon+Commit.swift`).
            if storeHoldsInputs() { return hold(input, at: options.clock()) }
            process(input, at: options.clock())
        default:
            process(input, at: options.clock())
        }
    }

    /// Acts on one input from Asterisk that came at `now`: just now, or before it waited for the store.
    func process(_ input: AMIInput, at now: Timestamp) {
        switch input {
        case .call(let callEvent):
            run { $0.handle(callEvent, at: now) }
            // Refused by the store on its own (logged, undone): the reconcile reads the call again.
            guard failedInput == nil else { return scheduleRetryReconcile() }
            batch.inputs.append((input, now))
        case .answered(let uniqueID):
            answered(uniqueID, at: now)
            batch.inputs.append((input, now))
        case .featureCode(let parsed, let extensionHeader):
            handleFeatureCode(parsed, extensionHeader: extensionHeader)
        case .stateChanged(let state):
            amiState = state
            // Listeners get the state with it: the committed one.
            whenCommitted { [self] _ in notify(.ami(AsteriskLink(state))) }
            switch state {
            case .loggedIn:
                if hasLoggedIn { counters.reconnects += 1 }
                hasLoggedIn = true
                // Reconcile when Asterisk says it is fully booted (queues loaded), or anyway soon.
                bootTimer.map(loop.cancel)
                bootTimer = loop.schedule(after: options.fullyBootedWait) { [weak self] in
                    self?.bootTimer = nil
                    self?.startReconcile(reason: "login without FullyBooted")
                }
            case .retrying, .authenticationFailed:
                bootTimer.map(loop.cancel)
                bootTimer = nil
                announceReady("Asterisk unreachable (\(state)); status changes are recorded and applied on connect")
            case .lost, .connecting, .idle, .stopped:
                bootTimer.map(loop.cancel)
                bootTimer = nil
            }
        case .fullyBooted(_, let restarted):
            bootTimer.map(loop.cancel)
            bootTimer = nil
            startReconcile(reason: restarted ? "Asterisk restarted" : "login")
        }
    }

    /// The daemon's counters with the AMI reader's (events read, and queued for this thread).
    var metrics: DaemonMetrics {
        var metrics = counters
        metrics.eventsRead = handOff.eventsRead
        metrics.eventsQueued = handOff.inputsQueued
        return metrics
    }

    /// A watched call's channel went Up: the call was answered.
    private func answered(_ uniqueID: String, at now: Timestamp) {
        guard liveCalls.contains(uniqueID) else { return }
        _ = recordAside("the call's answer is not recorded") { () throws(StoreError) in try store.markAnswered(uniqueID: uniqueID, at: now) }
    }

    // MARK: Phone feature codes

    private func handleFeatureCode(_ parsed: Result<FeatureCode, FeatureCode.Invalid>, extensionHeader: String) {
        let code: FeatureCode
        switch parsed {
        case .failure(let invalid):
            logger.warning("phone.invalid", [("error", .string(invalid.reason)), ("extension", .string(extensionHeader))])
            return
        case .success(let value):
            code = value
        }
        guard accepting else { return }
        let extensionID = code.extensionID
        let command: Command
        switch code.request {
        case .status(let status):
            guard let agent = machine.agent(at: extensionID) else { return refuse(code, "no agent is logged in at extension \(extensionID)") }
            command = .setStatus(agent, status)
        case .logout:
            guard let agent = machine.agent(at: extensionID) else { return refuse(code, "no agent is logged in at extension \(extensionID)") }
            command = .logout(agent)
        case .login(let named):
            // A phone logs in only the owner of its personal extension: a hot desk needs the
            // agent's password, through the API.
            guard let owner = machine.configuration.users.values.first(where: { $0.personalExtension == extensionID })?.login else {
                return refuse(code, "extension \(extensionID) is nobody's personal extension; log in through the API to use it")
            }
            if let named, named != owner {
                return refuse(code, "a phone logs in only the owner of its personal extension (\(owner)); \(named) must log in through the API to use \(extensionID)")
            }
            command = .login(owner, extension: extensionID)
        }
        perform(command, by: .phone(extensionID), source: "phone \(extensionID)") { [self] reply in
            var fields: [(String, LogValue)] = [
                ("extension", .string(extensionID.rawValue)), ("command", .string(command.auditAction)),
                ("agent", .string(command.agent.rawValue)),
            ]
            if case .failure(let error) = reply.result {
                fields.append(("error", .string(error.description)))
                logger.warning("phone.refused", fields)
            } else {
                logger.info("phone.command", fields)
            }
        }
    }

    private func refuse(_ code: FeatureCode, _ reason: String) {
        logger.warning("phone.refused", [("extension", .string(code.extensionID.rawValue)), ("error", .string(reason))])
        // While the store cannot commit, the log line above is all that says it.
        guard !storeHoldsInputs() else { return }
        let entry = AuditEntry(
            at: options.clock(), actor: .phone(code.extensionID), source: "phone \(code.extensionID)", action: code.request.auditAction,
            outcome: "refused", detail: reason)
        _ = recordAside("the refusal is not in the audit log") { () throws(StoreError) in try store.write([], audit: entry) }
    }
}

extension FeatureCode.Request {
    var auditAction: String {
        switch self {
        case .login: "login"
        case .logout: "logout"
        case .status: "set_status"
        }
    }
}
