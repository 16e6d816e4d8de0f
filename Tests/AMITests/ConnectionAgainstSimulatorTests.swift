import Synchronization
import Testing
import TestSupport
@testable import AMI
import AMISimulator
import SystemSupport

/// The connection against `amisim`, the simulated Asterisk 22, on loopback port 0.
@Suite(.timeLimit(.minutes(1))) struct ConnectionAgainstSimulatorTests {
    func simulator(authFailureDelay: Duration = .milliseconds(20)) throws -> (AMISimulator, Int) {
        var configuration = SimulatorConfiguration.standard
        configuration.authFailureDelay = authFailureDelay
        // Asterisk drops a client that does not read for 100 ms; a parallel test run on two
        // cores can pause our reader that long. These tests are not about slow clients.
        configuration.writeTimeout = .seconds(10)
        let simulator = try AMISimulator(configuration: configuration)
        let port = try simulator.start(host: "127.0.0.1", port: 0)
        return (simulator, port)
    }

    func connect(_ port: Int, secret: String = "change-me", fastPing: Bool = false) throws -> (AMIConnection, EventRecorder) {
        var configuration = testConfiguration(port: port, secret: secret)
        if fastPing {
            configuration.pingInterval = .milliseconds(100)
            configuration.pingTimeout = .milliseconds(300)
        }
        configuration.username = "ccagentd"
        let connection = try AMIConnection(configuration: configuration, logger: .disabled)
        let recorder = EventRecorder(connection)
        connection.start()
        return (connection, recorder)
    }

    static func queueAdd(_ queue: String, _ interface: String) -> AMIAction {
        AMIAction("QueueAdd", [("Queue", queue), ("Interface", interface), ("Penalty", "1"), ("MemberName", "Dana Levi"), ("StateInterface", interface)])
    }

    @Test func logsInAddsAMemberAndReadsTheQueueBack() async throws {
        let (simulator, port) = try simulator()
        defer { simulator.stop() }
        let (connection, recorder) = try connect(port)
        await recorder.waitForLogins(1)
        let added = try await connection.send(Self.queueAdd("sales", "PJSIP/101"))
        #expect(added.isSuccess)
        #expect(added.text == "Added interface to queue")
        let again = try await connection.send(Self.queueAdd("sales", "PJSIP/101"))
        #expect(!again.isSuccess)
        #expect(again.text == "Unable to add interface: Already there")
        #expect(simulator.members(of: "sales").map(\.interface) == ["PJSIP/101"])

        let status = try await connection.send(AMIAction("QueueStatus", [("Queue", "sales")]))
        #expect(status.isSuccess)
        #expect(status.events.contains { $0["Event"] == "QueueMember" && $0["StateInterface"] == "PJSIP/101" })
        #expect(status.complete?["Event"] == "QueueStatusComplete")
        // Kept until the list completed: each holds storage for its own fields, not the decoder's spare.
        #expect(status.events.allSatisfy { $0.fields.capacity <= $0.fields.count + 1 })
        await recorder.wait(for: "QueueMemberAdded") { events in
            events.contains { if case .event(let m) = $0 { m.has("Event", "QueueMemberAdded") } else { false } }
        }
        await connection.shutdown()
    }

    @Test func aWrongSecretIsAClearErrorAndNoRetry() async throws {
        let (simulator, port) = try simulator()
        defer { simulator.stop() }
        let (connection, recorder) = try connect(port, secret: "wrong")
        await recorder.wait(for: "refusal") { $0.contains(.stateChanged(.authenticationFailed(message: "Authentication failed"))) }
        // No retry however long it waits: SessionLoginTests shows it over an hour of manual clock.
        #expect(recorder.states.filter { if case .connecting = $0 { true } else { false } }.count == 1)
        await connection.shutdown()
    }

    @Test func anActionTimesOutWhenAsteriskStalls() async throws {
        let (simulator, port) = try simulator()
        defer { simulator.stop() }
        let (connection, recorder) = try connect(port)
        await recorder.waitForLogins(1)
        simulator.setStalled(true)
        do {
            _ = try await connection.send(AMIAction("QueueSummary"), timeout: .milliseconds(100))
            Issue.record("a stalled Asterisk answered")
        } catch {
            guard case .timeout(let action, _) = error else { Issue.record("expected a timeout, got \(error)"); return }
            #expect(action == "QueueSummary")
        }
        simulator.setStalled(false)
        await connection.shutdown()
    }

    @Test func reconnectsAfterADropAndNeverResendsWhatWasInFlight() async throws {
        let (simulator, port) = try simulator()
        defer { simulator.stop() }
        let (connection, recorder) = try connect(port)
        await recorder.waitForLogins(1)
        simulator.setStalled(true)  // so the QueueAdd is in flight when the connection drops
        let inFlight = Mutex<Result<AMIResponse, AMIError>?>(nil)
        connection.send(Self.queueAdd("sales", "PJSIP/102")) { result in inFlight.withLock { $0 = result } }
        await connection.commandsQueuedSoFarHaveRun()  // so it is in flight when the drop is read
        simulator.dropAllConnections()
        simulator.setStalled(false)
        try await waitUntil("the QueueAdd is answered") { inFlight.withLock { $0 } != nil }
        guard case .failure(.connectionLost)? = inFlight.withLock({ $0 }) else {
            Issue.record("the in-flight action did not fail with connectionLost")
            return
        }
        await recorder.waitForLogins(2)
        // Whatever the new connection re-sent would be ahead of this Ping, which Asterisk answers in order.
        _ = try await connection.send(AMIAction("Ping"))
        let adds = simulator.receivedActions().filter { $0.action["Action"] == "QueueAdd" }
        #expect(adds.count <= 1)  // read before the drop or not at all; never sent again
        #expect(simulator.members(of: "sales").filter { $0.interface == "PJSIP/102" }.count == adds.count)
        await connection.shutdown()
    }

    @Test func aStalledAsteriskIsDeclaredDeadAndTheConnectionComesBack() async throws {
        let (simulator, port) = try simulator()
        defer { simulator.stop() }
        let (connection, recorder) = try connect(port, fastPing: true)
        await recorder.waitForLogins(1)
        simulator.setStalled(true)
        await recorder.wait(for: "ping timeout") { events in
            events.contains { if case .stateChanged(.lost(let reason)) = $0 { reason.contains("Ping") } else { false } }
        }
        simulator.setStalled(false)
        await recorder.waitForLogins(2, timeout: .seconds(10))
        let pong = try await connection.send(AMIAction("Ping"))
        #expect(pong.message["Ping"] == "Pong")
        await connection.shutdown()
    }

    @Test func aRestartIsSeenAsShutdownThenALowerUptimeWithMembersGone() async throws {
        let (simulator, port) = try simulator()
        defer { simulator.stop() }
        let (connection, recorder) = try connect(port)
        await recorder.waitForLogins(1)
        _ = try await connection.send(Self.queueAdd("sales", "PJSIP/103"))
        simulator.restart(downtime: .milliseconds(200))
        await recorder.waitForLogins(2, timeout: .seconds(10))
        // Told a restart only by an uptime that did not grow with the clock: SessionReconnectTests
        // shows that on a manual clock, ConnectionEdgeCaseTests by a lower uptime over the wire.
        await recorder.wait(for: "FullyBooted after the restart") { events in
            events.filter { if case .fullyBooted = $0 { true } else { false } }.count >= 2
        }
        #expect(recorder.plainEvents.contains { $0.has("Event", "Shutdown") })
        #expect(simulator.members(of: "sales").isEmpty)
        await connection.shutdown()
    }

    /// Hundreds of concurrent actions, list actions among them, while events flow: each caller
    /// gets its own answer.
    @Test func noResponseIsEverDeliveredToTheWrongCaller() async throws {
        let (simulator, port) = try simulator()
        defer { simulator.stop() }
        let (connection, recorder) = try connect(port)
        await recorder.waitForLogins(1)
        let queues = ["sales", "support-private", "support-business"]
        for (index, queue) in queues.enumerated() {
            _ = try await connection.send(Self.queueAdd(queue, "PJSIP/2\(index)"))
        }
        simulator.flood(eventsPerSecond: 5000, duration: .seconds(1))
        let mismatches = await withTaskGroup(of: String?.self) { group in
            for i in 0..<300 {
                group.addTask {
                    let queue = queues[i % 3]
                    do {
                        if i % 2 == 0 {
                            let response = try await connection.send(AMIAction("QueueStatus", [("Queue", queue)]))
                            let seen = Set(response.events.compactMap { $0["Queue"] })
                            return seen == [queue] ? nil : "QueueStatus \(queue) got \(seen)"
                        } else {
                            let response = try await connection.send(AMIAction("DBGet", [("Family", "nosuch"), ("Key", "k\(i)")]))
                            return response.text == "Database entry not found" ? nil : "DBGet got \(response.message)"
                        }
                    } catch {
                        return "\(error)"
                    }
                }
            }
            var found: [String] = []
            for await mismatch in group { if let mismatch { found.append(mismatch) } }
            return found
        }
        #expect(mismatches == [])
        await connection.shutdown()
    }

    @Test func anInboundQueueCallArrivesAsEventsInWireOrder() async throws {
        var configuration = SimulatorConfiguration.standard
        configuration.writeTimeout = .seconds(10)
        configuration.timings.ringTime = .milliseconds(20)
        configuration.timings.talkTime = .milliseconds(50)
        let simulator = try AMISimulator(configuration: configuration)
        let port = try simulator.start(host: "127.0.0.1", port: 0)
        defer { simulator.stop() }
        let (connection, recorder) = try connect(port)
        await recorder.waitForLogins(1)
        _ = try await connection.send(Self.queueAdd("sales", "PJSIP/101"))
        simulator.inboundCall(queue: "sales")
        await recorder.wait(for: "the call to end") { events in
            events.contains { if case .event(let m) = $0 { m.has("Event", "AgentComplete") } else { false } }
        }
        let names = recorder.plainEvents.compactMap { $0["Event"] }
        // (The Originate that makes the caller has a DialBegin of its own earlier, as in 06.)
        let order = ["QueueCallerJoin", "AgentCalled", "DialBegin", "AgentConnect", "AgentComplete"]
        var positions: [Int] = []
        var from = 0
        for name in order {
            guard let index = names[from...].firstIndex(of: name) else { break }
            positions.append(index)
            from = index + 1
        }
        #expect(positions.count == order.count, "events seen: \(names)")
        await connection.shutdown()
    }
}
