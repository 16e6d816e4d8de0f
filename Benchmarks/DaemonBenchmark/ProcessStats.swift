#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization

/// The threads the figures name, by thread id. The loops' thread names (`daemon`, `ami`,
/// `amisim`) do not reach the kernel (ps, perf and /proc show the runtime's name), so each id is
/// read on its thread: the daemon's by `inspect`, the simulator's from its action observer.
final class ThreadRoles: Sendable {
    private let roles = Mutex<[Int32: String]>([:])

    /// Records the calling thread as `role`, once.
    func noteCurrentThread(as role: String) {
        // `/proc/thread-self` links to `<pid>/task/<tid>` (gettid(2) is not in Swift's Glibc module).
        guard let link = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/thread-self"),
            let id = link.split(separator: "/").last.flatMap({ Int32($0) })
        else { return }
        roles.withLock { roles in
            if roles[id] == nil { roles[id] = role }
        }
    }

    func role(of thread: Int32) -> String { roles.withLock { $0[thread] } ?? "other" }
}

/// What the process (simulator and daemon together) uses at one moment, from `/proc` and
/// `getrusage`.
struct ProcessSample {
    var at: ContinuousClock.Instant
    /// User plus system CPU time of the whole process, in seconds.
    var cpuSeconds: Double
    /// CPU seconds by thread role (`daemon`, `amisim`, `other`: the AMI reactor, the benchmark's tasks, the runtime).
    var threadSeconds: [String: Double]
    /// Resident set now and its peak so far, in KiB.
    var residentKiB: Int
    var peakResidentKiB: Int
    /// The resident set split: anonymous (heaps, stacks) and file-backed (the binary, libswiftCore,
    /// Foundation, ICU's data and the other shared libraries' pages that were touched).
    var anonymousKiB: Int
    var fileKiB: Int

    static func now(roles: ThreadRoles? = nil) -> ProcessSample {
        let status = procStatus()
        return ProcessSample(
            at: .now, cpuSeconds: processCPUSeconds(), threadSeconds: roles.map(threadCPUSeconds) ?? [:],
            residentKiB: status["VmRSS"] ?? 0, peakResidentKiB: status["VmHWM"] ?? 0, anonymousKiB: status["RssAnon"] ?? 0,
            fileKiB: status["RssFile"] ?? 0)
    }

    /// CPU used between `earlier` and this sample, as a percentage of one core.
    func cpuPercent(since earlier: ProcessSample) -> Double {
        let wall = earlier.at.duration(to: at).seconds
        return wall > 0 ? (cpuSeconds - earlier.cpuSeconds) / wall * 100 : 0
    }

    /// The same for the threads of one role.
    func threadPercent(_ role: String, since earlier: ProcessSample) -> Double {
        let wall = earlier.at.duration(to: at).seconds
        guard wall > 0 else { return 0 }
        return ((threadSeconds[role] ?? 0) - (earlier.threadSeconds[role] ?? 0)) / wall * 100
    }

    private static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// `VmRSS`, `VmHWM`, `RssAnon`, … of `/proc/self/status` in KiB.
    private static func procStatus() -> [String: Int] {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return [:] }
        var values: [String: Int] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("Vm") || line.hasPrefix("Rss") {
            let parts = line.split(whereSeparator: { $0 == ":" || $0 == " " || $0 == "\t" })
            if parts.count >= 2, let value = Int(parts[1]) { values[String(parts[0])] = value }
        }
        return values
    }

    /// utime + stime (fields 14 and 15 of `/proc/self/task/<tid>/stat`) by thread role.
    private static func threadCPUSeconds(_ roles: ThreadRoles) -> [String: Double] {
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        guard let tasks = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task") else { return [:] }
        var totals: [String: Double] = [:]
        for task in tasks {
            guard let id = Int32(task), let stat = try? String(contentsOfFile: "/proc/self/task/\(task)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { continue }
            // After ") ": field 3 (state) is index 0, so utime (14) is index 11 and stime (15) index 12.
            let rest = stat[stat.index(after: close)...].split(separator: " ")
            guard rest.count > 12, let user = Double(rest[11]), let system = Double(rest[12]) else { continue }
            totals[roles.role(of: id), default: 0] += (user + system) / ticks
        }
        return totals
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
    var milliseconds: Double { seconds * 1000 }
}

/// Nearest-rank percentiles of a sample, in the sample's unit.
struct Percentiles {
    let sorted: [Double]

    init(_ values: [Double]) { sorted = values.sorted() }

    func callAsFunction(_ fraction: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let rank = Int((fraction * Double(sorted.count)).rounded(.up))
        return sorted[Swift.min(Swift.max(rank, 1), sorted.count) - 1]
    }

    var max: Double { sorted.last ?? .nan }
    var mean: Double { sorted.isEmpty ? .nan : sorted.reduce(0, +) / Double(sorted.count) }
}

/// Writes to standard error at once (progress), without Glibc's `stderr` global.
func progress(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

func format(_ value: Double, _ digits: Int = 3) -> String { String(format: "%.\(digits)f", value) }

/// `uptime`'s load averages and the number of CPUs, to say how busy the machine was.
func machineLoad() -> String {
    let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?
        .split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
    return "load average \(load) on \(ProcessInfo.processInfo.activeProcessorCount) CPUs"
}
