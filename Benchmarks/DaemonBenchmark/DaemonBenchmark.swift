// The real Daemon against the AMI simulator, in one process (issue 4's "Figures"):
//
// 1. Latency: AGENTS (2,000) agents logged in, each in 2 or 3 of 200 queues; then CHANGES (5,000)
//    status changes, one at a time, alternating break (activate_skills = no) and connected, after
//    WARMUP (500) unmeasured ones. t0 is taken just before `daemon.submit(...)`, t1 when the
//    simulator reads the first QueueRemove / QueueAdd of that change (same Interface, one of the
//    agent's queues).
// 2. Flood: `simulator.flood(eventsPerSecond: FLOOD_RATE (50,000), duration: FLOOD_SECONDS (60))`
//    with everybody logged in, sampled every second: events the daemon read, the backlog (events
//    the simulator sent to the daemon's session that it has not read yet), CPU and resident memory;
//    at the end every event sent to the daemon's session must have been read. Meanwhile
//    FLOOD_CHANGES_PER_SECOND (10) status changes a second measure the latency under the flood.
//
//   Benchmarks/run-daemon-benchmark.sh      (FLOOD_SECONDS=10 for a quick run)
//
// TIMINGS_CSV=file writes every measured change's timings, to see when the slow ones happen.
// The backlog needs the simulator's count of events sent per session: `AMISimulator.eventsSent()`.
//
// Logging: the daemon's and the simulator's loggers are at `notice` into a LineLogSink on
// standard error: a dozen lines a run, so logging costs nothing measurable. Results go to
// standard output, progress to standard error.
import AMI
import AMISimulator
import AgentCore
import Config
import ControlPort
import Daemon
import Foundation
import SystemSupport

@main
enum DaemonBenchmarkMain {
    static func main() async {
        do {
            let settings = BenchmarkSettings.fromEnvironment()
            if let binary = settings.daemonBinary {
                try await ProcessBenchmark(settings: settings, binary: binary).run()
            } else {
                try await Benchmark(settings: settings).run()
            }
        } catch {
            progress("DaemonBenchmark failed: \(error)")
            exit(1)
        }
    }
}

struct BenchmarkFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// One status change's timings, in milliseconds from just before `submit`.
struct ChangeTiming: Sendable {
    /// t0, just before `submit` was called.
    var started: ContinuousClock.Instant
    var leavesQueues: Bool
    /// The first queue action of the change read by the simulator.
    var first: Double
    /// The last one (every queue of the agent done).
    var last: Double
    /// The daemon's reply (after the store's commit).
    var reply: Double
}

struct FloodSample {
    var second: Double
    var sent: Int
    var read: Int
    var sentPerSecond: Double
    var readPerSecond: Double
    var backlog: Int
    var cpuPercent: Double
    var daemonPercent: Double
    var simulatorPercent: Double
    var otherPercent: Double
    var residentKiB: Int
    var inspectMilliseconds: Double
}

final class Benchmark: Sendable {
    let settings: BenchmarkSettings
    let center: CallCenter
    let sink = CapturingLogSink(next: LineLogSink(format: .text, fileDescriptor: 2))
    let watch = ActionWatch()
    let watchdog = Watchdog(limit: .seconds(60))
    let sequence = Counter()
    let roles = ThreadRoles()

    init(settings: BenchmarkSettings) {
        self.settings = settings
        center = CallCenter(agents: settings.agents)
    }

    func run() async throws {
        let loadAtStart = machineLoad()
        progress("DaemonBenchmark: \(settings.agents) agents, \(CallCenter.queueCount) queues, \(CallCenter.skillCount) skills; \(loadAtStart)")
        let processStart = ProcessSample.now()
        watchdog.start { [watch] in watch.pendingDescription }

        // The simulator alone: its RSS is the baseline the daemon's memory adds to.
        let simulator = try AMISimulator(configuration: CallCenter.simulatorConfiguration(), logger: Logger(level: .notice, sink: sink))
        let port = try simulator.start()
        simulator.setActionObserver { [watch, roles] in
            roles.noteCurrentThread(as: "amisim")
            watch.observe($0)
        }
        let beforeDaemon = ProcessSample.now()

        let directory = URL(fileURLWithPath: settings.temporaryRoot).appendingPathComponent("daemon-benchmark-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("ccagentd.sqlite").path
        let text = center.configurationText(port: port, database: database)
        let configuration: LoadedConfiguration
        switch ConfigLoader.load(text: text, file: "benchmark.conf") {
        case .success(let loaded): configuration = loaded
        case .failure(let errors): throw BenchmarkFailure("the generated configuration is invalid:\n\(errors)")
        }
        let daemon = try Daemon(configuration: configuration, options: DaemonOptions(), logger: Logger(level: .notice, sink: sink))
        let ready = await withCheckedContinuation { continuation in daemon.start { continuation.resume(returning: $0) } }
        guard ready.hasPrefix("connected") else { throw BenchmarkFailure("the daemon did not connect: \(ready)") }
        await daemon.inspect { [roles] _ in roles.noteCurrentThread(as: "daemon") }
        let afterStart = ProcessSample.now()

        // Everybody logs in (one at a time, as agents do), then Asterisk must hold every membership.
        watchdog.phase("logins")
        let loginsBegan = ContinuousClock.now
        for agent in 0..<settings.agents {
            let reply = await daemon.submit(
                .login(AgentID(center.login(agent)), extension: ExtensionID(center.extensionID(agent))), by: .admin("benchmark"),
                source: "benchmark")
            guard case .success = reply.result else { throw BenchmarkFailure("login of \(center.login(agent)) failed: \(reply.result)") }
            watchdog.advance()
        }
        let loginSeconds = loginsBegan.duration(to: .now).seconds
        try await converge(daemon, simulator)
        let loggedIn = ProcessSample.now()
        progress("logged in: \(settings.agents) agents in \(format(loginSeconds, 1)) s, \(center.totalMemberships) memberships in Asterisk")

        // 1. Latency, one change at a time.
        watchdog.phase("latency")
        let unexpectedBefore = watch.counts.unexpected
        for _ in 0..<settings.warmup { _ = try await change(daemon) }
        var timings: [ChangeTiming] = []
        timings.reserveCapacity(settings.changes)
        let changesBegan = ContinuousClock.now
        for _ in 0..<settings.changes { timings.append(try await change(daemon)) }
        let changeSeconds = changesBegan.duration(to: .now).seconds
        // An odd count leaves one agent on break: bring it back, so every membership is there again.
        if sequence.value % 2 == 1 { _ = try await change(daemon) }
        try await converge(daemon, simulator)
        let afterChanges = ProcessSample.now()
        progress("latency: \(settings.changes) changes in \(format(changeSeconds, 1)) s")
        if let path = settings.timingsFile { try writeTimings(timings, since: changesBegan, to: path) }

        // 2. Flood.
        watchdog.phase("flood")
        let flood = try await runFlood(daemon, simulator)
        let afterFlood = ProcessSample.now()
        let metrics = await daemon.inspect { $0.metrics }
        let counts = watch.counts

        await daemon.stop()
        simulator.stop()
        watchdog.stop()

        report(
            Report(
                loadAtStart: loadAtStart, loadAtEnd: machineLoad(), processStart: processStart, beforeDaemon: beforeDaemon,
                afterStart: afterStart, loggedIn: loggedIn, afterChanges: afterChanges, afterFlood: afterFlood,
                loginSeconds: loginSeconds, timings: timings, changeSeconds: changeSeconds, flood: flood, metrics: metrics,
                unexpectedQueueActions: counts.unexpected - unexpectedBefore, database: database))
    }

    // MARK: Status changes

    /// The next change of the sequence: even steps send agent k/2 on break (QueueRemove), odd
    /// steps bring it back (QueueAdd). Waits until every queue action of it reached Asterisk.
    func change(_ daemon: Daemon) async throws -> ChangeTiming {
        let step = sequence.next()
        let agent = (step / 2) % settings.agents
        let leaves = step % 2 == 0
        let status: StatusID = leaves ? StatusID(CallCenter.breakStatus) : .connected
        watch.arm(action: leaves ? "QueueRemove" : "QueueAdd", interface: center.interface(agent), queues: center.queues(of: agent))
        let t0 = ContinuousClock.now
        let reply = await daemon.submit(.setStatus(AgentID(center.login(agent)), status), by: .admin("benchmark"), source: "benchmark")
        let replied = ContinuousClock.now
        guard case .success(let state?) = reply.result, state.status == status else {
            throw BenchmarkFailure("\(center.login(agent)) → \(status): \(reply.result)")
        }
        let arrivals = await watch.wait()
        watchdog.advance()
        return ChangeTiming(
            started: t0, leavesQueues: leaves, first: t0.duration(to: arrivals.first).milliseconds, last: t0.duration(to: arrivals.last).milliseconds,
            reply: t0.duration(to: replied).milliseconds)
    }

    /// One line per measured change (milliseconds), for looking at the tail: when the slow ones happen.
    func writeTimings(_ timings: [ChangeTiming], since began: ContinuousClock.Instant, to path: String) throws {
        var text = "started_ms,action,first_ms,last_ms,reply_ms\n"
        for t in timings {
            let action = t.leavesQueues ? "QueueRemove" : "QueueAdd"
            text += "\(format(began.duration(to: t.started).milliseconds)),\(action),\(format(t.first)),\(format(t.last)),\(format(t.reply))\n"
        }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// Waits until Asterisk holds exactly the memberships of everybody connected and no queue action is in flight.
    func converge(_ daemon: Daemon, _ simulator: AMISimulator) async throws {
        let deadline = ContinuousClock.now.advanced(by: .seconds(120))
        var members = 0
        var inFlight = 0
        while ContinuousClock.now < deadline {
            inFlight = await daemon.inspect { $0.inFlight }
            members = (0..<CallCenter.queueCount).reduce(0) { $0 + simulator.members(of: CallCenter.queueName($1)).count }
            if inFlight == 0 && members == center.totalMemberships { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw BenchmarkFailure("Asterisk holds \(members) memberships, \(center.totalMemberships) expected; \(inFlight) actions in flight")
    }

    // MARK: Flood

    struct FloodResult {
        var samples: [FloodSample]
        var start: ProcessSample
        /// The sample closest to the end of the flood's emission.
        var atFloodEnd: ProcessSample
        var floodEndSecond: Double
        var drainedAfter: Double?
        var sentToSession: Int
        var readBySession: Int
        var sentBefore: Int
        var readBefore: Int
        var floodEmitted: Int?
        var reconnects: Int
        var timings: [ChangeTiming]
    }

    func runFlood(_ daemon: Daemon, _ simulator: AMISimulator) async throws -> FloodResult {
        let sessions = simulator.eventsSent()
        guard sessions.count == 1, let session = sessions.keys.first else {
            throw BenchmarkFailure("expected the daemon's session alone on the simulator, found \(sessions.count)")
        }
        let before = await daemon.inspect { $0.metrics }
        let sentBefore = simulator.eventsSent()[session] ?? 0
        guard sentBefore == before.eventsRead else {
            throw BenchmarkFailure("before the flood: simulator sent \(sentBefore) events, daemon read \(before.eventsRead)")
        }
        let duration = Duration.seconds(settings.floodSeconds)
        let start = ProcessSample.now(roles: roles)
        simulator.flood(eventsPerSecond: settings.floodRate, duration: duration)
        let ends = start.at.advanced(by: duration)
        progress("flood: \(settings.floodRate) events/s for \(settings.floodSeconds) s")
        progress("   t(s)   sent/s   read/s  backlog  cpu%  daemon%  amisim%  other%  rss(MB)  inspect(ms)")

        async let changes = changesUntil(ends, daemon)
        var samples: [FloodSample] = []
        var previous = start
        var previousSent = sentBefore
        var previousRead = before.eventsRead
        var atFloodEnd = start
        var drainedAfter: Double?
        var sent = sentBefore
        var read = before.eventsRead
        var tick = 0
        let giveUp = ends.advanced(by: .seconds(120))
        while true {
            tick += 1
            try await Task.sleep(until: start.at.advanced(by: .seconds(tick)), clock: .continuous)
            // The daemon first, then the simulator: the backlog can only be overstated by the
            // events sent between the two reads, never understated.
            let asked = ContinuousClock.now
            // Read and acted on: the reader counts as it reads; some may still be queued for the daemon's thread.
            read = await daemon.inspect { $0.metrics.eventsRead - $0.metrics.eventsQueued }
            let inspectTime = asked.duration(to: .now).milliseconds
            sent = simulator.eventsSent()[session] ?? sent
            let now = ProcessSample.now(roles: roles)
            let wall = previous.at.duration(to: now.at).seconds
            let sample = FloodSample(
                second: start.at.duration(to: now.at).seconds, sent: sent - sentBefore, read: read - before.eventsRead,
                sentPerSecond: Double(sent - previousSent) / wall, readPerSecond: Double(read - previousRead) / wall,
                backlog: sent - read, cpuPercent: now.cpuPercent(since: previous),
                daemonPercent: now.threadPercent("daemon", since: previous),
                simulatorPercent: now.threadPercent("amisim", since: previous), otherPercent: now.threadPercent("other", since: previous),
                residentKiB: now.residentKiB,
                inspectMilliseconds: inspectTime)
            samples.append(sample)
            progress(
                String(
                    format: "  %5.1f  %7.0f  %7.0f  %7d  %4.0f  %7.0f  %7.0f  %6.0f  %7.1f  %11.2f", sample.second, sample.sentPerSecond,
                    sample.readPerSecond, sample.backlog, sample.cpuPercent, sample.daemonPercent, sample.simulatorPercent,
                    sample.otherPercent, Double(sample.residentKiB) / 1024, sample.inspectMilliseconds))
            watchdog.advance()
            if now.at <= ends.advanced(by: .milliseconds(500)) { atFloodEnd = now }
            let emissionOver = now.at >= ends && sent == previousSent
            if emissionOver && read == sent {
                drainedAfter = sample.second
                break
            }
            if now.at >= giveUp { break }
            previous = now
            previousSent = sent
            previousRead = read
        }
        let timings = try await changes
        let reconnects = await daemon.inspect { $0.metrics.reconnects }
        return FloodResult(
            samples: samples, start: start, atFloodEnd: atFloodEnd, floodEndSecond: start.at.duration(to: atFloodEnd.at).seconds,
            drainedAfter: drainedAfter, sentToSession: sent, readBySession: read, sentBefore: sentBefore, readBefore: before.eventsRead,
            floodEmitted: sink.floodEmitted, reconnects: reconnects, timings: timings)
    }

    /// Status changes at `floodChangesPerSecond` until `end`, measured like the others.
    func changesUntil(_ end: ContinuousClock.Instant, _ daemon: Daemon) async throws -> [ChangeTiming] {
        try await changes(perSecond: settings.floodChangesPerSecond, until: end, sequence: sequence) { try await change(daemon) }
    }
}
