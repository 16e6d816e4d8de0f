import Testing
@testable import AMI
import SystemSupport

/// Actions on a manual clock: numbering, timeouts, event lists, refusals, drops.
@Suite struct SessionActionTests {
    /// Was a live test with 100 ms and 50 ms timeouts.
    @Test func aTimedOutActionsLateAnswerNeverReachesAnotherCaller() throws {
        let driver = SessionDriver()
        try driver.logIn()
        driver.send(AMIAction("Slow"), timeout: .milliseconds(100), caller: "slow 1")
        let slow1 = try #require(driver.lastWritten)
        driver.advance(by: .milliseconds(99))
        #expect(driver.answers.isEmpty)
        driver.advance(by: .milliseconds(1))
        #expect(driver.answers(to: "slow 1") == [.failure(.timeout(action: "Slow", actionID: slow1.actionID ?? ""))])
        driver.send(AMIAction("Slow"), timeout: .milliseconds(50), caller: "slow 2")
        let slow2 = try #require(driver.lastWritten)
        driver.advance(by: .milliseconds(50))
        #expect(driver.answers(to: "slow 2") == [.failure(.timeout(action: "Slow", actionID: slow2.actionID ?? ""))])
        #expect(driver.logs.records(named: "ami.action_timeout").map { $0["action"] } == ["Slow", "Slow"])

        driver.send(AMIAction("Fast"), caller: "fast")
        let fast = try #require(driver.lastWritten)
        #expect(Set([slow1.actionID, slow2.actionID, fast.actionID]).count == 3)
        try driver.answer(slow1, [("Response", "Success"), ("Message", "late")])
        try driver.answer(slow2, [("Response", "Success"), ("Message", "late")])
        try driver.answer(fast, [("Response", "Success"), ("Message", "fast")])
        #expect(driver.answers.count == 3)
        #expect(driver.answers(to: "fast").first?.success?.text == "fast")
        #expect(driver.answers(to: "slow 1").count == 1)
        #expect(driver.state == .loggedIn)
    }

    @Test func anActionWaitsTheConfiguredTimeoutAndItsAnswerCancelsTheTimer() throws {
        var configuration = manualConfiguration()
        configuration.pingInterval = .seconds(60)  // no keepalive in the way
        let driver = SessionDriver(configuration: configuration)
        try driver.logIn()
        driver.send(AMIAction("QueueSummary"), caller: "summary")
        let number = driver.machine.nextActionNumber
        #expect(driver.armed(.action(number)) == driver.now.advanced(by: .seconds(5)))
        driver.advance(by: .milliseconds(4999))
        #expect(driver.answers.isEmpty)
        try driver.answer(driver.lastWritten, [("Response", "Success"), ("Message", "ok")])
        #expect(driver.armed(.action(number)) == nil)
        #expect(driver.answers(to: "summary").first?.success?.text == "ok")
        let answered = try #require(driver.logs.records(named: "ami.answered").last)
        #expect(answered["latency_ms"] == "4999")
        driver.advance(by: .seconds(10))
        #expect(driver.answers.count == 1)
    }

    @Test func eventListsGoToTheirCallerAndOtherEventsToTheStream() throws {
        let driver = SessionDriver()
        try driver.logIn()
        driver.send(AMIAction("QueueStatus"), caller: "status")
        let id = try #require(driver.lastWritten?.actionID)
        driver.receive(
            FakeAsterisk.frame([("Response", "Success"), ("ActionID", id), ("EventList", "start"), ("Message", "Queue status will follow")])
                + FakeAsterisk.frame([("Event", "QueueParams"), ("Queue", "sales"), ("ActionID", id)])
                + FakeAsterisk.frame([("Event", "Newchannel"), ("Channel", "PJSIP/101-00000001"), ("Uniqueid", "1795289114.1")]))
        #expect(driver.answers.isEmpty)
        driver.receive(
            FakeAsterisk.frame([("Event", "QueueMember"), ("Queue", "sales"), ("Name", "Dana Levi"), ("ActionID", id)])
                + FakeAsterisk.frame([("Event", "QueueStatusComplete"), ("ActionID", id), ("EventList", "Complete"), ("ListItems", "2")]))
        let response = try #require(driver.answers(to: "status").first?.success)
        #expect(response.isSuccess)
        #expect(response.events.map { $0["Event"] } == ["QueueParams", "QueueMember"])
        #expect(response.complete?["ListItems"] == "2")
        #expect(response.events.allSatisfy { $0.fields.capacity <= $0.fields.count + 1 })
        #expect(driver.plainEvents.map { $0["Event"] } == ["FullyBooted", "Newchannel"])
        #expect(driver.armed(.action(driver.machine.nextActionNumber)) == nil)
    }

    @Test func actionsWhileNotLoggedInFailAtOnce() throws {
        let driver = SessionDriver()
        driver.send(AMIAction("Ping"), caller: "idle")
        driver.start()
        driver.send(AMIAction("Ping"), caller: "resolving")
        try driver.resolve()
        driver.connect()
        driver.send(AMIAction("Ping"), caller: "awaiting banner")
        driver.banner()
        driver.send(AMIAction("Ping"), caller: "logging in")
        driver.loseConnection()
        driver.send(AMIAction("Ping"), caller: "waiting to retry")
        #expect(driver.answers.map(\.caller) == ["idle", "resolving", "awaiting banner", "logging in", "waiting to retry"])
        #expect(driver.answers.allSatisfy { $0.result.failure == .notConnected })
        #expect(driver.allWritten.map { $0["Action"] } == ["Login"])
    }

    @Test func anInjectedLineBreakIsRefusedBeforeTheWire() throws {
        let driver = SessionDriver()
        try driver.logIn()
        let hostile = AMIAction("QueuePause", [("Interface", "PJSIP/101"), ("Reason", "x\r\n\r\nAction: Originate\r\nChannel: PJSIP/999")])
        driver.send(hostile, caller: "hostile")
        guard case .invalidCharacter? = driver.answers(to: "hostile").first?.failure else {
            Issue.record("expected invalidCharacter, got \(driver.answers)")
            return
        }
        #expect(driver.allWritten.map { $0["Action"] } == ["Login"])
        #expect(driver.armed(.action(driver.machine.nextActionNumber)) == nil)
        #expect(driver.logs.records(named: "ami.action_refused").count == 1)
        #expect(driver.state == .loggedIn)
    }

    /// Was a live test that slept to let the action reach the peer and again to see no re-send.
    @Test func actionsInFlightFailOldestFirstOnADropAndAreNeverSentAgain() throws {
        let driver = SessionDriver()
        try driver.logIn()
        driver.send(AMIAction("QueueAdd", [("Queue", "sales")]), caller: "first")
        driver.send(AMIAction("QueueAdd", [("Queue", "support")]), caller: "second")
        driver.loseConnection()
        #expect(driver.answers.map(\.caller) == ["first", "second"])
        #expect(driver.answers.allSatisfy { $0.result.failure == .connectionLost(reason: "Asterisk closed the connection") })
        #expect(driver.states.suffix(2) == [.lost(reason: "Asterisk closed the connection"), .retrying(in: .milliseconds(20), attempt: 1)])
        try driver.logIn()
        // Minutes of keepalive on the new connection: nothing but the login and pings.
        for _ in 0..<120 {
            driver.advance(by: .seconds(1))
            if let ping = driver.lastWritten, ping["Action"] == "Ping" { driver.receive(FakeAsterisk.pong(ping)) }
        }
        #expect(Set(driver.written[1].compactMap { $0["Action"] }) == ["Login", "Ping"])
        #expect(driver.allWritten.filter { $0["Action"] == "QueueAdd" }.count == 2)
        #expect(driver.answers.count == 2)
        #expect(driver.state == .loggedIn)
    }

    @Test func malformedFramesAndUnmatchedResponsesAreSkippedAndTheConnectionGoesOn() throws {
        let driver = SessionDriver()
        try driver.logIn()
        driver.send(AMIAction("Status"), caller: "status")
        let id = try #require(driver.lastWritten?.actionID)
        driver.receive(
            Array("this line has no colon\r\nEvent: Broken\r\n\r\n".utf8)
                + FakeAsterisk.frame([("Response", "Success"), ("ActionID", "someone-else-1"), ("Message", "not yours")])
                + FakeAsterisk.frame([("Response", "Success"), ("ActionID", id), ("Message", "ok")]))
        #expect(driver.answers.map(\.caller) == ["status"])
        #expect(driver.answers.first?.result.success?.text == "ok")
        #expect(driver.logs.records(named: "ami.malformed_frame").count == 1)
        #expect(driver.logs.records(named: "ami.unmatched_response").count == 1)
        #expect(driver.state == .loggedIn)
    }

    @Test func actionIDsAreNeverReusedAcrossReconnects() throws {
        let driver = SessionDriver()
        try driver.logIn()
        driver.send(AMIAction("A"), caller: "a")
        driver.loseConnection()
        try driver.logIn()
        driver.send(AMIAction("B"), caller: "b")
        let ids = driver.allWritten.compactMap(\.actionID)
        #expect(ids.count == 4)
        #expect(Set(ids).count == 4)
    }
}
