import Glibc
import Testing
@testable import AMI
import SystemSupport

/// Connecting and reconnecting on a manual clock: backoff, addresses, connect timeouts,
/// generations, `Shutdown`, restarts told by `FullyBooted`'s uptime.
@Suite struct SessionReconnectTests {
    @Test(arguments: [(1.0, [20, 40, 80, 160, 200, 200]), (0.0, [10, 20, 40, 80, 100, 100])])
    func theBackoffDoublesUpToItsCapWithJitter(unit: Double, delays: [Int64]) throws {
        let driver = SessionDriver(unitRandom: { unit })
        driver.start()
        var seen: [Int64] = []
        for attempt in 1...delays.count {
            try driver.resolve()
            driver.connect()
            driver.loseConnection()
            guard case .retrying(let delay, let reported)? = driver.states.last else {
                Issue.record("expected retrying, got \(driver.states)")
                return
            }
            #expect(reported == attempt)
            seen.append(delay.milliseconds)
            driver.advance(by: delay - .milliseconds(1))
            #expect(driver.resolution == nil)
            driver.advance(by: .milliseconds(1))
            #expect(driver.states.last == .connecting(attempt: attempt))
        }
        #expect(seen == delays)
    }

    @Test func aFailedConnectTriesTheNextAddressThenRetries() throws {
        let driver = SessionDriver()
        driver.start()
        let first = try SocketAddress.resolve(host: "127.0.0.1", port: 5038)
        let second = try SocketAddress.resolve(host: "::1", port: 5038)
        let third = try SocketAddress.resolve(host: "127.0.0.2", port: 5038)
        try driver.resolve(.success(first + second + third))
        #expect(driver.connections.map(\.description) == first.map(\.description))
        driver.advance(by: .milliseconds(500))
        driver.connect(error: ECONNREFUSED)
        #expect(driver.connections.map(\.description) == (first + second).map(\.description))
        // The first socket's connect timer (due at 2 s) comes while the second connects: ignored.
        driver.advance(by: .milliseconds(1500))
        #expect(driver.state == .connecting)
        #expect(driver.connections.count == 2)
        // The second's own comes at 2.5 s: the third is tried.
        driver.advance(by: .milliseconds(500))
        #expect(driver.connections.count == 3)
        #expect(driver.logs.records(named: "ami.connect_failed").map { $0["error"] ?? "" }.last == "timed out")
        driver.connect(error: ETIMEDOUT)
        #expect(driver.states.last == .retrying(in: .milliseconds(20), attempt: 1))
        #expect(driver.states.contains(.lost(reason: "no address of 127.0.0.1 accepted the connection")))
    }

    @Test func aSocketThatCannotBeOpenedTriesTheNextAddress() throws {
        let driver = SessionDriver()
        driver.start()
        driver.startConnectFailure = SystemCallError(call: "socket", code: EAFNOSUPPORT)
        let addresses = try SocketAddress.resolve(host: "::1", port: 5038) + SocketAddress.resolve(host: "127.0.0.1", port: 5038)
        try driver.resolve(.success(addresses))
        #expect(driver.connections.map(\.description) == [addresses[1].description])
        let failure = try #require(driver.logs.records(named: "ami.connect_failed").first)
        #expect(failure["address"] == addresses[0].description)
        driver.connect()
        #expect(driver.state == .awaitingBanner)
    }

    @Test func aNameThatDoesNotResolveIsRetried() throws {
        let driver = SessionDriver()
        driver.start()
        try driver.resolve(.success([]))
        #expect(driver.states.contains(.lost(reason: "127.0.0.1 has no address")))
        driver.advance(by: .milliseconds(20))
        let error = SystemCallError(call: "getaddrinfo", code: EAI_NONAME)
        try driver.resolve(.failure(error))
        #expect(driver.states.contains(.lost(reason: "cannot resolve 127.0.0.1: \(error)")))
        #expect(driver.states.last == .retrying(in: .milliseconds(40), attempt: 2))
    }

    @Test func aResolutionOfAnEarlierConfigurationIsIgnored() throws {
        let driver = SessionDriver()
        driver.start()
        let stale = try #require(driver.resolution)
        var moved = manualConfiguration()
        moved.host = "::1"
        driver.update(moved)
        #expect(driver.resolution?.host == "::1")
        let current = try #require(driver.resolution)
        #expect(current.generation != stale.generation)
        let addresses = try SocketAddress.resolve(host: "127.0.0.1", port: 5038)
        driver.resolve(.success(addresses), generation: stale.generation)
        #expect(driver.connections.isEmpty)
        #expect(driver.state == .resolving)
        try driver.resolve(.success(SocketAddress.resolve(host: "::1", port: 5038)))
        #expect(driver.connections.count == 1)
    }

    @Test func aConfigurationChangeFailsWhatIsInFlightAndReconnectsAtOnce() throws {
        let driver = SessionDriver()
        try driver.logIn()
        driver.loseConnection()
        try driver.logIn()
        driver.send(AMIAction("QueueAdd"), caller: "add")
        var changed = manualConfiguration()
        changed.username = "other"
        driver.update(changed)
        #expect(driver.answers(to: "add") == [.failure(.connectionLost(reason: "configuration changed"))])
        #expect(driver.states.last == .connecting(attempt: 0))
        #expect(driver.logs.records(named: "ami.reconfigured").count == 1)
        try driver.logIn()
        #expect(driver.written.last?.first?["Username"] == "other")
    }

    @Test func aShutdownEventEndsTheConnectionAndALowerUptimeMeansRestarted() throws {
        let driver = SessionDriver()
        try driver.logIn(uptime: 300)
        driver.send(AMIAction("QueueAdd"), caller: "add")
        driver.receive(
            FakeAsterisk.frame([("Event", "Shutdown"), ("Privilege", "system,all"), ("Shutdown", "Cleanly"), ("Restart", "True")])
                + FakeAsterisk.frame([("Event", "AfterShutdown")]))
        #expect(driver.plainEvents.map { $0["Event"] } == ["FullyBooted", "Shutdown"])
        let reason = "Asterisk is shutting down (Cleanly, restart: True)"
        #expect(driver.states.suffix(2) == [.lost(reason: reason), .retrying(in: .milliseconds(20), attempt: 1)])
        #expect(driver.answers(to: "add") == [.failure(.connectionLost(reason: reason))])
        try driver.logIn(uptime: 1)
        #expect(driver.fullyBooted == [.fullyBooted(uptime: 300, restarted: false), .fullyBooted(uptime: 1, restarted: true)])
    }

    /// Was a live test that slept 2.1 s for the simulator's uptime to grow: the uptime after a
    /// reconnect must have grown with the clock (to its one-second grain), or Asterisk restarted.
    @Test(arguments: [(0, 0, true), (0, 1, false), (0, 2, false), (5, 3, true), (5, 7, false), (5, nil, false)])
    func anUptimeThatDidNotGrowWithTheClockMeansRestarted(before: Int, after: Int?, restarted: Bool) throws {
        let driver = SessionDriver()
        try driver.logIn(uptime: before)
        driver.advance(by: .milliseconds(2100))
        driver.loseConnection()
        try driver.connectThroughBanner()
        let login = try #require(driver.lastWritten)
        try driver.answer(login, [("Response", "Success"), ("Message", "Authentication accepted")])
        var booted: [(String, String)] = [("Event", "FullyBooted"), ("Privilege", "system,all")]
        if let after { booted.append(("Uptime", String(after))) }
        driver.receive(booted)
        #expect(driver.fullyBooted.last == .fullyBooted(uptime: after, restarted: restarted))
        let logged = try #require(driver.logs.records(named: "ami.fully_booted").last)
        #expect(logged["uptime_s"] == after.map(String.init))
        #expect(logged["restarted"] == String(restarted))
    }
}
