import Crypt
import AMISimulator
import Config
import ControlPort
import ControlAPI
import Daemon
import Foundation
import SystemSupport

struct BenchmarkFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// What the clients talk to, in this process: the simulated Asterisk, the real `Daemon` on a
/// store in a fresh temp directory, and `APIService` on a free loopback port, wired as
/// `ccagentd` wires them (Sources/ccagentd/RunDaemon.swift).
struct BenchmarkRig: Sendable {
    let plan: CallCenterPlan
    let simulator: AMISimulator
    let daemon: Daemon
    let api: APIService
    let apiPort: Int
    /// An admin token: the status phase authenticates without a crypt(3) check per request.
    let adminToken: String
    /// Every user's password, for the `POST /v1/sessions` phase.
    let password: String
    let actions: QueueActionCounter
    let threads: ServerThreads
    let directory: URL

    static func start(_ settings: BenchmarkSettings, logger: Logger) async throws -> BenchmarkRig {
        let plan = CallCenterPlan(agents: settings.agents)
        var threads = ServerThreads()
        let simulator: AMISimulator
        (simulator, threads.simulator) = try ThreadCPU.startedThread {
            try AMISimulator(configuration: CallCenterPlan.simulatorConfiguration(), logger: logger)
        }
        let amiPort = try simulator.start()
        let actions = QueueActionCounter()
        simulator.setActionObserver { actions.observe($0) }

        let directory = URL(fileURLWithPath: settings.temporaryRoot).appendingPathComponent("api-benchmark-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var started = false
        defer { if !started { try? FileManager.default.removeItem(at: directory) } }
        // sha512crypt, the scheme of the sample config: the session phase measures its cost.
        let password = "bench-\(UUID().uuidString)"
        let hash = try PasswordHash.make(password, method: .sha512)
        let text = plan.configurationText(
            amiPort: amiPort, database: directory.appendingPathComponent("ccagentd.sqlite").path, passwordHash: hash)
        var configuration: LoadedConfiguration
        switch ConfigLoader.load(text: text, file: "api-benchmark.conf") {
        case .success(let loaded): configuration = loaded
        case .failure(let errors): throw BenchmarkFailure("the generated configuration is invalid:\n\(errors)")
        }
        // Set here rather than through an admin_tokens file, which the loader refuses unless
        // only its owner may read it.
        let adminToken = "apibench" + UUID().uuidString.replacingOccurrences(of: "-", with: "")
        configuration.api.adminTokens = [AdminTokenEntry(name: "benchmark", token: adminToken)]
        configuration.api.loginAttemptsPerAddress = settings.loginAttemptsPerAddress
        configuration.api.maxConnections = max(configuration.api.maxConnections, settings.clients + 16)

        let daemon: Daemon
        (daemon, threads.daemon) = try ThreadCPU.startedThread {
            try Daemon(configuration: configuration, options: DaemonOptions(), logger: logger)
        }
        let ready = await withCheckedContinuation { continuation in daemon.start { continuation.resume(returning: $0) } }
        guard ready.hasPrefix("connected") else { throw BenchmarkFailure("the daemon did not connect to the simulator: \(ready)") }
        let api: APIService
        (api, threads.http) = try ThreadCPU.startedThread { try APIService(daemon: daemon, settings: configuration.api, logger: logger) }
        let apiPort = try api.listen(on: ListenAddress(host: "127.0.0.1", port: 0))
        started = true
        return BenchmarkRig(
            plan: plan, simulator: simulator, daemon: daemon, api: api, apiPort: apiPort, adminToken: adminToken,
            password: password, actions: actions, threads: threads, directory: directory)
    }

    /// In `ccagentd`'s order: no new requests, then the daemon drains, then Asterisk goes.
    func stop() async {
        api.shutdown()
        await daemon.stop()
        simulator.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    func usage() -> ProcessUsage { ProcessUsage.now(threads: threads) }

    /// Waits until no queue action is in flight and Asterisk holds every agent's memberships
    /// (everybody logged in and connected): the counts of queue actions are then final.
    func settle(timeout: Duration = .seconds(60)) async throws {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        var inFlight = 0
        var members = 0
        while ContinuousClock.now < deadline {
            inFlight = await daemon.inspect { $0.inFlight }
            members = (0..<CallCenterPlan.queueCount).reduce(0) { $0 + simulator.members(of: CallCenterPlan.queue($1)).count }
            if inFlight == 0, members == plan.totalMemberships { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw BenchmarkFailure("Asterisk holds \(members) memberships, \(plan.totalMemberships) expected; \(inFlight) queue actions in flight")
    }
}
