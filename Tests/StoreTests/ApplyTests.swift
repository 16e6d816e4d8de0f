import AgentCore
import Testing
import TestSupport
@testable import Store

@Suite struct ApplyTests {
    let directory: TemporaryDirectory
    let store: Store

    init() throws {
        directory = try TemporaryDirectory()
        store = try Store(path: directory.file("s.sqlite"))
    }

    @Test func anAgentOnACallRoundTripsWithEverything() throws {
        var state = Samples.state(.incomingCall, since: Samples.at(10))
        state.calls = ["1795289200.10": .incoming, "1795289200.11": .outgoing]
        state.statusBeforeCall = "lunch"
        state.requestedBy = .user("sup:with:colons@example.com")
        var virtual = Samples.state(.virtual, since: Samples.at(3), agent: Samples.eli)
        virtual.isVirtual = true
        virtual.stateInterface = nil
        virtual.interface = "Local/+972501234567@ccagentd-remote/n"
        try store.apply([.saveAgent(Samples.dana, state), .saveAgent(Samples.eli, virtual)])

        let reopened = try Store(path: directory.file("s.sqlite"))
        #expect(try reopened.loadAgents() == [state, virtual])
    }

    @Test func savingAgainReplacesAndNilDeletesWithItsCalls() throws {
        var state = Samples.state(.incomingCall)
        state.calls = ["u1": .incoming]
        try store.apply([.saveAgent(Samples.dana, state)])
        state.status = .connected
        state.calls = [:]
        try store.apply([.saveAgent(Samples.dana, state)])
        #expect(try store.loadAgents() == [state])
        try store.apply([.saveAgent(Samples.dana, nil)])
        #expect(try store.loadAgents().isEmpty)
        #expect(try store.database.query("SELECT count(*) FROM agent_call") { $0.int64(0) } == [0])
    }

    @Test func historyReadsBackContiguousAndInOrder() throws {
        let changes: [Effect] = [
            Samples.change(.unassigned, .connected, at: Samples.at(0)),
            Samples.change(.connected, .incomingCall, at: Samples.at(5), cause: .call, actor: .system),
            Samples.change(.incomingCall, "paperwork", at: Samples.at(65), cause: .hangup, actor: .system),
            // Same millisecond: the order written is the order read.
            Samples.change("paperwork", "lunch", at: Samples.at(65), cause: .phone, actor: .phone("101")),
            Samples.change("lunch", .unassigned, at: Samples.at(99), cause: .admin, actor: .admin("ops")),
        ]
        for change in changes { try store.apply([change]) }
        try store.apply([Samples.change(.unassigned, .connected, at: Samples.at(1), agent: Samples.eli)])

        let history = try store.history(agent: Samples.dana, from: Samples.t0, to: Samples.at(100))
        #expect(history.map { Effect.transition($0) } == changes)
        for (previous, next) in zip(history, history.dropFirst()) { #expect(previous.to == next.from) }
        #expect(try store.history(from: Samples.t0, to: Samples.at(100)).count == 6)
        #expect(try store.history(agent: Samples.dana, from: Samples.at(5), to: Samples.at(65)).map(\.to) == [.incomingCall])
    }

    @Test func callsStartAndEndAndARepeatedStartKeepsTheFirst() throws {
        try store.apply([.callStarted(agent: Samples.dana, uniqueID: "u1", channel: "PJSIP/101-0000002a", direction: .incoming, at: Samples.at(10))])
        try store.apply([.callStarted(agent: Samples.dana, uniqueID: "u1", channel: "PJSIP/101-0000002a", direction: .incoming, at: Samples.at(40))])
        try store.apply([.callStarted(agent: Samples.eli, uniqueID: "u2", channel: "PJSIP/106-0000002b", direction: .outgoing, at: Samples.at(20))])
        try store.apply([.callEnded(agent: Samples.dana, uniqueID: "u1", at: Samples.at(70))])
        try store.apply([.callEnded(agent: Samples.dana, uniqueID: "u1", at: Samples.at(90))])  // a second hangup changes nothing

        #expect(try store.calls(agent: Samples.dana, from: Samples.t0, to: Samples.at(100)) == [
            CallRecord(uniqueID: "u1", agent: Samples.dana, direction: .incoming, channel: "PJSIP/101-0000002a", started: Samples.at(10), ended: Samples.at(70))
        ])
        #expect(try store.calls(from: Samples.t0, to: Samples.at(100)).map(\.uniqueID) == ["u1", "u2"])
        #expect(try store.calls(agent: Samples.eli, from: Samples.t0, to: Samples.at(100)).first?.ended == nil)
    }

    @Test func auditLinesReadBackNewestFirst() throws {
        let login = AuditEntry(at: Samples.at(1), actor: .user(Samples.dana), source: "api 10.0.0.5", action: "login", target: Samples.dana.rawValue, outcome: "ok", detail: "extension 101")
        let refused = AuditEntry(at: Samples.at(2), actor: .phone("101"), source: "phone 101", action: "set_status", target: Samples.eli.rawValue, outcome: "refused")
        let reload = AuditEntry(at: Samples.at(3), actor: .admin("root"), source: "unix socket", action: "reload", outcome: "ok")
        try store.apply([Samples.change(.unassigned, .connected, at: Samples.at(1))], audit: login)
        try store.apply([], audit: refused)
        try store.apply([.warning(event: "x", agent: nil, message: "ignored")], audit: reload)
        #expect(try store.audit(limit: 10) == [reload, refused, login])
        #expect(try store.audit(limit: 1) == [reload])
    }

    @Test func effectsThatAreNotTheStoresWriteNothing() throws {
        try store.apply([
            .queueAdd(Member(queue: "sales", interface: "PJSIP/101", penalty: 0, memberName: "Dana", stateInterface: nil)),
            .queueRemove(queue: "sales", interface: "PJSIP/101"), .dbPut(family: "f", key: "k", value: "v"),
            .warning(event: "e", agent: nil, message: "m"),
        ])
        #expect(try store.history(from: Timestamp(millisecondsSince1970: 0), to: Timestamp(millisecondsSince1970: .max)).isEmpty)
    }

    @Test func lingeringIsReplacedWholeAndInTheSameTransaction() throws {
        try store.saveLingering(["PJSIP/101": Samples.dana, "PJSIP/106": Samples.eli])
        #expect(try store.loadLingering() == ["PJSIP/101": Samples.dana, "PJSIP/106": Samples.eli])
        try store.apply([.saveAgent(Samples.eli, Samples.state(agent: Samples.eli))], lingering: ["PJSIP/101": Samples.dana])
        #expect(try store.loadLingering() == ["PJSIP/101": Samples.dana])
    }

    @Test func aFailingBatchRollsBackEntirely() throws {
        try store.apply([.saveAgent(Samples.dana, Samples.state())])
        let batch: [Effect] = [
            Samples.change(.connected, "lunch", at: Samples.at(5)),
            .saveAgent(Samples.dana, Samples.state(.init("lunch"), since: Samples.at(5))),
            .callStarted(agent: Samples.dana, uniqueID: "u1", channel: "PJSIP/101-1", direction: .outgoing, at: Samples.at(5)),
            .saveAgent("", Samples.state(since: Samples.at(5), agent: "")),  // an empty agent id violates a CHECK
        ]
        let audit = AuditEntry(at: Samples.at(5), actor: .system, source: "test", action: "x", outcome: "ok")
        let error = #expect(throws: StoreError.self) { try store.apply(batch, lingering: ["PJSIP/101": Samples.dana], audit: audit) }
        guard case .sql(let sql, _, _) = error else { Issue.record("expected .sql, got \(String(describing: error))"); return }
        #expect(sql.contains("INSERT INTO agent_state"))
        #expect(!String(describing: error).contains("PJSIP/101"))  // bound values never appear
        #expect(try store.loadAgents() == [Samples.state()])
        #expect(try store.history(from: Samples.t0, to: Samples.at(10)).isEmpty)
        #expect(try store.calls(from: Samples.t0, to: Samples.at(10)).isEmpty)
        #expect(try store.audit(limit: 5).isEmpty)
        #expect(try store.loadLingering().isEmpty)
        // The connection is usable afterwards.
        try store.apply([Samples.change(.connected, "lunch", at: Samples.at(6))])
        #expect(try store.history(from: Samples.t0, to: Samples.at(10)).count == 1)
    }
}
