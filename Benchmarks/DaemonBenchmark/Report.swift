import ControlPort
import Daemon
import Foundation

struct Report {
    var loadAtStart: String
    var loadAtEnd: String
    var processStart: ProcessSample
    var beforeDaemon: ProcessSample
    var afterStart: ProcessSample
    var loggedIn: ProcessSample
    var afterChanges: ProcessSample
    var afterFlood: ProcessSample
    var loginSeconds: Double
    var timings: [ChangeTiming]
    var changeSeconds: Double
    var flood: Benchmark.FloodResult
    var metrics: DaemonMetrics
    var unexpectedQueueActions: Int
    var database: String
}

/// Events of the flood's ten-event cycle that a `system,call,agent,user` mask lets through:
/// Newchannel, Newstate, DeviceStateChange, SoftHangupRequest, Hangup (class `call`); VarSet and
/// Newexten (class `dialplan`) are not sent to the daemon's session.
func floodEventsInCallClass(emitted: Int) -> Int {
    let callSteps: Set<Int> = [0, 4, 6, 8, 9]
    return emitted / 10 * callSteps.count + (0..<emitted % 10).filter(callSteps.contains).count
}

func megabytes(_ kib: Int) -> String { format(Double(kib) / 1024, 1) }

extension Benchmark {
    func report(_ r: Report) {
        var out: [String] = []
        func line(_ text: String = "") { out.append(text) }
        func row(_ name: String, _ values: [Double]) {
            let p = Percentiles(values)
            line(
                "  " + name.padding(toLength: 32, withPad: " ", startingAt: 0)
                    + String(format: "%6d  %7.3f  %7.3f  %7.3f  %8.3f  %7.3f", values.count, p(0.5), p(0.9), p(0.99), p.max, p.mean))
        }
        let header = "  " + "".padding(toLength: 32, withPad: " ", startingAt: 0) + "     n      p50      p90      p99       max     mean"

        let adds = r.timings.filter { !$0.leavesQueues }
        let removes = r.timings.filter(\.leavesQueues)
        let flood = r.flood
        let emission = flood.samples.filter { $0.second <= Double(settings.floodSeconds) + 0.5 }
        let sentDuringFlood = flood.sentToSession - flood.sentBefore
        let readDuringFlood = flood.readBySession - flood.readBefore
        let unread = flood.sentToSession - flood.readBySession
        let floodCall = flood.floodEmitted.map(floodEventsInCallClass)
        let floodWall = flood.start.at.duration(to: flood.atFloodEnd.at).seconds
        let readInEmission = emission.last?.read ?? 0
        let residents = flood.samples.map(\.residentKiB)
        let fileSystem = fileSystemType(of: r.database)

        line("==== DaemonBenchmark: the real Daemon against AMISimulator, one process ====")
        line("machine: \(r.loadAtStart) at start; \(r.loadAtEnd) at end")
        line(
            "set-up: \(settings.agents) agents logged in, \(CallCenter.queueCount) queues, \(CallCenter.skillCount) skills, "
                + "2 or 3 queues per agent (\(center.totalMemberships) memberships)")
        line("        store: SQLite (WAL, synchronous = FULL) in a temp dir on \(fileSystem); logs: notice level, LineLogSink text on stderr")
        line("logins: \(settings.agents) in \(format(r.loginSeconds, 1)) s (\(format(Double(settings.agents) / r.loginSeconds, 0))/s)")
        line()
        line("1. Latency: t0 just before daemon.submit(setStatus), t1 the simulator reads the change's first queue action (ms)")
        line("   \(settings.changes) changes measured after \(settings.warmup) warm-up, one at a time: connected <-> break (activate_skills = no)")
        line(header)
        row("QueueAdd    (break->connected)", adds.map(\.first))
        row("QueueRemove (connected->break)", removes.map(\.first))
        row("QueueAdd, last of the change", adds.map(\.last))
        row("QueueRemove, last of change", removes.map(\.last))
        row("reply (after store commit)", r.timings.map(\.reply))
        let worst = max(Percentiles(adds.map(\.first))(0.99), Percentiles(removes.map(\.first))(0.99))
        line("   target p99 < 2 ms: \(worst < 2 ? "met" : "MISSED") (worst p99 \(format(worst)) ms)")
        line(
            "   \(settings.changes) changes in \(format(r.changeSeconds, 2)) s = \(format(Double(settings.changes) / r.changeSeconds, 0)) changes/s "
                + "(each waits for the previous one's reply and queue actions)")
        line()
        line("2. Flood: \(settings.floodRate) events/s for \(settings.floodSeconds) s, \(settings.floodChangesPerSecond) status changes/s meanwhile")
        if let emitted = flood.floodEmitted, let floodCall {
            line("   flood emitted \(emitted) events (all classes); \(floodCall) of them are class call, the rest dialplan (not in the daemon's mask)")
            line(
                "   sent to the daemon's session during the run: \(sentDuringFlood) = \(floodCall) flood + \(sentDuringFlood - floodCall) "
                    + "from the status changes (QueueMember* events)")
        } else {
            line("   the flood did not report its end (amisim.flood_finished): \(sentDuringFlood) events sent to the daemon's session")
        }
        line(
            "   read by the daemon: \(readDuringFlood); unread at the end: \(unread) -> \(unread == 0 ? "no loss" : "LOSS OR BACKLOG LEFT")"
                + "; reconnects: \(flood.reconnects)")
        let perSecond = Percentiles(emission.dropFirst().map(\.readPerSecond))
        line(
            "   events/s read: \(format(Double(readInEmission) / max(floodWall, 0.001), 0)) mean over the emission (\(format(floodWall, 1)) s); "
                + "per second min \(format(perSecond(0), 0)) / median \(format(perSecond(0.5), 0)) / max \(format(perSecond.max, 0))")
        line(
            "   offered to the session: \(format(Double(sentDuringFlood) / Double(max(settings.floodSeconds, 1)), 0)) events/s; "
                + "caught up \(flood.drainedAfter.map { format($0, 1) + " s after the flood started" } ?? "NEVER (gave up)")")
        if let peak = flood.samples.max(by: { $0.backlog < $1.backlog }) {
            line("   backlog (sent, not yet read): max \(peak.backlog) events at \(format(peak.second, 1)) s; \(unread) at the end")
        }
        let inspect = Percentiles(flood.samples.map(\.inspectMilliseconds))
        line("   daemon loop responsiveness (inspect round trip under flood): median \(format(inspect(0.5), 2)) ms, max \(format(inspect.max, 2)) ms")
        let end = flood.atFloodEnd
        let start = flood.start
        line(
            "   CPU over the emission (% of one core): process \(format(end.cpuPercent(since: start), 0)), "
                + "daemon thread \(format(end.threadPercent("daemon", since: start), 0)), "
                + "simulator thread \(format(end.threadPercent("amisim", since: start), 0)), "
                + "other threads (the daemon's AMI reactor, benchmark tasks, runtime) \(format(end.threadPercent("other", since: start), 0))")
        line(
            "   RSS (MB, VmRSS of the whole process = simulator + daemon): min \(megabytes(residents.min() ?? 0)), "
                + "max \(megabytes(residents.max() ?? 0)) during the flood; peak VmHWM \(megabytes(r.afterFlood.peakResidentKiB))")
        line()
        line("Memory through the run (MB; simulator and daemon share the process):    VmRSS  = anon + file")
        func memory(_ label: String, _ sample: ProcessSample, _ note: String = "") {
            line(
                "   " + label.padding(toLength: 40, withPad: " ", startingAt: 0)
                    + "\(megabytes(sample.residentKiB).leftPadded(6, with: " "))  \(megabytes(sample.anonymousKiB).leftPadded(6, with: " "))"
                    + "  \(megabytes(sample.fileKiB).leftPadded(6, with: " "))\(note)")
        }
        memory("process start (runtime only)", r.processStart)
        memory("simulator up, before the daemon", r.beforeDaemon, "   <- baseline")
        memory("daemon started (store, config, AMI)", r.afterStart)
        memory("\(settings.agents) agents logged in", r.loggedIn)
        memory("after the latency run", r.afterChanges)
        memory("after the flood", r.afterFlood)
        let daemonShare = (residents.max() ?? 0) - r.beforeDaemon.residentKiB
        line(
            "   max during the flood minus the baseline: \(megabytes(daemonShare)) MB: the daemon plus what the simulator grew by "
                + "(\(center.totalMemberships) members, recorded actions, output buffers)")
        line("   target RSS < 50 MB: whole process \(((residents.max() ?? 0) < 50 * 1024) ? "under" : "OVER") 50 MB")
        line()
        let latency = r.metrics.effectLatency
        line(
            "Latency under the flood (same measure as 1., \(flood.timings.count) changes): QueueAdd p50 "
                + "\(format(Percentiles(flood.timings.filter { !$0.leavesQueues }.map(\.first))(0.5))) / p99 "
                + "\(format(Percentiles(flood.timings.filter { !$0.leavesQueues }.map(\.first))(0.99))) ms; QueueRemove p50 "
                + "\(format(Percentiles(flood.timings.filter(\.leavesQueues).map(\.first))(0.5))) / p99 "
                + "\(format(Percentiles(flood.timings.filter(\.leavesQueues).map(\.first))(0.99))) ms")
        line(
            "Daemon metrics: eventsRead \(r.metrics.eventsRead), actionsSent \(r.metrics.actionsSent.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")), "
                + "actionsFailed \(r.metrics.actionsFailed.values.reduce(0, +)), storeFailures \(r.metrics.storeFailures), reconciles \(r.metrics.reconciles), "
                + "effectLatency (input -> Asterisk's answer) n \(latency.count) mean \(format(latency.count > 0 ? latency.sum / Double(latency.count) : 0)) ms")
        line("Queue actions outside the measured changes: \(r.unexpectedQueueActions)")
        print(out.joined(separator: "\n"))
    }
}

/// The file system type of the directory holding `path` (`ext4`, `tmpfs`), from /proc/self/mounts.
func fileSystemType(of path: String) -> String {
    guard let mounts = try? String(contentsOfFile: "/proc/self/mounts", encoding: .utf8) else { return "?" }
    var best = ("", "?")
    for entry in mounts.split(separator: "\n") {
        let fields = entry.split(separator: " ")
        guard fields.count > 2 else { continue }
        let point = String(fields[1])
        if path.hasPrefix(point), point.count > best.0.count { best = (point, String(fields[2])) }
    }
    return "\(best.1) (\(best.0))"
}
