#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization

/// A child process started with `posix_spawn` and reaped with `waitpid` under a deadline, its
/// stdout and stderr drained by threads of their own. The one way tests run a process: never
/// Foundation's `Process.waitUntilExit()`, which can wait forever for a child already gone. It is
/// killed (SIGKILL) and reaped when dropped, so a failing test never leaves it behind.
public final class ChildProcess: Sendable {
    /// How a child ended: its exit status, or the signal that ended it.
    public struct Termination: Sendable, Equatable, CustomStringConvertible {
        /// The exit status, or the signal's number when `signalled`.
        public var status: Int32
        public var signalled: Bool

        public static func exited(_ status: Int32) -> Termination { Termination(status: status, signalled: false) }
        public static func killed(by signal: Int32) -> Termination { Termination(status: signal, signalled: true) }

        public var description: String { signalled ? "killed by signal \(status)" : "exit status \(status)" }
    }

    /// What the child reads on its standard input.
    public enum Input: Sendable {
        /// `/dev/null`: end of file at once.
        case null
        /// These bytes, then end of file.
        case bytes([UInt8])

        public static func text(_ text: String) -> Input { .bytes(Array(text.utf8)) }
    }

    /// Variables never passed on from the test's environment: a child never talks to a real
    /// systemd or daemon the test runner may run under, nor takes its settings.
    public static let isolatedVariables = [
        "NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "CCAGENTD_URL", "CCAGENTD_TOKEN", "CCAGENTCTL_SOCKET",
    ]

    public let name: String
    public let pid: Int32
    public let stdout: OutputCollector
    public let stderr: OutputCollector
    /// The termination once reaped; the lock is held across `kill(2)` so a signal never reaches a
    /// reused pid.
    private let reaped = Mutex<Termination?>(nil)

    /// Starts `executable`. `environment` is added to this process's own, less `isolatedVariables`.
    public init(
        name: String? = nil, executable: String, arguments: [String] = [], environment extra: [String: String] = [:],
        input: Input = .null
    ) throws {
        self.name = name ?? String(executable.split(separator: "/").last ?? "child")
        var environment = ProcessInfo.processInfo.environment
        for key in Self.isolatedVariables { environment[key] = nil }
        environment.merge(extra) { $1 }

        let spawned = try Self.spawning.withLock { _ in
            try Self.spawn(executable, arguments: arguments, environment: environment, input: input)
        }
        pid = spawned.pid
        // The input is written while this process still holds the pipe's read end, so the write
        // can never fail with EPIPE (and SIGPIPE) when the child exits without reading; the pipe
        // holds 64 KiB, far more than any test sends.
        if case .bytes(let bytes) = input {
            var offset = 0
            while offset < bytes.count {
                let n = bytes[offset...].withUnsafeBytes { write(spawned.stdin.write, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                offset += n
            }
        }
        close(spawned.stdin.write)
        close(spawned.stdin.read)
        stdout = try OutputCollector.reading(spawned.stdout, name: "\(self.name) stdout")
        stderr = try OutputCollector.reading(spawned.stderr, name: "\(self.name) stderr")
    }

    /// Starts the child; its pid, the read ends of its stdout and stderr, and its stdin pipe.
    private static func spawn(
        _ executable: String, arguments: [String], environment: [String: String], input: Input
    ) throws -> (pid: Int32, stdout: Int32, stderr: Int32, stdin: (read: Int32, write: Int32)) {
        let output = try Self.pipe(), errors = try Self.pipe()
        let stdin = try Self.pipe()
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if case .null = input {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        } else {
            posix_spawn_file_actions_adddup2(&actions, stdin.read, 0)
        }
        posix_spawn_file_actions_adddup2(&actions, output.write, 1)
        posix_spawn_file_actions_adddup2(&actions, errors.write, 2)
        // Every other descriptor of the tests is close-on-exec (see `pipe()`), so children spawned
        // side by side never hold each other's pipes open.

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // A test thread may have signals blocked or ignored: the child starts with none blocked and
        // the usual ones at their default action.
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var pid: Int32 = 0
        let code = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        close(output.write)
        close(errors.write)
        if code != 0 {
            for fd in [output.read, errors.read, stdin.read, stdin.write] { close(fd) }
            throw TestSupportError("cannot start \(executable): \(String(cString: strerror(code)))")
        }
        return (pid, output.read, errors.read, stdin)
    }

    deinit { kill() }

    /// Runs `executable` to its end and returns its status and output; past `timeout` it is
    /// killed and the error says so, with the last of its output.
    public static func run(
        _ executable: String, _ arguments: [String] = [], environment: [String: String] = [:], input: Input = .null,
        timeout: Duration = .seconds(30)
    ) throws -> Result {
        let child = try ChildProcess(executable: executable, arguments: arguments, environment: environment, input: input)
        guard let termination = child.waitForExit(timeout: timeout) else {
            child.kill()
            throw TestSupportError("\(child.name) \(arguments) still ran after \(timeout): killed\n\(child.tail())")
        }
        // The pipes end when the child has exited, unless it left a grandchild holding them.
        _ = eventually(timeout: .seconds(5)) { child.stdout.ended && child.stderr.ended }
        return Result(termination: termination, stdout: child.stdout.text, stderr: child.stderr.text)
    }

    /// What `run` returns.
    public struct Result: Sendable {
        public var termination: Termination
        public var stdout: String
        public var stderr: String

        /// The exit status (or the signal's number when a signal ended it).
        public var status: Int32 { termination.status }
    }

    /// False once the child has exited (and been reaped).
    public var isRunning: Bool { reap() == nil }

    /// Sends `signal`; nothing once the child has been reaped.
    public func signal(_ signal: Int32) {
        reaped.withLock { termination in
            if termination == nil { _ = Glibc.kill(pid, signal) }
        }
    }

    /// Waits for the exit: how it ended, or nil when it still runs after `timeout`.
    public func waitForExit(timeout: Duration) -> Termination? {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        var interval = Duration.milliseconds(1)
        while true {
            if let termination = reap() { return termination }
            if ContinuousClock.now >= deadline { return nil }
            sleep(for: interval)
            interval = min(interval * 2, .milliseconds(20))
        }
    }

    /// SIGKILL and reap; nothing when it already ended. A killed child ends at once unless it is
    /// stuck in the kernel: after 10 s this gives up rather than hang the run.
    public func kill() {
        signal(SIGKILL)
        _ = waitForExit(timeout: .seconds(10))
    }

    /// The last lines of both streams, for a failure message.
    public func tail(_ count: Int = 40) -> String {
        "--- \(name) stdout ---\n" + stdout.lines.suffix(count).joined(separator: "\n") + "\n--- \(name) stderr ---\n"
            + stderr.lines.suffix(count).joined(separator: "\n")
    }

    private func reap() -> Termination? {
        reaped.withLock { termination in
            if let termination { return termination }
            var status: Int32 = 0
            var result: pid_t
            repeat { result = waitpid(pid, &status, WNOHANG) } while result == -1 && errno == EINTR
            if result == pid {
                let signal = status & 0x7f
                termination = signal == 0 ? .exited((status >> 8) & 0xff) : .killed(by: signal)
            } else if result == -1 {
                // ECHILD: someone else reaped it (nothing in the tests should): it is gone.
                termination = .killed(by: 0)
            }
            return termination
        }
    }

    /// A close-on-exec pipe. Glibc's `pipe2` is not imported, so the flag is set after `pipe`:
    /// `spawning` keeps other tests' spawns out of that window.
    private static func pipe() throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [0, 0]
        guard Glibc.pipe(&fds) == 0 else { throw TestSupportError("pipe: \(String(cString: strerror(errno)))") }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return (fds[0], fds[1])
    }

    /// Held from making a child's pipes to spawning it, so no other child inherits them.
    private static let spawning = Mutex(())
}
