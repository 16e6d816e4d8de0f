#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization

/// The lines a child writes to one of its pipes, collected by a reader thread as they arrive.
final class LineCollector: Sendable {
    private let state = Mutex<(lines: [String], partial: [UInt8], ended: Bool)>(([], [], false))

    var lines: [String] { state.withLock { $0.lines } }
    var count: Int { state.withLock { $0.lines.count } }
    /// True once the pipe reached end of file (every writer closed it).
    var ended: Bool { state.withLock { $0.ended } }

    fileprivate func append(_ bytes: UnsafeRawBufferPointer) {
        state.withLock { state in
            for byte in bytes {
                if byte == UInt8(ascii: "\n") {
                    state.lines.append(String(decoding: state.partial, as: UTF8.self))
                    state.partial.removeAll(keepingCapacity: true)
                } else {
                    state.partial.append(byte)
                }
            }
        }
    }

    fileprivate func end() {
        state.withLock { state in
            if !state.partial.isEmpty { state.lines.append(String(decoding: state.partial, as: UTF8.self)) }
            state.partial = []
            state.ended = true
        }
    }

    /// Reads `handle` on a thread of its own until end of file. The thread holds the handle, so
    /// its descriptor cannot be closed (and reused) under a blocked `read`.
    static func reading(_ handle: FileHandle) -> LineCollector {
        let collector = LineCollector()
        let thread = Thread { [collector, handle] in
            let fd = handle.fileDescriptor
            var buffer = [UInt8](repeating: 0, count: 16384)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n > 0 {
                    buffer.withUnsafeBytes { collector.append(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
                } else if n < 0 && errno == EINTR {
                    continue
                } else {
                    break
                }
            }
            collector.end()
        }
        thread.start()
        return collector
    }
}

/// A child process with its stdout and stderr collected line by line. It is killed with SIGKILL
/// when dropped, so a failing test never leaves it behind.
final class ChildProcess {
    let name: String
    private let process: Process
    let stdout: LineCollector
    let stderr: LineCollector

    /// `environment` is added to this process's own, from which the systemd variables are
    /// removed: a child never talks to a real systemd the test runner may run under.
    init(name: String, executable: String, arguments: [String], environment extra: [String: String] = [:]) throws {
        self.name = name
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        for key in ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"] { environment[key] = nil }
        environment.merge(extra) { $1 }
        process.environment = environment
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        stdout = LineCollector.reading(out.fileHandleForReading)
        stderr = LineCollector.reading(err.fileHandleForReading)
    }

    deinit { kill() }

    var pid: pid_t { process.processIdentifier }
    var isRunning: Bool { process.isRunning }

    func signal(_ number: Int32) {
        guard process.isRunning else { return }
        _ = Glibc.kill(process.processIdentifier, number)
    }

    /// SIGKILL and reap; nothing when it already ended.
    func kill() {
        if process.isRunning { _ = Glibc.kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// Waits for the exit: its status and whether a signal ended it; nil after `timeout`.
    func waitForExit(timeout: Duration) -> (status: Int32, signalled: Bool)? {
        guard poll(timeout: timeout, { !self.process.isRunning }) else { return nil }
        process.waitUntilExit()
        return (process.terminationStatus, process.terminationReason == .uncaughtSignal)
    }

    /// The last lines of both streams, for a failure message.
    func tail(_ count: Int = 40) -> String {
        "--- \(name) stdout ---\n" + stdout.lines.suffix(count).joined(separator: "\n") + "\n--- \(name) stderr ---\n"
            + stderr.lines.suffix(count).joined(separator: "\n")
    }
}

/// Checks `condition` every 20 ms until it holds (true) or `timeout` passes (false).
func poll(timeout: Duration, every interval: Duration = .milliseconds(20), _ condition: () -> Bool) -> Bool {
    let deadline = ContinuousClock.now.advanced(by: timeout)
    while true {
        if condition() { return true }
        if ContinuousClock.now >= deadline { return condition() }
        Thread.sleep(forTimeInterval: Double(interval.components.attoseconds) / 1e18 + Double(interval.components.seconds))
    }
}
