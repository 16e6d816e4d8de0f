import Testing
@testable import AMI
import SystemSupport

/// Logging in, on a manual clock: the banner, plain and MD5 logins, refusals, the login timeout.
@Suite struct SessionLoginTests {
    @Test func aPlainLoginReportsItsStatesAndFullyBooted() throws {
        let driver = SessionDriver()
        driver.start()
        #expect(driver.states == [.connecting(attempt: 0)])
        #expect(driver.resolution?.host == "127.0.0.1")
        #expect(driver.resolution?.port == 5038)
        try driver.resolve()
        #expect(driver.connections.count == 1)
        #expect(driver.armed(.connect(generation: driver.machine.generation)) == .start.advanced(by: .seconds(2)))
        driver.connect()
        #expect(driver.state == .awaitingBanner)
        #expect(driver.allWritten.isEmpty)
        driver.banner()
        let login = try #require(driver.lastWritten)
        #expect(login["Action"] == "Login")
        #expect(login["Username"] == "ccagentd")
        #expect(login["Secret"] == "s3cret")
        #expect(login["Events"] == "system,call,agent,user")
        #expect(login.actionID?.hasPrefix("ccd-test-") == true)
        #expect(driver.state == .loggingIn)
        driver.receive(FakeAsterisk.loginAccepted(login, uptime: 42))
        #expect(driver.states == [.connecting(attempt: 0), .loggedIn])
        #expect(driver.fullyBooted == [.fullyBooted(uptime: 42, restarted: false)])
        #expect(driver.plainEvents.map { $0["Event"] } == ["FullyBooted"])
        #expect(driver.logs.records(named: "ami.connected").count == 1)
        // The secret never reaches a log, even at debug.
        #expect(!driver.logMentions("s3cret"))
    }

    @Test func anMD5LoginNeverSendsTheSecret() throws {
        var configuration = manualConfiguration()
        configuration.authentication = .md5
        let driver = SessionDriver(configuration: configuration)
        try driver.connectThroughBanner()
        let challenge = try #require(driver.lastWritten)
        #expect(challenge["Action"] == "Challenge")
        #expect(challenge["AuthType"] == "MD5")
        try driver.answer(challenge, [("Response", "Success"), ("Challenge", "840415273")])
        let login = try #require(driver.lastWritten)
        #expect(login["Action"] == "Login")
        #expect(login["AuthType"] == "MD5")
        #expect(login["Key"] == MD5.hex(Array("840415273s3cret".utf8)))
        #expect(login["Secret"] == nil)
        #expect(login["Events"] == "system,call,agent,user")
        try driver.answer(login, [("Response", "Success"), ("Message", "Authentication accepted")])
        #expect(driver.state == .loggedIn)
        #expect(!driver.allWritten.contains { $0.headers.contains { $0.value.contains("s3cret") } })
        #expect(!driver.logMentions("s3cret"))
    }

    @Test func aRefusedChallengeIsAnAuthenticationFailureAndOneWithoutAChallengeALostConnection() throws {
        var configuration = manualConfiguration()
        configuration.authentication = .md5
        let refused = SessionDriver(configuration: configuration)
        try refused.connectThroughBanner()
        try refused.answer(refused.lastWritten, [("Response", "Error"), ("Message", "Must specify AuthType")])
        #expect(refused.states.last == .authenticationFailed(message: "Must specify AuthType"))

        let empty = SessionDriver(configuration: configuration)
        try empty.connectThroughBanner()
        try empty.answer(empty.lastWritten, [("Response", "Success")])
        #expect(empty.states.contains(.lost(reason: "Challenge answered without a challenge")))
        #expect(empty.state == .waitingToRetry)
    }

    /// Replaces a live test that slept through "several backoff periods": here a whole hour passes.
    @Test func aWrongSecretStopsRetryingUntilTheConfigurationChanges() throws {
        let driver = SessionDriver(configuration: manualConfiguration(secret: "wrong"))
        try driver.connectThroughBanner()
        try driver.answer(driver.lastWritten, [("Response", "Error"), ("Message", "Authentication failed")])
        #expect(driver.state == .authenticationFailed)
        #expect(driver.states.last == .authenticationFailed(message: "Authentication failed"))
        #expect(!driver.socketOpen)
        #expect(driver.timers.isEmpty)
        let failure = try #require(driver.logs.records(named: "ami.login_failed").first)
        #expect(failure.level == .error)
        #expect(failure["error"] == "Authentication failed")

        driver.advance(by: .seconds(3600))
        #expect(driver.resolutionsAsked == 1)
        #expect(driver.connections.count == 1)
        #expect(driver.state == .authenticationFailed)
        driver.send(AMIAction("Ping"), caller: "ping")
        #expect(driver.answers(to: "ping").first?.failure == .notConnected)

        driver.update(manualConfiguration(secret: "wrong"))  // the same: nothing changes
        #expect(driver.resolutionsAsked == 1)
        driver.update(manualConfiguration(secret: "right"))
        #expect(driver.states.last == .connecting(attempt: 0))
        try driver.logIn()
        #expect(driver.connections.count == 2)
        #expect(driver.written[1].first?["Secret"] == "right")
    }

    @Test func aMessageBeforeTheBannerIsALostConnection() throws {
        let driver = SessionDriver()
        driver.start()
        try driver.resolve()
        driver.connect()
        driver.receive([("Response", "Success"), ("Message", "hello")])
        #expect(driver.states.contains(.lost(reason: "Asterisk sent a message before its banner")))
        #expect(driver.state == .waitingToRetry)
        #expect(driver.allWritten.isEmpty)
    }

    @Test func noBannerOrNoLoginAnswerWithinTheLoginTimeoutIsALostConnection() throws {
        for answersBanner in [false, true] {
            let driver = SessionDriver()
            driver.start()
            try driver.resolve()
            driver.advance(by: .seconds(1))
            driver.connect()
            if answersBanner { driver.banner() }
            driver.advance(by: .milliseconds(4999))
            #expect(driver.state == (answersBanner ? .loggingIn : .awaitingBanner))
            driver.advance(by: .milliseconds(1))
            #expect(driver.states.contains(.lost(reason: "no banner or login answer within 5000 ms")))
            #expect(driver.state == .waitingToRetry)
        }
    }

    @Test func aLoginAfterRetriesStartsTheAttemptsAgain() throws {
        let driver = SessionDriver()
        driver.start()
        try driver.resolve()
        driver.connect()
        driver.loseConnection()
        driver.advance(by: .milliseconds(20))
        try driver.resolve()
        driver.connect()
        driver.loseConnection()
        #expect(driver.states.last == .retrying(in: .milliseconds(40), attempt: 2))
        try driver.logIn()
        driver.loseConnection()
        #expect(driver.states.last == .retrying(in: .milliseconds(20), attempt: 1))
    }
}
