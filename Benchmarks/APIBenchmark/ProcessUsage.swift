#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// CPU time and memory of this process (simulator, daemon, API server and clients together).
struct ProcessUsage: Sendable {
    var at: ContinuousClock.Instant
    /// User plus system CPU time of every thread, in seconds.
    var cpuSeconds: Double
    /// Peak resident set so far (`VmHWM`) and now (`VmRSS`), in KiB.
    var peakResidentKiB: Int
    var residentKiB: Int
    /// CPU time of the simulator's, the daemon's and the HTTP server's threads (nil: not found).
    var simulatorSeconds: Double?
    var daemonSeconds: Double?
    var httpSeconds: Double?

    static func now(threads: ServerThreads) -> ProcessUsage {
        let status = procStatus()
        return ProcessUsage(
            at: .now, cpuSeconds: cpuSeconds(RUSAGE_SELF), peakResidentKiB: status["VmHWM"] ?? 0, residentKiB: status["VmRSS"] ?? 0,
            simulatorSeconds: threads.simulator.map(ThreadCPU.seconds), daemonSeconds: threads.daemon.map(ThreadCPU.seconds),
            httpSeconds: threads.http.map(ThreadCPU.seconds))
    }

    /// CPU used between `earlier` and this sample, as a percentage of one core.
    func cpuPercent(since earlier: ProcessUsage) -> Double { percent(cpuSeconds - earlier.cpuSeconds, since: earlier) }

    /// The same for one of the server's threads (`\.daemonSeconds`); nil when it was not found.
    func cpuPercent(of thread: KeyPath<ProcessUsage, Double?>, since earlier: ProcessUsage) -> Double? {
        guard let now = self[keyPath: thread], let then = earlier[keyPath: thread] else { return nil }
        return percent(now - then, since: earlier)
    }

    /// `seconds` of CPU over the time since `earlier`, as a percentage of one core.
    func percent(_ seconds: Double, since earlier: ProcessUsage) -> Double {
        let wall = earlier.at.duration(to: at).seconds
        return wall > 0 ? seconds / wall * 100 : 0
    }

    /// CPU time of the calling thread alone: each client adds up its own, so the server's share
    /// is the process's minus the clients'.
    static func threadCPUSeconds() -> Double { cpuSeconds(rusageThread) }

    /// Linux's `RUSAGE_THREAD`, which Glibc's Swift module does not export (it is behind `__USE_GNU`).
    private static let rusageThread = __rusage_who(rawValue: 1)

    private static func cpuSeconds(_ who: __rusage_who) -> Double {
        var usage = rusage()
        getrusage(who.rawValue, &usage)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// The `Vm…` lines of `/proc/self/status` (`VmHWM:     73728 kB`), in KiB.
    private static func procStatus() -> [String: Int] {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return [:] }
        return text.split(separator: "\n").reduce(into: [:]) { values, line in
            guard line.hasPrefix("Vm"), let colon = line.firstIndex(of: ":"),
                let value = Int(line[line.index(after: colon)...].trimmingSpaces.prefix { $0.isNumber })
            else { return }
            values[String(line[..<colon])] = value
        }
    }
}

/// `uptime`'s three load averages and the CPU count: how busy the machine was.
func machineLoad() -> String {
    let averages = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ")
    return "load average \(averages ?? "?") on \(ProcessInfo.processInfo.activeProcessorCount) CPUs"
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

/// Progress and diagnostics go to standard error at once (Glibc's `stderr` global is not
/// usable in Swift 6).
func progress(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
