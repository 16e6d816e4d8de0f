#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import FoundationEssentials
import Synchronization

/// Tells systemd how the service is doing, through the `sd_notify` datagram protocol, without
/// libsystemd: one `AF_UNIX` datagram of newline-separated `KEY=value` lines per message, sent to
/// the socket named by `NOTIFY_SOCKET` (a path, or `@name` for the abstract namespace).
///
/// Sending never throws from `notify` and never blocks: if systemd's socket is gone or full the
/// message is dropped, counted in `failures`, and `notify` returns false. The daemon must not die
/// or stall because its supervisor went away.
public final class SystemdNotifier: Sendable {
    /// `NOTIFY_SOCKET` as it was given.
    public let socketName: String
    /// `sun_path` bytes and the address length to pass to `sendto`.
    private let pathBytes: [UInt8]
    private let addressLength: socklen_t
    private let failureState = Mutex<(count: Int, last: SystemCallError?)>((0, nil))

    /// The process environment, for the default arguments below.
    public static var processEnvironment: [String: String] { ProcessInfo.processInfo.environment }

    /// Nil when `NOTIFY_SOCKET` is unset or empty (not started by systemd with `Type=notify`), or
    /// names something other than an absolute path or `@abstract` name that fits a `sockaddr_un`.
    public init?(environment: [String: String] = SystemdNotifier.processEnvironment) {
        guard let name = environment["NOTIFY_SOCKET"], !name.isEmpty else { return nil }
        var bytes = Array(name.utf8)
        let capacity = MemoryLayout.size(ofValue: sockaddr_un().sun_path)
        let pathOffset = MemoryLayout<sockaddr_un>.offset(of: \.sun_path) ?? 2
        switch bytes.first {
        case UInt8(ascii: "/"):
            guard !bytes.contains(0), bytes.count < capacity else { return nil }
            bytes.append(0)  // a filesystem path is NUL-terminated
        case UInt8(ascii: "@"):
            guard bytes.count > 1, bytes.count <= capacity else { return nil }
            bytes[0] = 0  // abstract namespace: leading NUL, the length says where the name ends
        default:
            return nil  // relative paths and vsock: addresses are not supported
        }
        socketName = name
        pathBytes = bytes
        addressLength = socklen_t(pathOffset + bytes.count)
    }

    /// How many messages could not be sent.
    public var failures: Int { failureState.withLock { $0.count } }

    /// Why the last failed message could not be sent.
    public var lastError: SystemCallError? { failureState.withLock { $0.last } }

    /// Sends `state` (e.g. `"READY=1\nSTATUS=Connected"`). Returns false, and counts the failure,
    /// when it could not be sent.
    @discardableResult
    public func notify(_ state: String) -> Bool {
        do {
            try send(state)
            return true
        } catch {
            failureState.withLock {
                $0.count += 1
                $0.last = error
            }
            return false
        }
    }

    /// Sends `state`, throwing what went wrong.
    public func send(_ state: String) throws(SystemCallError) {
        #if canImport(Glibc)
        let type = Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        #else
        let type = SOCK_DGRAM
        #endif
        let fd = try syscall("socket") { socket(AF_UNIX, type, 0) }
        defer { _ = close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { path in
            pathBytes.withUnsafeBytes { path.copyMemory(from: $0) }
        }
        var message = Array(state.utf8)
        let length = addressLength
        let sent = try syscall("sendto(\(socketName))") {
            withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { target in
                    // MSG_DONTWAIT: a full queue drops the message instead of stalling the caller.
                    sendto(fd, &message, message.count, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT), target, length)
                }
            }
        }
        if sent != message.count { throw SystemCallError(call: "sendto(\(socketName))", code: EMSGSIZE) }
    }

    /// Startup (or a reload) is done.
    @discardableResult
    public func ready(status: String? = nil) -> Bool {
        notify(status.map { "READY=1\nSTATUS=\(Self.line($0))" } ?? "READY=1")
    }

    /// A reload has started; send `ready()` when it is done. Carries `MONOTONIC_USEC`, which
    /// systemd 253 and later want with `RELOADING=1` (older ones ignore it).
    @discardableResult
    public func reloading() -> Bool {
        notify("RELOADING=1\nMONOTONIC_USEC=\(Self.monotonicMicroseconds())")
    }

    /// Shutdown has started.
    @discardableResult
    public func stopping() -> Bool { notify("STOPPING=1") }

    /// A one-line status for `systemctl status`.
    @discardableResult
    public func status(_ text: String) -> Bool { notify("STATUS=\(Self.line(text))") }

    /// Feeds the watchdog. Call it from the daemon's periodic tick, at `watchdogInterval`.
    @discardableResult
    public func watchdog() -> Bool { notify("WATCHDOG=1") }

    /// How often to call `watchdog()`: half of `WATCHDOG_USEC`, or nil when the watchdog is off or
    /// meant for another process (`WATCHDOG_PID` set to a pid that is not ours).
    public static func watchdogInterval(environment: [String: String] = SystemdNotifier.processEnvironment) -> Duration? {
        watchdogInterval(environment: environment, pid: getpid())
    }

    static func watchdogInterval(environment: [String: String], pid: pid_t) -> Duration? {
        guard let text = environment["WATCHDOG_USEC"], let usec = UInt64(text), usec > 0 else { return nil }
        if let pidText = environment["WATCHDOG_PID"], !pidText.isEmpty {
            guard let expected = pid_t(pidText), expected == pid else { return nil }
        }
        return .microseconds(Int64(clamping: usec / 2))
    }

    /// `CLOCK_MONOTONIC` in microseconds, as systemd reads it.
    static func monotonicMicroseconds() -> UInt64 {
        var now = timespec()
        _ = clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1_000
    }

    /// A value must stay on its line: a newline would start another `KEY=value` assignment.
    private static func line(_ text: String) -> String {
        String(text.map { $0.isNewline ? " " : $0 })
    }
}
