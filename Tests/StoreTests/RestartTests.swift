import AgentCore
import Testing
import TestSupport
import Store

/// The daemon's restart path end to end, without the daemon: the core's effects go to the
/// store, the process "dies", and a new core restored from the store carries on.
@Suite struct RestartTests {
    static var configuration: CoreConfiguration {
        var statuses = CoreConfiguration.builtInStatuses
        statuses["break"] = StatusDefinition(id: "break", label: "Break", activatesSkills: false, timeout: .seconds(900), timeoutGoto: .connected)
        let user = UserDefinition(
            login: Samples.dana, name: "Dana Levi", skills: [SkillAssignment(skill: "sales")], personalExtension: "101", extensions: [])
        return CoreConfiguration(
            statuses: statuses, skills: ["sales": SkillDefinition(id: "sales", queues: ["sales"])],
            extensions: ["101": ExtensionDefinition(id: "101", interface: "PJSIP/101")],
            users: [Samples.dana: user], remote: RemoteSettings())
    }

    @Test func anExpiredBreakFiresAtOnceAtItsRecordedDeadline() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("s.sqlite")
        do {
            let store = try Store(path: path)
            var core = AgentStateMachine(configuration: Self.configuration)
            for outcome in [
                core.handle(.login(Samples.dana, extension: "101"), by: .user(Samples.dana), at: Samples.t0),
                core.handle(.setStatus(Samples.dana, "break"), by: .user(Samples.dana), at: Samples.at(60)),
            ] {
                try store.apply(outcome.effects, lingering: core.lingering)
            }
        }
        // Back an hour later: the 15-minute break expired while the daemon was down.
        let store = try Store(path: path)
        var core = AgentStateMachine(configuration: Self.configuration, restoring: try store.loadAgents(), lingering: try store.loadLingering())
        #expect(core.state(of: Samples.dana)?.status == "break")
        #expect(core.deadline(of: Samples.dana) == Samples.at(60 + 900))
        let outcome = core.tick(at: Samples.at(3600))
        try store.apply(outcome.effects)
        let history = try store.history(agent: Samples.dana, from: Samples.t0, to: Samples.at(7200))
        #expect(history.map(\.to) == [.connected, "break", .connected])
        #expect(history.last?.at == Samples.at(960))
        #expect(history.last?.cause == .timeout)
        #expect(try store.loadAgents().first?.since == Samples.at(960))
    }
}
