#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// The child's memory and CPU at one moment, from `/proc/<pid>/status`, `stat` and `task/*/stat`.
struct ChildSample {
    var at: ContinuousClock.Instant
    /// VmRSS, VmHWM (the peak since start), RssAnon, RssFile in KiB.
    var residentKiB: Int
    var peakResidentKiB: Int
    var anonymousKiB: Int
    var fileKiB: Int
    var threads: Int
    /// utime + stime of the whole process, and by thread id, in seconds.
    var cpuSeconds: Double
    var threadSeconds: [Int32: Double]

    static func read(pid: Int32) -> ChildSample {
        var status: [String: Int] = [:]
        if let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) {
            for line in text.split(separator: "\n") {
                let parts = line.split(whereSeparator: { $0 == ":" || $0 == " " || $0 == "\t" })
                if parts.count >= 2, let value = Int(parts[1]) { status[String(parts[0])] = value }
            }
        }
        var threadSeconds: [Int32: Double] = [:]
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        for task in tasks {
            guard let id = Int32(task), let seconds = cpuSeconds(statFile: "/proc/\(pid)/task/\(task)/stat") else { continue }
            threadSeconds[id] = seconds
        }
        return ChildSample(
            at: .now, residentKiB: status["VmRSS"] ?? 0, peakResidentKiB: status["VmHWM"] ?? 0, anonymousKiB: status["RssAnon"] ?? 0,
            fileKiB: status["RssFile"] ?? 0, threads: status["Threads"] ?? 0,
            cpuSeconds: cpuSeconds(statFile: "/proc/\(pid)/stat") ?? 0, threadSeconds: threadSeconds)
    }

    /// Fields 14 and 15 (utime, stime) of a `stat` file, in seconds.
    private static func cpuSeconds(statFile: String) -> Double? {
        guard let stat = try? String(contentsOfFile: statFile, encoding: .utf8), let close = stat.lastIndex(of: ")") else { return nil }
        // After ") ": field 3 (state) is index 0, so utime (14) is index 11 and stime (15) index 12.
        let rest = stat[stat.index(after: close)...].split(separator: " ")
        guard rest.count > 12, let user = Double(rest[11]), let system = Double(rest[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// CPU between `earlier` and this sample, in % of one core.
    func cpuPercent(since earlier: ChildSample) -> Double {
        let wall = earlier.at.duration(to: at).seconds
        return wall > 0 ? (cpuSeconds - earlier.cpuSeconds) / wall * 100 : 0
    }

    /// The busiest threads between `earlier` and now, in % of one core, busiest first (the
    /// daemon's loop and the AMI reader: the kernel knows them only by thread id).
    func busiestThreads(since earlier: ChildSample, count: Int = 2) -> [Double] {
        let wall = earlier.at.duration(to: at).seconds
        guard wall > 0 else { return [] }
        let used = threadSeconds.map { id, seconds in (seconds - (earlier.threadSeconds[id] ?? 0)) / wall * 100 }
        return Array(used.sorted(by: >).prefix(count))
    }
}

/// Where a process's resident memory is, by mapping (`/proc/<pid>/smaps`): each shared library,
/// the binary, `[heap]`, anonymous mappings (malloc's other arenas, thread stacks), in KiB.
func residentByMapping(pid: Int32) -> [(name: String, kib: Int)] {
    // Read to the end: /proc files report size 0, and a sized read stops short on a big one.
    guard let handle = FileHandle(forReadingAtPath: "/proc/\(pid)/smaps"), let data = try? handle.readToEnd() else { return [] }
    let text = String(decoding: data, as: UTF8.self)
    var totals: [String: Int] = [:]
    var current = "?"
    for line in text.split(separator: "\n") {
        let words = line.split(separator: " ", omittingEmptySubsequences: true)
        guard let first = words.first else { continue }
        if first.contains("-"), first.first?.isHexDigit == true {
            // `start-end perms offset dev inode [path]`
            current = words.count > 5 ? String(words[5...].joined(separator: " ").split(separator: "/").last ?? "?") : "[anon]"
        } else if first == "Rss:", words.count > 1, let kib = Int(words[1]) {
            totals[current, default: 0] += kib
        }
    }
    return totals.map { (name: $0.key, kib: $0.value) }.sorted { $0.kib > $1.kib }
}
