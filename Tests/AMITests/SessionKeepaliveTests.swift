import Testing
@testable import AMI
import SystemSupport

/// The keepalive on a manual clock: a `Ping` every interval, the connection declared dead when
/// one goes unanswered for the ping timeout.
@Suite struct SessionKeepaliveTests {
    /// A `Ping` every 100 ms, each answered within 300 ms.
    static let fastKeepalive = {
        var configuration = manualConfiguration()
        configuration.pingInterval = .milliseconds(100)
        configuration.pingTimeout = .milliseconds(300)
        return configuration
    }()

    @Test func aPingGoesOutEveryIntervalWhileTheyAreAnswered() throws {
        let driver = SessionDriver()
        try driver.logIn()
        for round in 1...5 {
            driver.advance(by: .milliseconds(999))
            #expect(driver.allWritten.filter { $0["Action"] == "Ping" }.count == round - 1)
            driver.advance(by: .milliseconds(1))
            let ping = try #require(driver.lastWritten)
            #expect(ping["Action"] == "Ping")
            driver.receive(FakeAsterisk.pong(ping))
            // One keepalive timer, replaced as each fires.
            #expect(driver.armedPingTimers == 1)
        }
        #expect(driver.state == .loggedIn)
        #expect(driver.answers.isEmpty)
    }

    /// Was a live test with a 100 ms interval and a 300 ms timeout.
    @Test func aPeerThatStopsAnsweringIsDeclaredDeadByThePingTimeout() throws {
        let driver = SessionDriver(configuration: Self.fastKeepalive)
        try driver.logIn()
        driver.advance(by: .milliseconds(100))
        #expect(driver.lastWritten?["Action"] == "Ping")
        driver.advance(by: .milliseconds(299))
        // The next intervals came, but a Ping is still out: no second one.
        #expect(driver.allWritten.filter { $0["Action"] == "Ping" }.count == 1)
        #expect(driver.state == .loggedIn)
        driver.advance(by: .milliseconds(1))
        #expect(driver.states.contains(.lost(reason: "no answer to Ping within 300 ms")))
        #expect(driver.state == .waitingToRetry)
        #expect(!driver.socketOpen)
        try driver.logIn()
        #expect(driver.states.filter { $0 == .loggedIn }.count == 2)
        #expect(driver.connections.count == 2)
    }

    @Test func aPongWithinTheTimeoutKeepsTheConnection() throws {
        let driver = SessionDriver(configuration: Self.fastKeepalive)
        try driver.logIn()
        driver.advance(by: .milliseconds(100))
        let first = try #require(driver.lastWritten)
        driver.advance(by: .milliseconds(299))
        driver.receive(FakeAsterisk.pong(first))
        driver.advance(by: .milliseconds(1))
        #expect(driver.state == .loggedIn)
        // The ping after the pong goes out at the next interval.
        driver.advance(by: .milliseconds(100))
        #expect(driver.allWritten.filter { $0["Action"] == "Ping" }.count == 2)
    }

    @Test func aPingOfAnEarlierConnectionNeverEndsTheCurrentOne() throws {
        let driver = SessionDriver(configuration: Self.fastKeepalive)
        try driver.logIn()
        driver.advance(by: .milliseconds(100))
        let stale = try #require(driver.lastWritten)
        #expect(stale["Action"] == "Ping")
        driver.advance(by: .milliseconds(50))
        driver.loseConnection()
        try driver.logIn()  // at 170 ms
        driver.receive(FakeAsterisk.pong(stale))
        // Past the stale Ping's deadline (400 ms), before the new one's (270 + 300 ms).
        driver.advance(to: ManualInstant.start.advanced(by: .milliseconds(450)))
        #expect(driver.state == .loggedIn)
        let current = try #require(driver.written.last?.last)
        #expect(current["Action"] == "Ping")
        driver.receive(FakeAsterisk.pong(current))
        for _ in 0..<10 {
            driver.advance(by: .milliseconds(100))
            if let ping = driver.lastWritten, ping["Action"] == "Ping" { driver.receive(FakeAsterisk.pong(ping)) }
        }
        #expect(driver.state == .loggedIn)
        #expect(driver.states.filter { if case .lost = $0 { true } else { false } }.count == 1)
    }
}
