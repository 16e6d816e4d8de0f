// The control API under concurrent clients (issue 5's figures), in one process: the simulated
// Asterisk, the real Daemon and APIService on TCP loopback, and CLIENTS (50) client threads,
// each with its own keep-alive HTTP/1.1 connection and admin token.
//
// 1. Status changes: AGENTS (200) agents; each client owns AGENTS / CLIENTS of them, logs them in
//    (`POST /v1/agents/{login}/login`), then alternates `PUT /v1/agents/{login}/status` break /
//    connected as fast as answers come back: WARMUP_SECONDS (3) unmeasured, then SECONDS (20)
//    measured. Every answer must be 200 with the login, the new status and its queues; Asterisk
//    must then have read one QueueAdd (QueueRemove) per queue of each change to connected (break).
// 2. Reads: every client `GET /v1/agents` (the whole list) for LIST_SECONDS (5).
// 3. Password logins: `POST /v1/sessions` for SESSION_SECONDS (5): crypt(3) of `$6$` hashes.
//
//   Benchmarks/run-api-benchmark.sh
//
// Any wrong answer is an error: the figures are printed and the run fails (exit 1). Results go
// to standard output, progress and the daemon's notice-level log lines to standard error.
import ControlPort
import ControlAPI
import Foundation
import SystemSupport

@main
enum APIBenchmarkMain {
    static func main() async {
        do {
            let report = try await APIBenchmark(settings: .fromEnvironment()).run()
            print(report.printed())
            exit(report.passed ? 0 : 1)
        } catch {
            progress("APIBenchmark failed: \(error)")
            exit(1)
        }
    }
}

struct APIBenchmark {
    let settings: BenchmarkSettings

    func run() async throws -> Report {
        guard settings.agents >= settings.clients else {
            throw BenchmarkFailure("AGENTS (\(settings.agents)) must be at least CLIENTS (\(settings.clients)): each client owns its own agents")
        }
        let loadAtStart = machineLoad()
        progress("APIBenchmark: \(settings.agents) agents, \(settings.clients) clients; \(loadAtStart)")
        let logger = Logger(level: .notice, sink: LineLogSink(format: .text, fileDescriptor: 2))
        let rig = try await BenchmarkRig.start(settings, logger: logger)
        do {
            let (status, actions, afterSetUp) = try await statusPhase(rig)
            let list = try await timedPhase(rig, "2. GET /v1/agents (the list)", seconds: settings.listSeconds) { _ in
                try ListClient(port: rig.apiPort, token: rig.adminToken, agents: settings.agents)
            }
            let sessions = try await timedPhase(rig, "3. POST /v1/sessions ($6$ crypt)", seconds: settings.sessionSeconds) { index in
                try SessionClient(index: index, clients: settings.clients, plan: rig.plan, port: rig.apiPort, password: rig.password)
            }
            let metrics = await rig.daemon.inspect { $0.metrics }
            let loggedActions = rig.simulator.receivedActions().count
            await rig.stop()
            return Report(
                plan: rig.plan, loadAtStart: loadAtStart, loadAtEnd: machineLoad(), storeFileSystem: Report.fileSystem(of: settings.temporaryRoot),
                phases: [status, list, sessions].compactMap { $0 }, actions: actions, daemonCommands: metrics.commands,
                daemonRefused: metrics.commandsRefused, actionsFailed: metrics.actionsFailed.values.reduce(0, +),
                storeFailures: metrics.storeFailures, residentAfterSetUp: afterSetUp.residentKiB,
                simulatorLoggedActions: loggedActions)
        } catch {
            await rig.stop()
            throw error
        }
    }

    /// Phase 1, the check that Asterisk was told of every change answered 200, and the usage
    /// once everybody is logged in.
    private func statusPhase(_ rig: BenchmarkRig) async throws -> (PhaseFigures, ActionCheck, ProcessUsage) {
        progress("1. status changes: logging \(settings.agents) agents in, then \(settings.warmupSeconds) s warm-up, \(settings.seconds) s measured")
        var before = QueueActionCounter.Counts()
        var afterSetUp = rig.usage()
        let outcome = try await LoadRunner.run(
            clients: settings.clients, warmup: .seconds(settings.warmupSeconds), duration: .seconds(settings.seconds),
            make: { [settings] index in
                try StatusClient(index: index, clients: settings.clients, plan: rig.plan, port: rig.apiPort, token: rig.adminToken)
            },
            beforeClock: {
                // Everybody logged in and in the queues: from here on, every queue action is a status change's.
                try await rig.settle()
                before = rig.actions.current
                afterSetUp = rig.usage()
            }, sample: rig.usage)
        try await rig.settle()
        let summaries = outcome.tallies.compactMap(\.summary)
        let check = ActionCheck(
            changes: summaries.reduce(0) { $0 + $1.changes },
            expected: QueueActionCounter.Counts(
                adds: summaries.reduce(0) { $0 + $1.expectedAdds }, removes: summaries.reduce(0) { $0 + $1.expectedRemoves }),
            counted: rig.actions.current - before)
        let figures = PhaseFigures(name: "1. PUT /v1/agents/{login}/status", outcome: outcome)
        progress("   \(figures.latency.count) changes measured, \(figures.errors) errors; \(machineLoad())")
        return (figures, check, afterSetUp)
    }

    /// Phases 2 and 3 (nil when their duration is 0): one second of warm-up, then `seconds` measured;
    /// nothing to check beyond the answers.
    private func timedPhase<Client: LoadClient>(
        _ rig: BenchmarkRig, _ name: String, seconds: Int, make: @escaping @Sendable (Int) throws -> Client
    ) async throws -> PhaseFigures? {
        guard seconds > 0 else { return nil }
        progress("\(name): 1 s warm-up, \(seconds) s measured")
        let outcome = try await LoadRunner.run(
            clients: settings.clients, warmup: .seconds(1), duration: .seconds(seconds), make: make, beforeClock: {}, sample: rig.usage)
        let figures = PhaseFigures(name: name, outcome: outcome)
        progress("   \(figures.latency.count) requests measured, \(figures.errors) errors; \(machineLoad())")
        return figures
    }
}
