import Synchronization
import Testing
import TestSupport
@testable import AMI
import SystemSupport

/// The connection against a scripted peer: the situations a real Asterisk produces rarely.
@Suite(.timeLimit(.minutes(1))) struct ConnectionEdgeCaseTests {
    @Test func logsInAndReportsFullyBooted() async throws {
        let server = try FakeAsterisk(script: FakeAsterisk.standard(uptime: 42))
        defer { server.stop() }
        let logs = MemoryLogSink()
        let connection = try AMIConnection(configuration: testConfiguration(port: server.port), logger: Logger(level: .debug, sink: logs))
        let recorder = EventRecorder(connection)
        connection.start()
        await recorder.waitForLogins(1)
        await recorder.wait(for: "FullyBooted") { $0.contains(.fullyBooted(uptime: 42, restarted: false)) }
        #expect(connection.state == .loggedIn)
        let login = try #require(server.received.first)
        #expect(login["Action"] == "Login")
        #expect(login["Events"]?.contains("system") == true)
        #expect(login.actionID?.isEmpty == false)
        // The secret never reaches a log, even at debug.
        #expect(!logs.records.contains { record in record.fields.contains { $0.1.description.contains("s3cret") } })
        await connection.shutdown()
        #expect(server.received.last?["Action"] == "Logoff")
        #expect(connection.state == .stopped)
    }

    @Test func wrongSecretStopsRetryingUntilTheConfigurationChanges() async throws {
        let server = try FakeAsterisk(script: FakeAsterisk.standard(secret: "right"))
        defer { server.stop() }
        let logs = MemoryLogSink()
        let connection = try AMIConnection(configuration: testConfiguration(port: server.port, secret: "wrong"), logger: Logger(sink: logs))
        let recorder = EventRecorder(connection)
        connection.start()
        await recorder.wait(for: "authentication failure") {
            $0.contains(.stateChanged(.authenticationFailed(message: "Authentication failed")))
        }
        try await Task.sleep(for: .milliseconds(300))  // several backoff periods
        #expect(server.acceptedCount == 1)
        #expect(connection.state == .authenticationFailed(message: "Authentication failed"))
        let failure = try #require(logs.records(named: "ami.login_failed").first)
        #expect(failure.level == .error)
        #expect(failure["error"] == "Authentication failed")

        connection.update(configuration: testConfiguration(port: server.port, secret: "right"))
        await recorder.waitForLogins(1)
        #expect(server.acceptedCount == 2)
        await connection.shutdown()
    }

    @Test func md5ChallengeLoginNeverSendsTheSecret() async throws {
        let server = try FakeAsterisk { action, _ in
            switch action["Action"] {
            case "Challenge":
                return FakeAsterisk.frame([("Response", "Success"), ("ActionID", action.actionID ?? ""), ("Challenge", "840415273")])
            case "Login":
                let expected = MD5.hex(Array("840415273s3cret".utf8))
                if action["AuthType"] == "MD5", action["Key"] == expected, action["Secret"] == nil {
                    return FakeAsterisk.loginAccepted(action)
                }
                return FakeAsterisk.frame([("Response", "Error"), ("ActionID", action.actionID ?? ""), ("Message", "Authentication failed")])
            default:
                return FakeAsterisk.pong(action)
            }
        }
        defer { server.stop() }
        var configuration = testConfiguration(port: server.port)
        configuration.authentication = .md5
        let connection = try AMIConnection(configuration: configuration, logger: .disabled)
        let recorder = EventRecorder(connection)
        connection.start()
        await recorder.waitForLogins(1)
        await connection.shutdown()
    }

    @Test func aTimedOutActionsLateAnswerNeverReachesAnotherCaller() async throws {
        let slowID = Mutex<String?>(nil)
        let server = try FakeAsterisk(script: FakeAsterisk.standard { action, _ in
            switch action["Action"] {
            case "Slow":
                slowID.withLock { $0 = action.actionID }
                return []
            case "Fast":
                // The late answer to Slow arrives first, then Fast's own.
                let late = FakeAsterisk.frame([("Response", "Success"), ("ActionID", slowID.withLock { $0 } ?? ""), ("Message", "late")])
                return late + FakeAsterisk.frame([("Response", "Success"), ("ActionID", action.actionID ?? ""), ("Message", "fast")])
            default:
                return []
            }
        })
        defer { server.stop() }
        let connection = try AMIConnection(configuration: testConfiguration(port: server.port), logger: .disabled)
        let recorder = EventRecorder(connection)
        connection.start()
        await recorder.waitForLogins(1)

        await #expect(throws: AMIError.self) { try await connection.send(AMIAction("Slow"), timeout: .milliseconds(100)) }
        do {
            _ = try await connection.send(AMIAction("Slow"), timeout: .milliseconds(50))
        } catch {
            guard case .timeout(let action, _) = error else { Issue.record("expected a timeout, got \(error)"); return }
            #expect(action == "Slow")
        }
        let fast = try await connection.send(AMIAction("Fast"))
        #expect(fast.text == "fast")
        await connection.shutdown()
    }

    @Test func eventListsGoToTheirCallerAndOtherEventsToTheStream() async throws {
        let server = try FakeAsterisk(script: FakeAsterisk.standard { action, _ in
            guard action["Action"] == "QueueStatus", let id = action.actionID else { return [] }
            return FakeAsterisk.frame([("Response", "Success"), ("ActionID", id), ("EventList", "start"), ("Message", "Queue status will follow")])
                + FakeAsterisk.frame([("Event", "QueueParams"), ("Queue", "sales"), ("ActionID", id)])
                + FakeAsterisk.frame([("Event", "Newchannel"), ("Channel", "PJSIP/101-00000001"), ("Uniqueid", "1795289114.1")])
                + FakeAsterisk.frame([("Event", "QueueMember"), ("Queue", "sales"), ("Name", "Dana Levi"), ("ActionID", id)])
                + FakeAsterisk.frame([("Event", "QueueStatusComplete"), ("ActionID", id), ("EventList", "Complete"), ("ListItems", "2")])
        })
        defer { server.stop() }
        let connection = try AMIConnection(configuration: testConfiguration(port: server.port), logger: .disabled)
        let recorder = EventRecorder(connection)
        connection.start()
        await recorder.waitForLogins(1)
        let response = try await connection.send(AMIAction("QueueStatus"))
        #expect(response.isSuccess)
        #expect(response.events.map { $0["Event"] } == ["QueueParams", "QueueMember"])
        #expect(response.complete?["ListItems"] == "2")
        await recorder.wait(for: "Newchannel on the stream") { events in
            events.contains { if case .event(let m) = $0 { m["Event"] == "Newchannel" } else { false } }
        }
        #expect(!recorder.plainEvents.contains { $0["Event"] == "QueueMember" })
        await connection.shutdown()
    }

    @Test func reconnectsAfterADropWithoutResendingWhatWasInFlight() async throws {
        let server = try FakeAsterisk(script: FakeAsterisk.standard { _, _ in [] })  // QueueAdd never answered
        defer { server.stop() }
        let connection = try AMIConnection(configuration: testConfiguration(port: server.port), logger: .disabled)
        let recorder = EventRecorder(connection)
        connection.start()
        await recorder.waitForLogins(1)

        async let inFlight = result(of: connection, AMIAction("QueueAdd", [("Queue", "sales")]))
        try await Task.sleep(for: .milliseconds(100))
        server.dropClients()
        let result = await inFlight
        guard case .failure(.connectionLost) = result else {
            Issue.record("expected connectionLost, got \(result)")
            return
        }
        await recorder.waitForLogins(2)
        try await Task.sleep(for: .milliseconds(100))
        #expect(server.received.filter { $0["Action"] == "QueueAdd" }.count == 1)
        let states = recorder.states
        #expect(states.contains { if case .lost = $0 { true } else { false } })
        #expect(states.contains { if case .retrying = $0 { true } else { false } })
        await connection.shutdown()
    }

    @Test func aPeerThatStopsAnsweringIsDeclaredDeadByThePingTimeout() async throws {
        let stalled = Mutex(false)
        let server = try FakeAsterisk { action, connection in
            // The first connection answers the login, then goes silent; later ones behave.
            if connection == 1, action["Action"] == "Ping" { return [] }
            return FakeAsterisk.standard()(action, connection)
        }
        defer { server.stop() }
        _ = stalled
        var configuration = testConfiguration(port: server.port)
        configuration.pingInterval = .milliseconds(100)
        configuration.pingTimeout = .milliseconds(300)
        let connection = try AMIConnection(configuration: configuration, logger: .disabled)
        let recorder = EventRecorder(connection)
        connection.start()
        await recorder.wait(for: "a ping timeout") { events in
            events.contains { if case .stateChanged(.lost(let reason)) = $0 { reason.contains("Ping") } else { false } }
        }
        await recorder.waitForLogins(2)
        #expect(server.acceptedCount >= 2)
        await connection.shutdown()
    }

    @Test func aConnectionClosedWithoutBannerIsRetried() async throws {
        let server = try FakeAsterisk(sendsBanner: false) { _, _ in [] }
        defer { server.stop() }
        let connection = try AMIConnection(configuration: testConfiguration(port: server.port), logger: .disabled)
        let recorder = EventRecorder(connection)
        connection.start()
        await recorder.wait(for: "three attempts") { events in
            events.filter { if case .stateChanged(.retrying) = $0 { true } else { false } }.count >= 3
        }
        #expect(server.acceptedCount >= 3)
        await connection.shutdown()
    }

    @Test func shutdownEventMeansReconnectAndALowerUptimeMeansRestarted() async throws {
        let server = try FakeAsterisk { action, connection in
            let uptime = connection == 1 ? 300 : 1
            if connection == 1, action["Action"] == "Restart" {
                return FakeAsterisk.frame([("Response", "Success"), ("ActionID", action.actionID ?? "")])
                    + FakeAsterisk.frame([("Event", "Shutdown"), ("Privilege", "system,all"), ("Shutdown", "Cleanly"), ("Restart", "True")])
                    + FakeAsterisk.hangUp
            }
            return FakeAsterisk.standard(uptime: uptime)(action, connection)
        }
        defer { server.stop() }
        let connection = try AMIConnection(configuration: testConfiguration(port: server.port), logger: .disabled)
        let recorder = EventRecorder(connection)
        connection.start()
        await recorder.waitForLogins(1)
        _ = try await connection.send(AMIAction("Restart"))
        await recorder.waitForLogins(2)
        await recorder.wait(for: "restart noticed") { $0.contains(.fullyBooted(uptime: 1, restarted: true)) }
        #expect(recorder.plainEvents.contains { $0["Event"] == "Shutdown" })
        await connection.shutdown()
    }

    @Test func malformedFramesAreSkippedAndTheConnectionGoesOn() async throws {
        let server = try FakeAsterisk(script: FakeAsterisk.standard { action, _ in
            guard action["Action"] == "Status" else { return [] }
            return Array("this line has no colon\r\nEvent: Broken\r\n\r\n".utf8)
                + FakeAsterisk.frame([("Response", "Success"), ("ActionID", action.actionID ?? ""), ("Message", "ok")])
        })
        defer { server.stop() }
        let logs = MemoryLogSink()
        let connection = try AMIConnection(configuration: testConfiguration(port: server.port), logger: Logger(sink: logs))
        let recorder = EventRecorder(connection)
        connection.start()
        await recorder.waitForLogins(1)
        let response = try await connection.send(AMIAction("Status"))
        #expect(response.text == "ok")
        #expect(logs.records(named: "ami.malformed_frame").count == 1)
        #expect(connection.state == .loggedIn)
        await connection.shutdown()
    }

    @Test func anInjectedLineBreakIsRefusedBeforeTheWire() async throws {
        let server = try FakeAsterisk(script: FakeAsterisk.standard { action, _ in
            FakeAsterisk.frame([("Response", "Success"), ("ActionID", action.actionID ?? "")])
        })
        defer { server.stop() }
        let connection = try AMIConnection(configuration: testConfiguration(port: server.port), logger: .disabled)
        let recorder = EventRecorder(connection)
        connection.start()
        await recorder.waitForLogins(1)
        let hostile = AMIAction("QueuePause", [("Interface", "PJSIP/101"), ("Reason", "x\r\n\r\nAction: Originate\r\nChannel: PJSIP/999")])
        await #expect(throws: AMIError.self) { try await connection.send(hostile) }
        _ = try await connection.send(AMIAction("Ping"))
        #expect(!server.received.contains { $0["Action"] == "Originate" || $0["Action"] == "QueuePause" })
        await connection.shutdown()
    }

    @Test func actionsWhileDisconnectedFailAtOnce() async throws {
        let connection = try AMIConnection(configuration: testConfiguration(port: 1), logger: .disabled)
        await #expect(throws: AMIError.notConnected) { try await connection.send(AMIAction("Ping")) }
        await connection.shutdown()
    }

    @Test(arguments: [("::1", "::1"), ("127.0.0.1", "localhost")])
    func connectsOverIPv6AndByName(listenOn: String, connectTo: String) async throws {
        let server = try FakeAsterisk(host: listenOn, script: FakeAsterisk.standard())
        defer { server.stop() }
        var configuration = testConfiguration(port: server.port)
        configuration.host = connectTo
        let connection = try AMIConnection(configuration: configuration, logger: .disabled)
        let recorder = EventRecorder(connection)
        connection.start()
        await recorder.waitForLogins(1)
        await connection.shutdown()
    }

    /// The reader never waits on the consumer: with 20,000 events unread in the stream, a Ping
    /// is still answered.
    @Test func aSlowConsumerNeverStallsTheReader() async throws {
        let flood = (0..<20_000).flatMap { i in
            FakeAsterisk.frame([("Event", "Newstate"), ("Channel", "PJSIP/101-\(i)"), ("ChannelState", "6")])
        }
        let server = try FakeAsterisk(script: FakeAsterisk.standard { action, _ in
            action["Action"] == "Flood" ? FakeAsterisk.frame([("Response", "Success"), ("ActionID", action.actionID ?? "")]) + flood : []
        })
        defer { server.stop() }
        var configuration = testConfiguration(port: server.port)
        // A debug build under a parallel test run decodes slowly; this test is not about keepalive.
        configuration.pingInterval = .seconds(60)
        configuration.pingTimeout = .seconds(60)
        configuration.actionTimeout = .seconds(60)
        let connection = try AMIConnection(configuration: configuration, logger: .disabled)
        // Nobody reads `connection.events` in this test.
        connection.start()
        let deadline = ContinuousClock.now + .seconds(20)
        while connection.state != .loggedIn, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        _ = try await connection.send(AMIAction("Flood"))
        let pong = try await connection.send(AMIAction("Ping"), timeout: .seconds(5))
        #expect(pong.message["Ping"] == "Pong")
        await connection.shutdown()
    }
}
