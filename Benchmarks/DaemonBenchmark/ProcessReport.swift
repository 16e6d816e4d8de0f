import Foundation

extension ProcessBenchmark {
    func report(_ r: Result) {
        var out: [String] = []
        func line(_ text: String = "") { out.append(text) }
        func latencies(_ label: String, _ values: [Double]) {
            let p = Percentiles(values)
            line("   \(label): n \(values.count), p50 \(format(p(0.5), 2)) / p90 \(format(p(0.9), 2)) / p99 \(format(p(0.99), 2)) / max \(format(p.max, 2)) ms")
        }
        let flood = r.floodSamples.filter { $0.second <= Double(settings.floodSeconds) + 0.5 }
        let quiet = r.floodSamples.filter { $0.second > Double(settings.floodSeconds) + 0.5 }
        let peak = r.phases.map(\.1.peakResidentKiB).max() ?? 0

        line("==== DaemonBenchmark: ccagentd as a process (\(binary)), the simulator in the benchmark's ====")
        line("machine: \(r.loadAtStart) at start; \(r.loadAtEnd) at end")
        line(
            "set-up: \(settings.agents) agents in \(CallCenter.queueCount) queues (\(center.totalMemberships) memberships), "
                + "logged in and moved by phone feature codes (UserEvent); store: SQLite on \(fileSystemType(of: settings.temporaryRoot))")
        line("logins: \(settings.agents) in \(format(r.loginSeconds, 1)) s")
        line()
        line("Memory of ccagentd alone (MB):                    VmRSS    anon    file   VmHWM (peak so far)")
        for (label, sample) in r.phases {
            line(
                "   " + label.padding(toLength: 44, withPad: " ", startingAt: 0) + megabytes(sample.residentKiB).leftPadded(6, with: " ")
                    + megabytes(sample.anonymousKiB).leftPadded(8, with: " ") + megabytes(sample.fileKiB).leftPadded(8, with: " ")
                    + megabytes(sample.peakResidentKiB).leftPadded(8, with: " "))
        }
        let floodRSS = flood.map(\.child.residentKiB)
        let quietRSS = quiet.map(\.child.residentKiB)
        line(
            "   during the flood: VmRSS min \(megabytes(floodRSS.min() ?? 0)) / max \(megabytes(floodRSS.max() ?? 0)); "
                + "steady after it: \(megabytes(quietRSS.last ?? 0))")
        let top = r.mappings.prefix(8).map { "\($0.name) \(megabytes($0.kib))" }.joined(separator: ", ")
        line("   resident before SIGTERM by mapping (MB): \(top)")
        line(
            "   a restart on the same store (restore \(settings.agents) agents, reconcile \(center.totalMemberships) members): "
                + "VmRSS \(megabytes(r.restart.residentKiB)), VmHWM \(megabytes(r.restart.peakResidentKiB))")
        line("   target VmHWM < 50 MB over the whole run: \(peak < 50 * 1024 ? "met" : "MISSED") (peak \(megabytes(peak)) MB)")
        line()
        line("Flood: \(settings.floodRate) events/s for \(settings.floodSeconds) s (\(r.floodEmitted.map(String.init) ?? "?") emitted, all classes), "
            + "\(settings.floodChangesPerSecond) status changes/s meanwhile")
        line(
            "   sent to the daemon's session: \(r.sentDuringFlood) during the flood (\(format(Double(r.sentDuringFlood) / Double(max(settings.floodSeconds, 1)), 0))/s), "
                + "\(r.sentTotal) over the run")
        if let read = r.eventsRead {
            let lost = r.sentTotal - read
            line("   read by the daemon (events_read at daemon.stopped): \(read) -> \(lost == 0 ? "no event lost" : "\(lost) LOST")")
        } else {
            line("   the daemon logged no events_read at daemon.stopped: loss not checked")
        }
        if let freeze {
            line("   the store's file system was frozen (fsfreeze) for \(freeze.seconds) s, \(freeze.at) s into the flood: a disk that stalls every commit")
        }
        line("   exit status after SIGTERM: \(r.exitStatus)")
        let backlogs = r.floodSamples.compactMap(\.backlog)
        let unanswered = r.floodSamples.filter { $0.backlog == nil }.count
        line(
            "   backlog (sent to the session, not read or still queued for the daemon's thread, each second): max \(backlogs.max() ?? 0), "
                + "\(backlogs.last.map(String.init) ?? "?") at the end; /metrics unanswered \(unanswered) times")
        let scrape = Percentiles(r.floodSamples.compactMap(\.metricsMilliseconds))
        line("   daemon thread responsiveness (GET /metrics round trip): median \(format(scrape(0.5), 2)) ms, max \(format(scrape.max, 2)) ms")
        let pending = r.floodSamples.map(\.pendingBytes)
        line("   backlog at the simulator (unsent output for the daemon's session): max \(pending.max() ?? 0) bytes, \(pending.last ?? 0) at the end")
        latencies("status-change latency under the flood (UserEvent -> first queue action)", r.floodTimings)
        line("   first change after the flood: \(format(r.finalChange, 2)) ms (every flood event before it handled)")
        line(
            "   CPU of ccagentd over the emission: \(format(r.floodEnd.cpuPercent(since: r.floodStart), 0)) % of one core; busiest threads "
                + r.floodEnd.busiestThreads(since: r.floodStart).map { format($0, 0) + " %" }.joined(separator: ", "))
        line()
        latencies("status-change latency, quiet (\(settings.changes) measured)", r.changeTimings)
        print(out.joined(separator: "\n"))
    }
}
