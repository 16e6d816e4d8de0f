#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import SystemSupport

/// What a child writes to one of its pipes, read on a thread of its own as it arrives, so a
/// child never blocks on a full pipe and a test can look at the lines so far at any time.
public final class OutputCollector: Sendable {
    private struct State {
        var bytes: [UInt8] = []
        var lines: [String] = []
        var partial: [UInt8] = []
        var ended = false
    }

    private let state = Mutex(State())

    /// Every byte so far.
    public var bytes: [UInt8] { state.withLock { $0.bytes } }
    /// Every byte so far as text.
    public var text: String { String(decoding: bytes, as: UTF8.self) }
    /// The complete lines so far, without their LF; the last unterminated line once the pipe ended.
    public var lines: [String] { state.withLock { $0.lines } }
    public var count: Int { state.withLock { $0.lines.count } }
    /// True once the pipe reached end of file (every writer closed it).
    public var ended: Bool { state.withLock { $0.ended } }

    /// Starts reading `fd` until end of file, then closes it. The reader thread owns the
    /// descriptor, so it cannot be closed (and reused) under a blocked `read`.
    static func reading(_ fd: Int32, name: String) throws -> OutputCollector {
        let collector = OutputCollector()
        do {
            try PosixThread.start(name: name) { [collector] in
                var buffer = [UInt8](repeating: 0, count: 16384)
                while true {
                    let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                    if n > 0 {
                        collector.append(buffer[0..<n])
                    } else if n < 0 && errno == EINTR {
                        continue
                    } else {
                        break
                    }
                }
                close(fd)
                collector.end()
            }
        } catch {
            close(fd)
            throw TestSupportError("cannot start the reader of \(name): \(error)")
        }
        return collector
    }

    private func append(_ chunk: ArraySlice<UInt8>) {
        state.withLock { state in
            state.bytes.append(contentsOf: chunk)
            for byte in chunk {
                if byte == UInt8(ascii: "\n") {
                    state.lines.append(String(decoding: state.partial, as: UTF8.self))
                    state.partial.removeAll(keepingCapacity: true)
                } else {
                    state.partial.append(byte)
                }
            }
        }
    }

    private func end() {
        state.withLock { state in
            if !state.partial.isEmpty { state.lines.append(String(decoding: state.partial, as: UTF8.self)) }
            state.partial = []
            state.ended = true
        }
    }
}
