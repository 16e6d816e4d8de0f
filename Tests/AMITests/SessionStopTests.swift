import Testing
@testable import AMI
import SystemSupport

/// Stopping on a manual clock: `Logoff`, its grace, and a stopped connection staying stopped.
@Suite struct SessionStopTests {
    @Test func aStopLogsOffAndFinishesOnGoodbye() throws {
        let driver = SessionDriver()
        try driver.logIn()
        driver.send(AMIAction("QueueStatus"), caller: "status")
        driver.stop()
        let logoff = try #require(driver.lastWritten)
        #expect(logoff["Action"] == "Logoff")
        #expect(driver.stopsFinished == 0)
        driver.advance(by: .seconds(1))
        try driver.answer(logoff, [("Response", "Goodbye"), ("Message", "Thanks for all the fish.")])
        #expect(driver.stopsFinished == 1)
        #expect(driver.state == .stopped)
        #expect(driver.states.last == .stopped)
        #expect(driver.answers(to: "status") == [.failure(.shutDown)])
        #expect(!driver.socketOpen)
        #expect(driver.timers.isEmpty)
        #expect(driver.logs.records(named: "ami.stopped").count == 1)
    }

    @Test func aStopWaitsNoLongerThanItsGrace() throws {
        let driver = SessionDriver()
        try driver.logIn()
        driver.stop(grace: .milliseconds(500))
        driver.advance(by: .milliseconds(499))
        #expect(driver.stopsFinished == 0)
        driver.advance(by: .milliseconds(1))
        #expect(driver.stopsFinished == 1)
        #expect(driver.state == .stopped)
    }

    @Test func aStopWhileNotLoggedInFinishesAtOnceAndNothingRestartsIt() throws {
        let driver = SessionDriver()
        driver.start()
        try driver.resolve()
        driver.stop()
        #expect(driver.stopsFinished == 1)
        #expect(driver.state == .stopped)
        #expect(driver.allWritten.isEmpty)
        driver.stop()
        #expect(driver.stopsFinished == 2)
        #expect(driver.states.filter { $0 == .stopped }.count == 1)
        driver.start()
        var changed = manualConfiguration()
        changed.port = 5039
        driver.update(changed)
        driver.advance(by: .seconds(60))
        #expect(driver.state == .stopped)
        #expect(driver.resolutionsAsked == 1)
    }

    @Test func aDropDuringTheLogoffLeavesTheConnectionStopped() throws {
        let driver = SessionDriver()
        try driver.logIn()
        driver.stop()
        driver.loseConnection()
        #expect(driver.stopsFinished == 1)
        #expect(driver.state == .stopped)
        #expect(!driver.states.contains { if case .retrying = $0 { true } else { false } })
        #expect(driver.timers.isEmpty)
    }

    /// Before the state machine, a configuration change during the Logoff reconnected a
    /// connection that had just stopped.
    @Test func aConfigurationChangeDuringTheLogoffLeavesTheConnectionStopped() throws {
        let driver = SessionDriver()
        try driver.logIn()
        driver.stop()
        var changed = manualConfiguration()
        changed.port = 5039
        driver.update(changed)
        #expect(driver.stopsFinished == 1)
        #expect(driver.state == .stopped)
        #expect(driver.resolutionsAsked == 1)
        #expect(driver.timers.isEmpty)
    }
}
