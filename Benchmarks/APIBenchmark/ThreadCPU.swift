#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// The server's threads by role, and their CPU time. The event loops' names never reach the
/// kernel (every thread shows the runtime's name), so each is told by when it appeared: the
/// thread that exists after a constructor ran and not before is the loop it started.
enum ThreadCPU {
    /// The ids of the process's threads now.
    static func ids() -> Set<Int32> {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        return Set(tasks.compactMap { Int32($0) })
    }

    /// Runs `body` and returns the one thread it started, or nil when it started none or several
    /// (then the figure is left out rather than given for the wrong thread).
    static func startedThread<T>(by body: () throws -> T) rethrows -> (T, Int32?) {
        let before = ids()
        let result = try body()
        let started = ids().subtracting(before)
        return (result, started.count == 1 ? started.first : nil)
    }

    /// CPU time of thread `id` of this process, in seconds, from its per-thread CPU clock: the
    /// clock id glibc's `pthread_getcpuclockid` makes, `~tid << 3 | CPUCLOCK_SCHED | PERTHREAD`.
    static func seconds(_ id: Int32) -> Double {
        var time = timespec()
        guard clock_gettime(clockid_t(~id << 3 | 6), &time) == 0 else { return 0 }
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}

/// The threads `ProcessUsage` reports apart from the clients, which count their own.
struct ServerThreads: Sendable {
    var simulator: Int32?
    var daemon: Int32?
    var http: Int32?
}
