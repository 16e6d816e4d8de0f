import AgentCore
import Config
import ControlPort
import Dispatch
import Synchronization

/// The daemon as the control API sees it, in-process: a real `AgentStateMachine` over a loaded
/// configuration, a clock the test moves, and a serial queue as the daemon's thread. Commands
/// run through the machine the way `Daemon.perform` runs them; observers hear the committed
/// transitions with the state after them. It records what reached it (commands, audit lines,
/// reloads, report reads) and can be told to fail the way the daemon fails (a store that cannot
/// commit, a stop, an unreadable report, Asterisk away).
final class FakeControlPort: ControlPort {
    /// A command as it reached the port.
    struct Submission: Sendable, Equatable {
        var command: Command
        var actor: Actor
        var source: String
    }

    /// A line the daemon would have written to the store's audit table.
    struct AuditLine: Sendable, Equatable {
        var actor: String
        var source: String
        var action: String
        var target: String?
        var outcome: String
        var detail: String?
    }

    struct ReportRequest: Sendable, Equatable {
        var agents: [AgentID]
        var day: Range<Timestamp>
    }

    private struct State {
        var clock: Timestamp
        var machine: AgentStateMachine
        var settings: LoadedConfiguration
        var metrics = DaemonMetrics()
        var ami = FakeControlPort.loggedIn
        /// Why the store refuses commits; nil while it takes them.
        var storeFailure: String?
        var stopping = false
        var reportFailure: String?
        var reportDays: [AgentDay] = []
        /// What the next reload reads: the file's text and the admin tokens file's entries.
        var file: String
        var adminTokens: [AdminTokenEntry]
        var observers: [@Sendable (DaemonEvent, DaemonSnapshot) -> Void] = []
        var timers: [(interval: Duration, work: @Sendable () -> Void)] = []
        var submissions: [Submission] = []
        var audit: [AuditLine] = []
        var reloads = 0
        var reportRequests: [ReportRequest] = []

        var snapshot: DaemonSnapshot {
            DaemonSnapshot(machine: machine, settings: settings, metrics: metrics, ami: ami, storeWritable: storeFailure == nil, inFlight: 0)
        }
    }

    static let loggedIn = AsteriskLink(name: "logged_in", isLoggedIn: true, description: "logged in")
    static let lost = AsteriskLink(name: "lost", isLoggedIn: false, description: "connection lost")

    /// The daemon's thread: every input and every `withState` runs here, in order.
    let queue = DispatchQueue(label: "ccagentd.test.fake-daemon")
    private let state: Mutex<State>

    /// A daemon running `text` (a whole configuration file) with `adminTokens` (the tokens file's
    /// entries) at `start`.
    init(configuration text: String, adminTokens: [AdminTokenEntry] = [], at start: Timestamp = Timestamp(seconds: 1_800_000_000))
        throws
    {
        var settings = try ConfigLoader.load(text: text).get()
        settings.api.adminTokens = adminTokens
        state = Mutex(
            State(
                clock: start, machine: AgentStateMachine(configuration: settings.core), settings: settings, file: text,
                adminTokens: adminTokens))
    }

    // MARK: The port

    func now() -> Timestamp { state.withLock { $0.clock } }

    func withState(_ body: @escaping @Sendable (DaemonSnapshot) -> Void) {
        queue.async { [self] in body(state.withLock { $0.snapshot }) }
    }

    func observe(withState observer: @escaping @Sendable (DaemonEvent, DaemonSnapshot) -> Void) {
        state.withLock { $0.observers.append(observer) }
    }

    /// Kept, not scheduled: the test runs them with `fire(every:)`.
    func every(_ interval: Duration, _ work: @escaping @Sendable () -> Void) {
        state.withLock { $0.timers.append((interval, work)) }
    }

    func submit(_ command: Command, by actor: Actor, source: String, completion: @escaping @Sendable (CommandReply) -> Void) {
        queue.async { [self] in
            let (reply, events) = state.withLock { state in Self.perform(command, by: actor, source: source, in: &state) }
            notify(events)
            completion(reply)
        }
    }

    func reload(completion: @escaping @Sendable (ReloadResult) -> Void) {
        queue.async { [self] in
            let (result, events) = state.withLock { Self.reload(&$0) }
            notify(events)
            completion(result)
        }
    }

    func audit(
        actor: Actor, source: String, action: String, target: String?, outcome: String, detail: String?,
        completion: @escaping @Sendable (_ storeFailure: String?) -> Void
    ) {
        queue.async { [self] in
            let failure = state.withLock { state -> String? in
                if let failure = state.storeFailure { return failure }
                state.audit.append(
                    AuditLine(actor: actor.description, source: source, action: action, target: target, outcome: outcome, detail: detail))
                return nil
            }
            completion(failure)
        }
    }

    func timeInStatus(
        agents: [AgentID], day: Range<Timestamp>, now: Timestamp,
        completion: @escaping @Sendable (Result<[AgentDay], ReportFailure>) -> Void
    ) {
        let result = state.withLock { state -> Result<[AgentDay], ReportFailure> in
            state.reportRequests.append(ReportRequest(agents: agents, day: day))
            if let failure = state.reportFailure { return .failure(ReportFailure(failure)) }
            return .success(state.reportDays.filter { agents.contains($0.agent) })
        }
        DispatchQueue.global().async { completion(result) }
    }

    // MARK: What happened

    var submissions: [Submission] { state.withLock { $0.submissions } }
    var auditLines: [AuditLine] { state.withLock { $0.audit } }
    var reloads: Int { state.withLock { $0.reloads } }
    var reportRequests: [ReportRequest] { state.withLock { $0.reportRequests } }
    var metrics: DaemonMetrics { state.withLock { $0.metrics } }
    func agent(_ agent: AgentID) -> AgentState? { state.withLock { $0.machine.state(of: agent) } }

    /// Waits until everything queued on the daemon's thread so far has run.
    func drain() { queue.sync {} }

    // MARK: What the test makes happen

    /// Moves the clock and lets the machine's timers fire, as the daemon's tick does.
    func advance(by duration: Duration) {
        queue.sync {
            let events = state.withLock { state in
                state.clock = state.clock + duration
                let outcome = state.machine.tick(at: state.clock)
                return Self.events(of: outcome, then: [], state: state)
            }
            notify(events)
        }
    }

    /// Runs the work registered with `every(interval)` on the daemon's thread, then what it queued.
    func fire(every interval: Duration) {
        let works = state.withLock { $0.timers.filter { $0.interval == interval }.map(\.work) }
        queue.sync { works.forEach { $0() } }
        drain()
    }

    /// What the next reload reads.
    func rewrite(_ text: String, adminTokens: [AdminTokenEntry]? = nil) {
        state.withLock { state in
            state.file = text
            if let adminTokens { state.adminTokens = adminTokens }
        }
    }

    /// The store refuses commits with `reason` (a full disk), or takes them again (nil).
    func failStore(_ reason: String?) { state.withLock { $0.storeFailure = reason } }

    func stop() { state.withLock { $0.stopping = true } }

    func failReports(_ reason: String?) { state.withLock { $0.reportFailure = reason } }

    func answerReports(with days: [AgentDay]) { state.withLock { $0.reportDays = days } }

    /// The AMI connection changes; listeners hear it, as from the daemon.
    func link(_ link: AsteriskLink) {
        queue.sync {
            let snapshot = state.withLock { state in
                state.ami = link
                return state.snapshot
            }
            notify([(.ami(link), snapshot)])
        }
    }

    /// Tells the listeners `event` (a call starting or ending) on the daemon's thread.
    func publish(_ event: DaemonEvent) {
        queue.sync { notify([(event, state.withLock { $0.snapshot })]) }
    }

    // MARK: The daemon's rules

    private func notify(_ events: [(DaemonEvent, DaemonSnapshot)]) {
        let observers = state.withLock { $0.observers }
        for (event, snapshot) in events {
            for observer in observers { observer(event, snapshot) }
        }
    }

    /// `Daemon.perform`: refused when stopping or when the store cannot commit; else through the
    /// rules, audited whether it succeeded or not, and answered with the state, the warnings and
    /// the members.
    private static func perform(_ command: Command, by actor: Actor, source: String, in state: inout State)
        -> (CommandReply, [(DaemonEvent, DaemonSnapshot)])
    {
        state.submissions.append(Submission(command: command, actor: actor, source: source))
        guard !state.stopping else { return (CommandReply(result: .failure(.stopping)), []) }
        state.metrics.commands += 1
        if let failure = state.storeFailure {
            state.metrics.commandsRefused += 1
            return (CommandReply(result: .failure(.storeUnavailable(failure))), [])
        }
        let outcome = state.machine.handle(command, by: actor, at: state.clock)
        var line = AuditLine(
            actor: actor.description, source: source, action: command.auditAction, target: command.agent.rawValue, outcome: "ok",
            detail: command.auditDetail)
        let reply: CommandReply
        switch outcome.result {
        case .failure(let error)?:
            state.metrics.commandsRefused += 1
            line.outcome = "refused"
            line.detail = [command.auditDetail, error.description].compactMap { $0 }.joined(separator: "; ")
            reply = CommandReply(result: .failure(.refused(error)))
        case .success(let agent)?:
            let members = agent.flatMap { state.machine.members[$0.interface] } ?? []
            reply = CommandReply(result: .success(agent), warnings: outcome.warnings, members: members)
        case nil:
            reply = CommandReply(result: .success(state.machine.state(of: command.agent)), warnings: outcome.warnings)
        }
        if !outcome.warnings.isEmpty, line.outcome == "ok" {
            line.detail = ([command.auditDetail].compactMap { $0 } + outcome.warnings).joined(separator: "; ")
        }
        state.audit.append(line)
        return (reply, events(of: outcome, then: [], state: state))
    }

    /// `Daemon.reload`: the file read again; refused with its errors, or applied (admin tokens at
    /// once, the rest of `[api]` at the next start) with the machine moving its agents.
    private static func reload(_ state: inout State) -> (ReloadResult, [(DaemonEvent, DaemonSnapshot)]) {
        state.reloads += 1
        if let failure = state.storeFailure { return (.storeUnavailable(failure), []) }
        var new: LoadedConfiguration
        switch ConfigLoader.load(text: state.file) {
        case .success(let loaded): new = loaded
        case .failure(let list): return (.refused(errors: list.errors.map(\.description)), [])
        }
        new.api = state.settings.api
        new.api.adminTokens = state.adminTokens
        state.settings = new
        let outcome = state.machine.reload(new.core, at: state.clock)
        return (.applied(notes: []), events(of: outcome, then: [.configurationReloaded], state: state))
    }

    /// The transitions of `outcome`, then `more`, each with the state after the whole input.
    private static func events(of outcome: AgentCore.Outcome, then more: [DaemonEvent], state: State) -> [(DaemonEvent, DaemonSnapshot)] {
        let snapshot = state.snapshot
        let transitions = outcome.effects.compactMap { effect -> DaemonEvent? in
            if case .transition(let transition) = effect { return .transition(transition) }
            return nil
        }
        return (transitions + more).map { ($0, snapshot) }
    }
}

extension Command {
    /// The audit's action names, as the daemon writes them.
    fileprivate var auditAction: String {
        switch self {
        case .login: "login"
        case .logout: "logout"
        case .setStatus: "set_status"
        }
    }

    fileprivate var auditDetail: String? {
        switch self {
        case .login(_, let extensionID): "extension \(extensionID)"
        case .logout: nil
        case .setStatus(_, let status): "status \(status)"
        }
    }
}
