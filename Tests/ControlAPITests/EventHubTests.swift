import AgentCore
import ControlPort
import Synchronization
import Testing
@testable import ControlAPI
@testable import Crypt
@testable import HTTPServing
@testable import HTTPWire

@Suite struct EventHubTests {
    final class Collector: EventSink {
        let bytes = Mutex<[UInt8]>([])
        func send(_ more: [UInt8]) { bytes.withLock { $0 += more } }
        func close() {}
        var text: String { String(decoding: bytes.withLock { $0 }, as: UTF8.self) }
        /// (id, event, agent) of each event received.
        var events: [(id: UInt64?, event: String, agent: String?)] {
            text.components(separatedBy: "\n\n").compactMap { block in
                var id: UInt64?, event: String?, agent: String?
                for line in block.split(separator: "\n") {
                    if line.hasPrefix("id: ") { id = UInt64(line.dropFirst(4)) }
                    if line.hasPrefix("event: ") { event = String(line.dropFirst(7)) }
                    if line.hasPrefix("data: ") { agent = (try? JSONValue.parse(String(line.dropFirst(6))))?["agent"]?.stringValue }
                }
                return event.map { (id, $0, agent) }
            }
        }
    }

    /// Two groups; Bea supervises Noa.
    static let machine: AgentStateMachine = {
        let users: [UserDefinition] = [
            UserDefinition(login: "dana", name: "Dana", group: "a"), UserDefinition(login: "eli", name: "Eli", group: "a"),
            UserDefinition(login: "noa", name: "Noa", supervisors: ["bea"], group: "b"),
            UserDefinition(login: "bea", name: "Bea", role: .supervisor, isAgent: false, group: "b"),
        ]
        let configuration = CoreConfiguration(
            statuses: CoreConfiguration.builtInStatuses, skills: [:], extensions: [:],
            users: Dictionary(uniqueKeysWithValues: users.map { ($0.login, $0) }), remote: RemoteSettings())
        return AgentStateMachine(configuration: configuration)
    }()

    static func change(_ agent: AgentID, to status: StatusID, at ms: Int64 = 0) -> DaemonEvent {
        .transition(Transition(agent: agent, from: .connected, to: status, at: Timestamp(millisecondsSince1970: ms), cause: .agent, actor: .user(agent)))
    }

    @Test func eachSubscriberGetsWhatItsActorMaySee() {
        let hub = EventHub(capacity: 16, firstID: 1000)
        let dana = Collector(), bea = Collector(), admin = Collector()
        hub.subscribe(connectionID: 1, actor: .user("dana"), stream: dana, lastEventID: nil, machine: Self.machine)
        hub.subscribe(connectionID: 2, actor: .user("bea"), stream: bea, lastEventID: nil, machine: Self.machine)
        hub.subscribe(connectionID: 3, actor: .admin("ops"), stream: admin, lastEventID: nil, machine: Self.machine)
        for agent: AgentID in ["dana", "eli", "noa"] { hub.publish(Self.change(agent, to: "break"), machine: Self.machine) }
        hub.publish(.ami(AsteriskLink(name: "logged_in", isLoggedIn: true, description: "logged in")), machine: Self.machine)
        hub.publish(.reconciled(actions: 3), machine: Self.machine)
        hub.publish(.configurationReloaded, machine: Self.machine)

        #expect(dana.events.map(\.event) == ["status", "status", "reload"])
        #expect(dana.events.compactMap(\.agent) == ["dana", "eli"])
        #expect(bea.events.map(\.event) == ["status", "ami", "reload"] && bea.events.first?.agent == "noa")
        #expect(admin.events.count == 5)
        #expect(admin.events.compactMap(\.id) == [1000, 1001, 1002, 1003, 1004], "ids are consecutive; reconciles are not streamed")
        #expect(dana.text.hasPrefix("retry: 2000\n\n"))

        hub.unsubscribe(connectionID: 1)
        hub.publish(Self.change("dana", to: "lunch"), machine: Self.machine)
        #expect(dana.events.count == 3 && hub.subscriberCount == 2)
    }

    @Test func resumeReplaysWhatWasMissedAcrossTheRingsWrap() {
        let hub = EventHub(capacity: 4, firstID: 1)
        for index in 0..<10 { hub.publish(Self.change("dana", to: StatusID("s\(index)")), machine: Self.machine) }
        // Ids 1…10 published; the ring keeps 7…10.
        let inRing = Collector()
        hub.subscribe(connectionID: 1, actor: .admin("ops"), stream: inRing, lastEventID: 7, machine: Self.machine)
        #expect(inRing.events.compactMap(\.id) == [8, 9, 10])
        let atOldest = Collector()
        hub.subscribe(connectionID: 2, actor: .admin("ops"), stream: atOldest, lastEventID: 6, machine: Self.machine)
        #expect(atOldest.events.compactMap(\.id) == [7, 8, 9, 10], "the oldest kept is the next after 6: nothing lost")
        let upToDate = Collector()
        hub.subscribe(connectionID: 3, actor: .admin("ops"), stream: upToDate, lastEventID: 10, machine: Self.machine)
        #expect(upToDate.events.isEmpty)
        for (id, last) in [(4, UInt64(5)), (5, 0), (6, 11), (7, .max)] {
            let lost = Collector()
            hub.subscribe(connectionID: id, actor: .admin("ops"), stream: lost, lastEventID: last, machine: Self.machine)
            #expect(lost.events.map(\.event) == ["reset"], "Last-Event-ID \(last)")
        }
        // Live events follow the replay, in order.
        hub.publish(Self.change("dana", to: "live"), machine: Self.machine)
        #expect(inRing.events.compactMap(\.id) == [8, 9, 10, 11])
    }

    @Test func aResumeShowsOnlyWhatTheActorMaySee() {
        let hub = EventHub(capacity: 8, firstID: 1)
        for agent: AgentID in ["noa", "dana", "noa"] { hub.publish(Self.change(agent, to: "break"), machine: Self.machine) }
        let dana = Collector()
        hub.subscribe(connectionID: 1, actor: .user("dana"), stream: dana, lastEventID: 0, machine: Self.machine)
        #expect(dana.events.map(\.agent) == ["dana"])
    }

    @Test func aRestartedDaemonsIdsAreAboveTheLastRunsOnes() {
        let firstRun = EventHub(capacity: 8, firstID: 1_700_000_000_000 * 1000)
        firstRun.publish(Self.change("dana", to: "break"), machine: Self.machine)
        let client = Collector()
        firstRun.subscribe(connectionID: 1, actor: .admin("ops"), stream: client, lastEventID: 0, machine: Self.machine)
        let lastID = client.events.last?.id ?? 0
        let secondRun = EventHub(capacity: 8, firstID: 1_700_000_060_000 * 1000)
        let resumed = Collector()
        secondRun.subscribe(connectionID: 1, actor: .admin("ops"), stream: resumed, lastEventID: lastID, machine: Self.machine)
        #expect(resumed.events.map(\.event) == ["reset"])
    }
}
