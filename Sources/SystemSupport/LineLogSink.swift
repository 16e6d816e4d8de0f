#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Writes each record as one line (JSON or text, see `LogLineFormatter`) to a file descriptor,
/// standard output by default, where journald keeps it.
///
/// One record is one `write(2)` loop under a lock, so lines from many threads never interleave. The
/// loop retries `EINTR` and partial writes. Logging never crashes the daemon and never waits for long:
/// - a line the descriptor will not take (a full non-blocking pipe: `EAGAIN`; a reader gone: `EPIPE`;
///   any other error) is dropped and counted in `dropped`;
/// - a line cut short after a partial write waits at most about 100 ms for room, then is dropped, and
///   the next line starts with a newline so the cut one cannot swallow it.
///
/// Sockets (journald's stdout stream under systemd) are written with `send(MSG_NOSIGNAL)`, so a
/// restarted journald gives `EPIPE` rather than `SIGPIPE`. On a pipe `write(2)` still raises
/// `SIGPIPE` when the reader is gone: the process must ignore that signal. A blocking descriptor that
/// nobody reads blocks the writer, as it would for any program; the sink never changes the
/// descriptor's flags (they are shared with the parent) and never closes it.
public final class LineLogSink: LogSink {
    public enum Format: String, Sendable, Equatable, CaseIterable {
        case json, text
    }

    public let format: Format
    public let fileDescriptor: Int32
    private let formatter: LogLineFormatter
    private let clock: @Sendable () -> (seconds: Int, milliseconds: Int)
    private let state = Mutex(State())

    private struct State {
        var dropped = 0
        /// The last line was cut short: the next one starts with a newline.
        var lineOpen = false
        /// Try `send(MSG_NOSIGNAL)` until the descriptor turns out not to be a socket.
        var mightBeSocket = true
    }

    /// - Parameters:
    ///   - fileDescriptor: where lines go; not owned (never closed) and its flags are left alone.
    ///   - clock: the wall clock as epoch seconds and milliseconds; tests pass a fixed one.
    public init(
        format: Format,
        fileDescriptor: Int32 = 1,  // STDOUT_FILENO, which a default argument cannot name (Glibc is imported internally)
        clock: @escaping @Sendable () -> (seconds: Int, milliseconds: Int) = LineLogSink.wallClock
    ) {
        self.format = format
        self.fileDescriptor = fileDescriptor
        self.formatter = LogLineFormatter(format: format)
        self.clock = clock
    }

    /// `CLOCK_REALTIME` as epoch seconds and milliseconds.
    @Sendable
    public static func wallClock() -> (seconds: Int, milliseconds: Int) {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return (Int(now.tv_sec), Int(now.tv_nsec) / 1_000_000)
    }

    /// Lines not written (in full) since the sink was made.
    public var dropped: Int { state.withLock { $0.dropped } }

    public func write(_ record: LogRecord) {
        state.withLock { state in
            // The clock is read under the lock so timestamps never go backwards from line to line.
            let now = clock()
            var line = formatter.line(for: record, seconds: now.seconds, milliseconds: now.milliseconds)
            if state.lineOpen { line.insert(0x0A, at: 0) }
            switch writeAll(line, state: &state) {
            case .written:
                state.lineOpen = false
            case .dropped(let partly):
                state.dropped += 1
                if partly { state.lineOpen = true }
            }
        }
    }

    private enum Outcome {
        case written
        case dropped(partly: Bool)
    }

    /// How many times a cut line waits for the descriptor to drain, and how long each time.
    private static let partialLineWaits = 10
    private static let partialLineWaitMilliseconds: Int32 = 10

    private func writeAll(_ line: [UInt8], state: inout State) -> Outcome {
        line.withUnsafeBytes { bytes in
            var offset = 0
            var waitsLeft = Self.partialLineWaits
            while offset < bytes.count {
                let (n, code) = writeOnce(bytes.baseAddress! + offset, bytes.count - offset, state: &state)
                if n > 0 {
                    offset += n
                    continue
                }
                switch code {
                case EINTR:
                    continue
                case EAGAIN, EWOULDBLOCK:
                    // Nothing of this line went out: drop it whole rather than wait.
                    guard offset > 0, waitsLeft > 0 else { return .dropped(partly: offset > 0) }
                    waitsLeft -= 1
                    var pollfd = pollfd(fd: fileDescriptor, events: Int16(POLLOUT), revents: 0)
                    _ = poll(&pollfd, 1, Self.partialLineWaitMilliseconds)
                default:  // EPIPE, EBADF, EIO, ENOSPC, or a write of 0 bytes
                    return .dropped(partly: offset > 0)
                }
            }
            return .written
        }
    }

    /// One `send` or `write`; returns the count, and `errno` read at once when it is -1.
    private func writeOnce(_ base: UnsafeRawPointer, _ count: Int, state: inout State) -> (Int, Int32) {
        if state.mightBeSocket {
            let n = send(fileDescriptor, base, count, Int32(MSG_NOSIGNAL))
            if n >= 0 { return (n, 0) }
            let code = errno
            guard code == ENOTSOCK else { return (-1, code) }
            state.mightBeSocket = false
        }
        let n = systemWrite(fileDescriptor, base, count)
        return n >= 0 ? (n, 0) : (-1, errno)
    }
}

/// `write(2)`, named apart from `LogSink.write(_:)`.
private func systemWrite(_ fd: Int32, _ base: UnsafeRawPointer, _ count: Int) -> Int { write(fd, base, count) }
