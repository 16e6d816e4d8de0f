#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization

/// Children still running when the benchmark exits, however it exits (a failure, the watchdog):
/// killed then, or a leftover daemon keeps running against nothing.
private let runningChildren = Mutex<Set<Int32>>([])
private let killChildrenAtExit: Void = {
    atexit { runningChildren.withLock { for pid in $0 { kill(pid, SIGKILL) } } }
}()

/// The real `ccagentd` binary as a child process, so its memory is measured alone: its log lines
/// (standard output and error) are collected by a reader thread, its RSS and CPU read from
/// `/proc/<pid>`.
final class ChildDaemon: Sendable {
    let pid: Int32
    private let process: Process
    private let lines = Mutex<[String]>([])

    init(executable: String, configPath: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["--config", configPath]
        var environment = ProcessInfo.processInfo.environment
        // Never talk to a systemd the benchmark may run under.
        for key in ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"] { environment[key] = nil }
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        _ = killChildrenAtExit
        try process.run()
        self.process = process
        pid = process.processIdentifier
        runningChildren.withLock { _ = $0.insert(pid) }
        let reader = pipe.fileHandleForReading
        Thread.detachNewThread { [self] in readLines(reader) }
    }

    /// Every line so far.
    var output: [String] { lines.withLock { $0 } }

    /// The first line whose event is `event` (the third word of a text log line), waiting up to `timeout`.
    func waitForEvent(_ event: String, timeout: Duration) async throws -> LogLine {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while true {
            if let line = output.lazy.compactMap(LogLine.init).first(where: { $0.event == event }) { return line }
            guard process.isRunning else { throw BenchmarkFailure("ccagentd exited (\(process.terminationStatus)) before \(event):\n\(tail)") }
            guard ContinuousClock.now < deadline else { throw BenchmarkFailure("no \(event) from ccagentd within \(timeout):\n\(tail)") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// SIGTERM, as systemd stops it; waits for the exit and returns its status.
    func terminate(timeout: Duration = .seconds(30)) async throws -> Int32 {
        kill(pid, SIGTERM)
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while process.isRunning {
            guard ContinuousClock.now < deadline else {
                kill(pid, SIGKILL)
                throw BenchmarkFailure("ccagentd did not stop within \(timeout) of SIGTERM")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        runningChildren.withLock { _ = $0.remove(pid) }
        return process.terminationStatus
    }

    /// The last lines, for a diagnostic.
    var tail: String { output.suffix(20).joined(separator: "\n") }

    private func readLines(_ handle: FileHandle) {
        let fd = handle.fileDescriptor
        var partial: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16384)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            for byte in buffer[0..<n] {
                if byte == UInt8(ascii: "\n") {
                    let line = String(decoding: partial, as: UTF8.self)
                    lines.withLock { $0.append(line) }
                    partial.removeAll(keepingCapacity: true)
                } else {
                    partial.append(byte)
                }
            }
        }
        withExtendedLifetime(handle) {}
    }
}

/// One line of the daemon's text log: `2026-11-21T10:15:30.123Z info  daemon.stopped events_read=12`.
/// A plain split: the fields read here (`events_read`) are never quoted; `line` keeps the rest.
struct LogLine {
    var line: String
    var event: String
    var fields: [String: String]

    init?(_ line: String) {
        self.line = line
        let words = line.split(separator: " ", omittingEmptySubsequences: true)
        guard words.count >= 3, words[0].hasSuffix("Z") else { return nil }
        event = String(words[2])
        var fields: [String: String] = [:]
        for word in words.dropFirst(3) {
            guard let equals = word.firstIndex(of: "=") else { continue }
            fields[String(word[..<equals])] = String(word[word.index(after: equals)...])
        }
        self.fields = fields
    }
}
