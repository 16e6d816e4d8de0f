#if canImport(Glibc)
import Glibc
#endif
import AMI
import AMISimulator
import Foundation
import Testing
import TestSupport

extension SimulatorTests {
@Suite struct ControlTests {
    @Test func dropClosesEveryConnection() throws {
        let live = try LiveSimulator()
        let a = try live.loggedIn()
        let b = try live.client()
        _ = b.next(timeout: .milliseconds(100))
        live.simulator.dropAllConnections()
        #expect(a.waitForClose())
        #expect(b.waitForClose())
        let c = try live.loggedIn()
        c.send(action: "Ping", id: "p")
        #expect(c.response("p")?["Ping"] == "Pong")
    }

    @Test func stallStopsAnsweringUntilResumed() throws {
        let live = try LiveSimulator()
        let client = try live.loggedIn()
        live.simulator.setStalled(true)
        client.send(action: "Ping", id: "p")
        #expect(client.response("p", timeout: .milliseconds(300)) == nil)
        live.simulator.setStalled(false)
        #expect(client.response("p")?["Ping"] == "Pong")
    }

    @Test func restartSendsShutdownClosesAndComesBackFresh() throws {
        let live = try LiveSimulator()
        let client = try live.client()
        Thread.sleep(forTimeInterval: 1.05)  // so the first uptime is at least 1
        client.login()
        let firstUptime = Int(try #require(client.event("FullyBooted")?["Uptime"])) ?? -1
        #expect(firstUptime >= 1)
        #expect(live.simulator.addMember(queue: "sales", interface: "PJSIP/101"))
        live.simulator.restart(downtime: .milliseconds(300))
        let shutdown = try #require(client.event("Shutdown"))
        #expect(shutdown["Shutdown"] == "Cleanly")
        #expect(shutdown["Restart"] == "True")
        #expect(client.waitForClose())
        #expect(throws: (any Error).self) { _ = try AMITestClient(port: live.port) }
        var again: AMITestClient?
        #expect(eventually {
            again = try? AMITestClient(port: live.port)
            return again != nil
        })
        let reconnected = try #require(again)
        reconnected.login()
        let uptime = Int(try #require(reconnected.event("FullyBooted")?["Uptime"])) ?? -1
        #expect(uptime < firstUptime)
        #expect(live.simulator.members(of: "sales").isEmpty)
        #expect(live.simulator.members(of: "support-business").count == 1)
    }

    @Test func restartCanKeepDynamicMembers() throws {
        let live = try LiveSimulator()
        live.simulator.addMember(queue: "sales", interface: "PJSIP/101")
        live.simulator.restart(downtime: .milliseconds(50), keepDynamicMembers: true)
        #expect(eventually { (try? AMITestClient(port: live.port)) != nil })
        #expect(live.simulator.members(of: "sales").map(\.interface) == ["PJSIP/101"])
    }

    @Test func failNextAnswersWithTheGivenError() throws {
        let live = try LiveSimulator()
        let client = try live.loggedIn()
        live.simulator.failNext(action: "QueueAdd", message: "Out of cheese", count: 2)
        for id in ["a", "b", "c"] {
            client.send(action: "QueueAdd", id: id, [("Queue", "sales"), ("Interface", "PJSIP/10\(id)")])
        }
        #expect(client.response("a")?["Message"] == "Out of cheese")
        #expect(client.response("b")?["Response"] == "Error")
        #expect(client.response("c")?["Message"] == "Added interface to queue")
    }

    @Test func floodRoughlyReachesItsRate() throws {
        let live = try LiveSimulator()
        let client = try live.loggedIn()
        client.send(action: "Ping", id: "p")
        _ = client.response("p")
        live.simulator.flood(eventsPerSecond: 5000, duration: .seconds(1))
        var count = 0
        let start = ContinuousClock.now
        while start.duration(to: .now) < .milliseconds(1300), client.next(timeout: .milliseconds(300)) != nil {
            count += 1
        }
        #expect(count >= 4500 && count <= 5100, "received \(count)")
    }

    @Test func slowClientIsDroppedWithoutBlockingOthers() throws {
        let live = try LiveSimulator { $0.writeTimeout = .milliseconds(100) }
        let slow = try live.client()
        slow.connection.setReceiveBufferSize(4096)
        slow.login()
        let fast = try live.loggedIn()
        #expect(live.simulator.sessionCount() == 2)
        live.simulator.flood(eventsPerSecond: 50_000, duration: .seconds(2))
        // The fast client keeps getting answers while the slow one stops reading.
        var pongs = 0
        let start = ContinuousClock.now
        while start.duration(to: .now) < .milliseconds(800) {
            fast.send(action: "Ping", id: "p\(pongs)")
            if fast.response("p\(pongs)", timeout: .seconds(2))?["Ping"] == "Pong" { pongs += 1 }
        }
        #expect(pongs > 5)
        #expect(eventually { live.simulator.sessionCount() == 1 })
        #expect(!live.logs.records(named: "amisim.slow_client_dropped").isEmpty)
    }

    @Test func simCommandsOverAMI() throws {
        let live = try LiveSimulator()
        let client = try live.loggedIn()
        client.send(action: "Command", id: "f", [("Command", "sim fail QueuePause Nope nope")])
        _ = client.response("f")
        client.send(action: "QueuePause", id: "qp", [("Interface", "x"), ("Paused", "true")])
        #expect(client.response("qp")?["Message"] == "Nope nope")
        client.send(action: "Command", id: "c", [("Command", "sim call inbound support-private 0301234567 Piet")])
        let output = try #require(client.response("c")?.values("Output").first)
        #expect(output.hasPrefix("Caller Local/5001@inbound-"))
        #expect(live.simulator.waitingCallers(in: "support-private") == 1)
        let channel = try #require(live.simulator.channels().first { $0.application == "Queue" }?.name)
        client.send(action: "Command", id: "h", [("Command", "sim hangup \(channel)")])
        _ = client.response("h")
        #expect(live.simulator.waitingCallers(in: "support-private") == 0)
        client.send(action: "Command", id: "out", [("Command", "sim call out PJSIP/101 0201234567")])
        #expect(client.response("out")?.values("Output").first?.hasPrefix("Phone channel PJSIP/101-") == true)
        client.send(action: "Command", id: "d", [("Command", "sim drop")])
        #expect(client.response("d") != nil)
        #expect(client.waitForClose())
    }

    @Test func receivedActionsAreRecorded() throws {
        let live = try LiveSimulator()
        let client = try live.loggedIn()
        client.send(action: "Ping", id: "p")
        _ = client.response("p")
        let actions = live.simulator.receivedActions().map { $0.action["Action"] ?? "" }
        #expect(actions == ["Login", "Ping"])
    }
}
}
