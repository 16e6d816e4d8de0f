import AMI
import AMISimulator
import AgentCore
import Config
import ControlPort
import Daemon
import Foundation
import Synchronization
import SystemSupport
import Testing
import TestSupport

/// A clock the test moves by hand.
final class ManualClock: Sendable {
    private let value: Mutex<Timestamp>

    init(_ start: Timestamp = Timestamp(seconds: 1_800_000_000)) { value = Mutex(start) }

    var now: Timestamp { value.withLock { $0 } }

    func advance(by duration: Duration) { value.withLock { $0 = $0 + duration } }
}

/// The configuration the daemon tests run with: two skills over the simulator's three queues,
/// a timed break, a wrap-up after incoming calls, four agents, one remote.
func daemonTestFixture(port: Int, database: String) -> INIFixture {
    INIFixture()
        .section("general", ["type": "general", "database": database, "log_format": "text"])
        .section(
            "pbx",
            [
                "type": "ami", "host": "127.0.0.1", "port": String(port), "username": "ccagentd", "secret": "change-me",
                "ping_interval": "1",
            ])
        .section("remote", ["type": "remote", "interface": "Local/${MOBILE}@ccagentd-remote/n", "followme_family": "ccagentd/followme"])
        .section("break", ["type": "status", "activate_skills": "no", "timeout": "60", "timeout_goto": "connected"])
        .section("paperwork", ["type": "status", "activate_skills": "no", "timeout": "30", "timeout_goto": "connected"])
        .section("incoming_call", ["type": "status", "on_hangup": "paperwork"])
        .section("sales", ["type": "skill", "queues": "sales"])
        .section("support", ["type": "skill", "queues": "support-private, support-business"])
        .section("101", ["type": "extension", "interface": "PJSIP/101"])
        .section("102", ["type": "extension", "interface": "PJSIP/102"])
        .section("103", ["type": "extension", "interface": "PJSIP/103"])
        .section("901", ["type": "extension", "virtual": "yes"])
        .section("dana@example.com", ["type": "user", "name": "Dana Levi", "skills": "sales, support:2", "extension": "101"])
        .section("eli@example.com", ["type": "user", "name": "Eli Cohen", "skills": "support", "extension": "102"])
        .section(
            "noa@example.com",
            ["type": "user", "name": "Noa Mizrahi", "skills": "sales:1", "extension": "103", "stay_in_queues_on_logout": "yes"])
        .section(
            "maya@example.com",
            [
                "type": "user", "name": "Maya Shapiro", "skills": "support:3", "remote": "yes", "mobile": "+972507654321",
                "virtual_extension": "901",
            ])
}

/// `daemonTestFixture`'s text with `extra` (more sections) at the end.
func daemonTestConfiguration(port: Int, database: String, extra: String = "") -> String {
    daemonTestFixture(port: port, database: database).appending(extra).text
}

/// A simulator on a free port and a daemon connected to it, with a store in a fresh directory.
final class DaemonHarness: Sendable {
    let simulator: AMISimulator
    let port: Int
    let directory: URL
    let clock: ManualClock
    let logs: MemoryLogSink
    let daemon: Daemon
    let ready = ReadyStatus()

    var database: String { directory.appendingPathComponent("ccagentd.sqlite").path }
    var configPath: String { directory.appendingPathComponent("ccagentd.conf").path }

    /// `reuse`: the directory (store, config) of an earlier harness, to restart on its store.
    init(
        extra: String = "", reuse: DaemonHarness? = nil, clock: ManualClock = ManualClock(),
        simulator existing: (AMISimulator, Int)? = nil,
        adjust: (inout SimulatorConfiguration) -> Void = { _ in }, start: Bool = true
    ) throws {
        if let existing {
            (simulator, port) = existing
        } else {
            var configuration = SimulatorConfiguration.standard
            configuration.timings.ringTime = .milliseconds(50)
            configuration.timings.talkTime = .milliseconds(200)
            configuration.timings.pstnRingTime = .milliseconds(50)
            configuration.timings.pstnTalkTime = .milliseconds(200)
            configuration.timings.queueTimeout = .milliseconds(500)
            configuration.timings.retryTime = .milliseconds(50)
            configuration.writeTimeout = .seconds(10)
            adjust(&configuration)
            simulator = try AMISimulator(configuration: configuration)
            port = try simulator.start()
        }
        if let reuse {
            directory = reuse.directory
        } else {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("daemon-tests-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        }
        self.clock = clock
        let text = daemonTestConfiguration(port: port, database: directory.appendingPathComponent("ccagentd.sqlite").path, extra: extra)
        try text.write(toFile: directory.appendingPathComponent("ccagentd.conf").path, atomically: true, encoding: .utf8)
        let loaded = try ConfigLoader().load(path: directory.appendingPathComponent("ccagentd.conf").path).get()
        logs = MemoryLogSink()
        let options = DaemonOptions(
            configPath: directory.appendingPathComponent("ccagentd.conf").path, tickInterval: .milliseconds(20),
            clock: { clock.now }, reconcileRetry: .milliseconds(100), maximumReconcileRetry: .milliseconds(400),
            fullyBootedWait: .milliseconds(500), stopGrace: .milliseconds(500), storeRetryInterval: .milliseconds(100),
            tuneConnection: { configuration in
                var tuned = configuration
                tuned.backoff = Backoff(initial: .milliseconds(20), maximum: .milliseconds(100))
                tuned.pingTimeout = .milliseconds(500)
                tuned.actionTimeout = .seconds(2)
                return tuned
            })
        daemon = try Daemon(configuration: loaded, options: options, logger: Logger(level: .debug, sink: logs))
        if start { self.start() }
    }

    func start() {
        let ready = ready
        daemon.start { status in ready.value.withLock { $0 = status } }
    }

    /// Waits until the first reconcile (or the verdict that Asterisk is unreachable).
    func waitReady() async throws {
        try await waitUntil("the daemon is ready") { ready.value.withLock { $0 } != nil }
    }

    func submit(_ command: Command, by actor: Actor = .admin("test")) async -> CommandReply {
        await daemon.submit(command, by: actor, source: "test")
    }

    func state(_ agent: AgentID) async -> AgentState? {
        await daemon.inspect { $0.machine.state(of: agent) }
    }

    /// The interfaces in `queue`, sorted, with their penalties: `PJSIP/101:2`.
    func members(_ queue: String) -> [String] {
        simulator.members(of: queue).map { "\($0.interface):\($0.penalty)" }.sorted()
    }

    func isMember(_ interface: String, of queue: String) -> Bool {
        simulator.members(of: queue).contains { $0.interface == interface }
    }

    func close() async {
        await daemon.stop()
        simulator.stop()
        try? FileManager.default.removeItem(at: directory)
    }
}

final class ReadyStatus: Sendable {
    let value = Mutex<String?>(nil)
}

/// Every daemon suite runs one test at a time (they share two cores with real sockets).
@Suite(.serialized, .timeLimit(.minutes(2))) enum DaemonTests {}
