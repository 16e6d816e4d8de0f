// The daemon's own memory (issue 4: "RSS under 50 MB"): the real `ccagentd` binary as a child
// process, the simulator in this one, so /proc/<pid> of the child is the daemon and nothing else.
//
//   Benchmarks/run-daemon-rss.sh        (DAEMON_BINARY=<ccagentd> selects this mode)
//
// Agents log in and change status through their phones' feature codes (`UserEvent: ccagentd`
// from a second manager session), as in production until the control API exists. Phases: start,
// AGENTS logins, WARMUP + CHANGES status changes, FLOOD_RATE events/s for FLOOD_SECONDS with
// FLOOD_CHANGES_PER_SECOND changes meanwhile, SETTLE_SECONDS of quiet. VmRSS, VmHWM and CPU
// are sampled every second during the flood and the quiet after it.
//
// Backlog and loss: every second, the simulator's count of events sent to the daemon's session
// minus the daemon's `ccagentd_ami_events_read_total` (GET /metrics, answered on the daemon's
// thread: its round trip shows how responsive that thread is), and the simulator's unsent output
// for the session (grows when the reader falls behind); each status change's latency (its
// UserEvent queues behind every flood event in the same session); at the end, the `events_read`
// the daemon logs when it stops against the events the simulator sent its session.
import AMI
import AMISimulator
import AgentCore
import Foundation
import SystemSupport

final class ProcessBenchmark: Sendable {
    let settings: BenchmarkSettings
    let binary: String
    let center: CallCenter
    let sink = CapturingLogSink(next: LineLogSink(format: .text, fileDescriptor: 2))
    let watch = ActionWatch()
    let watchdog = Watchdog(limit: .seconds(60))
    let sequence = Counter()
    let freeze: StoreFreeze?

    init(settings: BenchmarkSettings, binary: String) throws {
        self.settings = settings
        self.binary = binary
        center = CallCenter(agents: settings.agents)
        freeze = try StoreFreeze.fromSettings(settings)
    }

    struct Result {
        var loadAtStart: String
        var loadAtEnd: String
        var phases: [(String, ChildSample)]
        var floodSamples: [ProcessFloodSample]
        var loginSeconds: Double
        var changeTimings: [Double]
        var floodTimings: [Double]
        var finalChange: Double
        var floodEmitted: Int?
        var sentDuringFlood: Int
        var sentTotal: Int
        var eventsRead: Int?
        var exitStatus: Int32
        var floodStart: ChildSample
        var floodEnd: ChildSample
        var mappings: [(name: String, kib: Int)]
        /// A second ccagentd on the same store, once it has restored and reconciled everybody.
        var restart: ChildSample
    }

    func run() async throws {
        let loadAtStart = machineLoad()
        progress("DaemonBenchmark (daemon as a process: \(binary)): \(settings.agents) agents; \(loadAtStart)")
        watchdog.start { [watch] in watch.pendingDescription }

        let simulator = try AMISimulator(configuration: CallCenter.simulatorConfiguration(), logger: Logger(level: .notice, sink: sink))
        let port = try simulator.start()
        simulator.setActionObserver { [watch] in watch.observe($0) }

        let directory = URL(fileURLWithPath: settings.temporaryRoot).appendingPathComponent("daemon-rss-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let configPath = directory.appendingPathComponent("ccagentd.conf").path
        try center.configurationText(port: port, database: directory.appendingPathComponent("ccagentd.sqlite").path)
            .write(toFile: configPath, atomically: true, encoding: .utf8)

        let daemon = try ChildDaemon(executable: binary, configPath: configPath)
        var phases: [(String, ChildSample)] = []
        let ready = try await daemon.waitForEvent("daemon.ready", timeout: .seconds(60))
        guard ready.line.contains("status=\"connected") else { throw BenchmarkFailure("the daemon did not connect:\n\(daemon.tail)") }
        phases.append(("ready (config, store, AMI, API)", ChildSample.read(pid: daemon.pid)))
        let listening = try await daemon.waitForEvent("api.listening", timeout: .seconds(1))
        guard let apiPort = listening.fields["address"]?.split(separator: ":").last.flatMap({ Int($0) }) else {
            throw BenchmarkFailure("no API port in \(listening.line)")
        }
        let metrics = MetricsProbe(port: apiPort)
        // The daemon's is the only session so far; the phones' sees no events.
        let sessions = simulator.eventsSent()
        guard sessions.count == 1, let session = sessions.keys.first else {
            throw BenchmarkFailure("expected the daemon's session alone on the simulator, found \(sessions.count)")
        }
        let phones = try PhoneDriver(port: port)
        try await phones.connect()

        watchdog.phase("logins")
        let loginsBegan = ContinuousClock.now
        for agent in 0..<settings.agents {
            watch.arm(action: "QueueAdd", interface: center.interface(agent), queues: center.queues(of: agent))
            try await phones.login(extension: center.extensionID(agent))
            _ = await watch.wait()
            watchdog.advance()
        }
        let loginSeconds = loginsBegan.duration(to: .now).seconds
        try await converge(simulator)
        phases.append(("\(settings.agents) agents logged in", ChildSample.read(pid: daemon.pid)))
        progress("logged in: \(settings.agents) agents in \(format(loginSeconds, 1)) s")

        watchdog.phase("changes")
        for _ in 0..<settings.warmup { _ = try await change(phones) }
        var changeTimings: [Double] = []
        for _ in 0..<settings.changes { changeTimings.append(try await change(phones)) }
        if sequence.value % 2 == 1 { _ = try await change(phones) }
        try await converge(simulator)
        phases.append(("after \(settings.warmup + settings.changes) status changes", ChildSample.read(pid: daemon.pid)))
        progress("changes: \(settings.warmup + settings.changes) done")

        watchdog.phase("flood")
        let sentBefore = simulator.eventsSent()[session] ?? 0
        let flood = try await runFlood(simulator, phones, daemon: daemon, metrics: metrics, session: session)
        phases.append(("after the flood and \(settings.settleSeconds) s of quiet", flood.samples.last?.child ?? ChildSample.read(pid: daemon.pid)))

        // Every event before this change's UserEvent has been handled once its queue action arrives.
        let finalChange = try await change(phones)
        let closing = try await change(phones)
        try await Task.sleep(for: .seconds(1))
        let sentTotal = simulator.eventsSent()[session] ?? 0
        let end = ChildSample.read(pid: daemon.pid)
        phases.append(("before SIGTERM", end))
        let mappings = residentByMapping(pid: daemon.pid)
        watchdog.stop()
        let status = try await daemon.terminate()
        let stopped = daemon.output.compactMap(LogLine.init).last(where: { $0.event == "daemon.stopped" })
        await phones.shutdown()

        // A restart on the same store: 2,000 agents restored, then reconciled against Asterisk's
        // 5,000 members (QueueStatus lists every one of them in one answer).
        let restarted = try ChildDaemon(executable: binary, configPath: configPath)
        _ = try await restarted.waitForEvent("daemon.ready", timeout: .seconds(60))
        try await Task.sleep(for: .seconds(1))
        let restart = ChildSample.read(pid: restarted.pid)
        _ = try await restarted.terminate()
        simulator.stop()

        report(
            Result(
                loadAtStart: loadAtStart, loadAtEnd: machineLoad(), phases: phases, floodSamples: flood.samples,
                loginSeconds: loginSeconds, changeTimings: changeTimings, floodTimings: flood.timings,
                finalChange: max(finalChange, closing), floodEmitted: sink.floodEmitted,
                sentDuringFlood: flood.sentAtEnd - sentBefore, sentTotal: sentTotal,
                eventsRead: stopped?.fields["events_read"].flatMap { Int($0) }, exitStatus: status,
                floodStart: flood.start, floodEnd: flood.emissionEnd, mappings: mappings, restart: restart))
    }

    /// The next change of the sequence from agent k/2's phone (break, then connected), and the
    /// milliseconds from its `UserEvent` to the first queue action it caused.
    func change(_ phones: PhoneDriver) async throws -> Double {
        let step = sequence.next()
        let agent = (step / 2) % settings.agents
        let leaves = step % 2 == 0
        watch.arm(action: leaves ? "QueueRemove" : "QueueAdd", interface: center.interface(agent), queues: center.queues(of: agent))
        let t0 = ContinuousClock.now
        try await phones.setStatus(leaves ? CallCenter.breakStatus : "connected", extension: center.extensionID(agent))
        let arrivals = await watch.wait()
        watchdog.advance()
        return t0.duration(to: arrivals.first).milliseconds
    }

    func converge(_ simulator: AMISimulator) async throws {
        let deadline = ContinuousClock.now.advanced(by: .seconds(120))
        var members = 0
        while ContinuousClock.now < deadline {
            members = (0..<CallCenter.queueCount).reduce(0) { $0 + simulator.members(of: CallCenter.queueName($1)).count }
            if members == center.totalMemberships { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw BenchmarkFailure("Asterisk holds \(members) memberships, \(center.totalMemberships) expected")
    }
}

struct ProcessFloodSample {
    var second: Double
    var sentPerSecond: Double
    /// The simulator's unsent output for the daemon's session, in bytes.
    var pendingBytes: Int
    /// Sent to the daemon's session and not yet counted by it (from /metrics); nil when it did not answer.
    var backlog: Int?
    var metricsMilliseconds: Double?
    var cpuPercent: Double
    var busiest: [Double]
    var child: ChildSample
}

extension ProcessBenchmark {
    struct Flood {
        var samples: [ProcessFloodSample]
        var timings: [Double]
        var start: ChildSample
        var emissionEnd: ChildSample
        var sentAtEnd: Int
    }

    func runFlood(
        _ simulator: AMISimulator, _ phones: PhoneDriver, daemon: ChildDaemon, metrics: MetricsProbe, session: Int
    ) async throws -> Flood {
        let duration = Duration.seconds(settings.floodSeconds)
        let start = ChildSample.read(pid: daemon.pid)
        var sent = simulator.eventsSent()[session] ?? 0
        simulator.flood(eventsPerSecond: settings.floodRate, duration: duration)
        let ends = start.at.advanced(by: duration)
        progress("flood: \(settings.floodRate) events/s for \(settings.floodSeconds) s, then \(settings.settleSeconds) s of quiet")
        progress("   t(s)   sent/s  backlog  metrics(ms)  pending(B)  cpu%  busiest thread %    rss(MB)  hwm(MB)  anon(MB)")

        async let changes = changesUntil(ends, phones)
        async let frozen: Void = freeze?.run(from: start.at) ?? ()
        var samples: [ProcessFloodSample] = []
        var previous = start
        var emissionEnd = start
        var tick = 0
        let quietUntil = ends.advanced(by: .seconds(settings.settleSeconds))
        while ContinuousClock.now < quietUntil {
            tick += 1
            try await Task.sleep(until: start.at.advanced(by: .seconds(tick)), clock: .continuous)
            // The daemon first, then the simulator: the backlog can only be overstated, never understated.
            let reading = metrics.read()
            let nowSent = simulator.eventsSent()[session] ?? sent
            let pending = simulator.pendingOutput()[session] ?? 0
            let child = ChildSample.read(pid: daemon.pid)
            let wall = previous.at.duration(to: child.at).seconds
            let sample = ProcessFloodSample(
                second: start.at.duration(to: child.at).seconds, sentPerSecond: Double(nowSent - sent) / wall, pendingBytes: pending,
                backlog: reading.flatMap { backlog(sent: nowSent, $0.values) }, metricsMilliseconds: reading?.milliseconds,
                cpuPercent: child.cpuPercent(since: previous), busiest: child.busiestThreads(since: previous), child: child)
            samples.append(sample)
            progress(
                String(
                    format: "  %5.1f  %7.0f  %@  %@  %10d  %4.0f  %16@  %7.1f  %7.1f  %8.1f", sample.second, sample.sentPerSecond,
                    (sample.backlog.map(String.init) ?? "?").leftPadded(7, with: " ") as NSString,
                    (reading.map { format($0.milliseconds, 2) } ?? "none").leftPadded(11, with: " ") as NSString, pending,
                    sample.cpuPercent, sample.busiest.map { format($0, 0) }.joined(separator: " ").leftPadded(16, with: " ") as NSString,
                    Double(child.residentKiB) / 1024, Double(child.peakResidentKiB) / 1024, Double(child.anonymousKiB) / 1024))
            watchdog.advance()
            if child.at <= ends.advanced(by: .milliseconds(500)) { emissionEnd = child }
            previous = child
            sent = nowSent
        }
        try await frozen
        return Flood(samples: samples, timings: try await changes, start: start, emissionEnd: emissionEnd, sentAtEnd: sent)
    }

    /// Events sent to the daemon's session and not acted on yet: not read, or read and still
    /// queued for the daemon's thread (a daemon without that gauge counts events as it handles them).
    func backlog(sent: Int, _ metrics: [String: Double]) -> Int? {
        guard let read = metrics["ccagentd_ami_events_read_total"] else { return nil }
        return sent - Int(read) + Int(metrics["ccagentd_ami_events_queued"] ?? 0)
    }

    func changesUntil(_ end: ContinuousClock.Instant, _ phones: PhoneDriver) async throws -> [Double] {
        try await changes(perSecond: settings.floodChangesPerSecond, until: end, sequence: sequence) { try await change(phones) }
    }
}
