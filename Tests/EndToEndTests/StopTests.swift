#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import TestSupport

extension EndToEnd {
    /// Scenario 5: SIGTERM (and SIGINT) stop cleanly: Logoff, exit 0, agents stay in their queues.
    @Suite struct StopTests {
        @Test(arguments: [SIGTERM, SIGINT])
        func aStopLogsOffExitsZeroAndLeavesTheAgentsInTheirQueues(signal: Int32) throws {
            let harness = try Harness()
            defer { harness.shutdown() }
            let daemon = try harness.startDaemon(config: harness.defaultConfig(logFormat: "json"))
            try harness.login(Agents.dana, at: "101")
            try harness.login(Agents.eli, at: "102")
            try harness.setStatus("lunch", agent: Agents.eli, at: "102")
            try harness.waitForQueues(["PJSIP/101": TestConfigs.allQueues, "PJSIP/102": []])
            let session = try #require(harness.daemonSessions().last, "\(harness.amisim.tail())")

            let sent = ContinuousClock.now
            daemon.signal(signal)
            let exit = try #require(daemon.waitForExit(timeout: .seconds(10)), "ccagentd did not stop\n\(daemon.tail())")
            let took = sent.duration(to: .now)
            #expect(exit.signalled == false, "\(daemon.tail())")
            #expect(exit.status == 0, "\(daemon.tail())")
            #expect(took < .seconds(3), "stopping took \(took)")
            #expect(harness.log().contains { $0.entry.event == "daemon.stopped" }, "\(daemon.tail())")
            // A tool reading the JSON log gets counts as numbers (`"agents":3`, not `"agents":"3"`).
            for (event, key) in [("daemon.started", "agents"), ("daemon.stopped", "in_flight"), ("daemon.stopped", "events_read")] {
                let line = try #require(harness.log().first { $0.entry.event == event }?.entry.line, "\(daemon.tail())")
                let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                #expect(object[key] as? Int != nil, "\(line)")
            }

            // amisim closed the daemon's session itself: the answer to a Logoff, not a dropped socket.
            let closed = "amisim.session_closed session=\(session) "
            #expect(eventually(timeout: .seconds(5)) { harness.amisim.stderr.lines.contains { $0.contains(closed) } })
            let reason = harness.amisim.stderr.lines.first { $0.contains(closed) }
            #expect(reason?.contains("closed by server") == true, "\(reason ?? "no close")")

            // The agents stay where they were: calls keep flowing while the daemon is down.
            let members = try harness.members()
            #expect(members.queues(of: "PJSIP/101") == TestConfigs.allQueues)
            #expect(members.queues(of: "PJSIP/102").isEmpty)
            #expect(members.contains { $0.interface == TestConfigs.staticMember })
            let stored = try harness.storedAgents().map { "\($0.agent.rawValue)=\($0.status.rawValue)" }.sorted()
            #expect(stored == ["dana@example.com=connected", "eli@example.com=lunch"])
        }

        /// A clean stop removes the Unix socket's file: the next start finds the path free.
        @Test(arguments: [SIGTERM, SIGINT])
        func aStopRemovesTheSocketFile(signal: Int32) throws {
            let harness = try Harness()
            defer { harness.shutdown() }
            let config = TestConfigs.daemon(port: harness.port, database: harness.databasePath, api: "socket = \(harness.socketPath)")
            let daemon = try harness.startDaemon(config: config)
            try harness.waitForLog("api.listening", ["socket": harness.socketPath])
            #expect(try harness.api("GET", "/healthz", overSocket: true).status == 200)
            #expect(FileManager.default.fileExists(atPath: harness.socketPath))

            daemon.signal(signal)
            let exit = try #require(daemon.waitForExit(timeout: .seconds(10)), "ccagentd did not stop\n\(daemon.tail())")
            #expect(exit.status == 0 && !exit.signalled, "\(daemon.tail())")
            #expect(!FileManager.default.fileExists(atPath: harness.socketPath), "\(daemon.tail())")
        }

        /// Asterisk frozen (SIGSTOP) with queue actions in flight, then SIGTERM: how the stop went
        /// and what the daemon logged from `daemon.stopping` on.
        private func stopWhileFrozen(_ harness: Harness) throws -> (
            exit: ChildProcess.Termination, took: Duration, afterStopping: [LogEntry]
        ) {
            let daemon = try harness.startDaemon()
            try harness.login(Agents.dana, at: "101")
            try harness.setStatus("break", agent: Agents.dana, at: "101")
            try harness.waitForQueues(["PJSIP/101": []])
            let mark = harness.mark
            harness.amisim.signal(SIGSTOP)
            // The break ends while Asterisk is frozen: three QueueAdds wait for an answer.
            try harness.waitForLog("agent.status_changed", ["agent": Agents.dana, "from": "break"], after: mark)

            let sent = ContinuousClock.now
            daemon.signal(SIGTERM)
            let exit = try #require(daemon.waitForExit(timeout: .seconds(15)), "ccagentd did not stop\n\(daemon.tail())")
            let took = sent.duration(to: .now)
            let stopping = try harness.waitForLog("daemon.stopping", after: mark)
            return (exit, took, harness.log(after: stopping.index).map(\.entry))
        }

        /// The stop gives up waiting in time, well within systemd's TimeoutStopSec (10 s in
        /// systemd/ccagentd.service). And stopping means stopping: the Ping that times out while
        /// the Logoff waits for its answer must not report the connection lost and schedule a
        /// reconnect after `ami.stopped`. (One frozen stop for both: it takes about 6 s.)
        @Test func aStopWhileAsteriskIsFrozenEndsInTimeAndDoesNotReconnect() throws {
            let harness = try Harness()
            defer {
                harness.amisim.signal(SIGCONT)
                harness.shutdown()
            }
            let stop = try stopWhileFrozen(harness)
            let log = stop.afterStopping.map(\.line).joined(separator: "\n")
            #expect(stop.exit.status == 0 && !stop.exit.signalled, "\(log)")
            #expect(stop.took < .seconds(6), "stopping took \(stop.took)")
            #expect(stop.afterStopping.contains { $0.event == "daemon.stopped" }, "\(log)")
            #expect(!stop.afterStopping.contains { $0.event == "ami.reconnecting" || $0.event == "ami.connection_lost" }, "\(log)")
            // What it could not tell Asterisk is on disk for the next start.
            #expect(try harness.storedAgents().first?.status == .connected)
        }
    }
}
