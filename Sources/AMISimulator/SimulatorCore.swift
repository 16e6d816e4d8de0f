#if canImport(Glibc)
import Glibc
#endif
import AMI
import Foundation
import SystemSupport

/// The whole simulated Asterisk: listener, sessions, queues, channels, calls and AstDB, all on one
/// event loop, so nothing here needs a lock. Every method runs on `loop`'s thread; the public
/// `AMISimulator` hops there with `execute`. That confinement is what `@unchecked Sendable` relies on.
final class SimulatorCore: @unchecked Sendable {
    let loop: EventLoop
    let logger: Logger
    var configuration: SimulatorConfiguration

    // Network.
    var listenFD: Int32 = -1
    /// Holds the port while a restart is down (`Socket.reserve`).
    var reservedFD: Int32 = -1
    var boundAddress: SocketAddress?
    var sessions: [Int32: AMISession] = [:]
    var nextSessionNumber = 0
    var dirtySessions: Set<Int32> = []
    var flushScheduled = false
    var readBuffer = [UInt8](repeating: 0, count: 65536)

    // Asterisk's own state.
    var startedAt = ContinuousClock.now
    var queues: [SimQueue] = []
    var channels: [SimChannel] = []
    var calls: [Int: CallReference] = [:]
    var nextCallID = 0
    var channelSequence = 0
    var uniqueSequence = 0
    var callsProcessed = 0
    var database: [String: String] = [:]
    /// The device state of each phone: 1 not in use, 2 in use, 6 ringing.
    var phoneStatus: [String: Int] = [:]
    /// Last state of each pseudo device (`Queue:sales_avail`, …), so `DeviceStateChange` is sent on change only.
    var deviceStates: [String: String] = [:]
    var answers: [String: Bool] = [:]

    // Test controls.
    var stalled = false
    var restarting = false
    var failures: [String: [(message: String, remaining: Int)]] = [:]
    var received: [ReceivedAction] = []
    var actionObserver: (@Sendable (ReceivedAction) -> Void)?
    var flood: FloodState?
    var privilegeCache: [UInt32: String] = [:]

    static let maximumRecordedActions = 100_000

    init(loop: EventLoop, configuration: SimulatorConfiguration, logger: Logger) {
        self.loop = loop
        self.configuration = configuration
        self.logger = logger
    }

    // MARK: Starting and stopping

    /// Builds queues from the configuration (keeping dynamic members when asked) and resets uptime.
    func boot(keepingDynamicMembers: Bool) {
        let old = queues
        queues = configuration.queues.map { config in
            let queue = SimQueue(name: config.name, strategy: config.strategy)
            let now = Self.epochSeconds()
            queue.members = config.members.map { member in
                QueueMember(
                    queue: config.name, interface: member.interface, name: member.name,
                    stateInterface: member.stateInterface, penalty: member.penalty, paused: false, pausedReason: "",
                    dynamic: false, callsTaken: 0, lastCall: 0, lastPause: 0, loginTime: now, inCall: false, status: 1)
            }
            if keepingDynamicMembers, let previous = old.first(where: { $0.name == config.name }) {
                for var member in previous.members where member.dynamic {
                    member.inCall = false
                    member.status = 1
                    queue.members.append(member)
                }
            }
            return queue
        }
        deviceStates = [:]
        for queue in queues { deviceStates["Queue:\(queue.name)_avail"] = availabilityState(queue) }
        phoneStatus = [:]
        startedAt = .now
    }

    func listen(on address: SocketAddress) throws(SystemCallError) -> Int {
        let fd = try Socket.listen(on: address)
        let local = try Socket.localAddress(fd)
        listenFD = fd
        boundAddress = local
        if !stalled { registerListener() }
        logger.info("amisim.listening", [("address", .string(local.description))])
        return local.port
    }

    func registerListener() {
        guard listenFD >= 0 else { return }
        loop.register(fd: listenFD, interest: .read) { [unowned self] _ in self.acceptAll() }
    }

    func closeListener() {
        guard listenFD >= 0 else { return }
        loop.deregister(fd: listenFD)
        Socket.close(listenFD)
        listenFD = -1
    }

    func stop() {
        flood.map { loop.cancel($0.timer) }
        flood = nil
        closeListener()
        if reservedFD >= 0 {
            Socket.close(reservedFD)
            reservedFD = -1
        }
        for session in Array(sessions.values) { close(session, reason: "stopped") }
    }

    // MARK: Sessions

    private func acceptAll() {
        while true {
            let fd: Int32?
            do {
                fd = try Socket.accept(listenFD)
            } catch {
                logger.warning("amisim.accept_failed", [("error", "\(error)")])
                return
            }
            guard let fd else { return }
            nextSessionNumber += 1
            let remote = Self.describe(peerOf: fd)
            let local = boundAddress.map { "IPV4/TCP/\($0.host)/\($0.port)" } ?? "IPV4/TCP/127.0.0.1/5038"
            let session = AMISession(id: nextSessionNumber, fd: fd, localAddress: local, remoteAddress: remote)
            sessions[fd] = session
            loop.register(fd: fd, interest: .read) { [unowned self] events in self.handle(events, on: fd) }
            logger.debug("amisim.session_opened", [("session", .int(session.id)), ("remote", .string(remote))])
            enqueue(Array("Asterisk Call Manager/\(configuration.bannerVersion)\r\n".utf8), to: session)
        }
    }

    private func handle(_ events: IOEvents, on fd: Int32) {
        guard let session = sessions[fd] else { return }
        if events.contains(.write) { flush(session) }
        guard sessions[fd] != nil else { return }
        if stalled || session.closing {
            // Not reading now; a hang-up is still reported, so close rather than spin on it.
            if !events.isDisjoint(with: .hangup) { close(session, reason: "client gone") }
            return
        }
        if !events.isDisjoint(with: [.read, .hangup]) { read(session) }
    }

    private func read(_ session: AMISession) {
        let result: IOResult
        do {
            result = try readBuffer.withUnsafeMutableBytes { buffer throws(SystemCallError) in
                try Socket.read(session.fd, into: buffer)
            }
        } catch {
            close(session, reason: "read failed")
            return
        }
        switch result {
        case .wouldBlock: return
        case .endOfFile:
            close(session, reason: "client closed")
            return
        case .processed(let count):
            readBuffer.withUnsafeBytes { session.decoder.append(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
        }
        processBuffered(session)
    }

    /// Handles every complete action already read, until one stalls or closes the session.
    func processBuffered(_ session: AMISession) {
        while sessions[session.fd] != nil, !session.closing, !stalled {
            let frame: AMIFrame?
            do {
                frame = try session.decoder.next()
            } catch {
                logger.debug("amisim.bad_frame", [("session", .int(session.id)), ("error", "\(error)")])
                continue
            }
            guard case .message(let message)? = frame else { return }
            receive(message, from: session)
        }
    }

    func close(_ session: AMISession, reason: String) {
        guard sessions[session.fd] != nil else { return }
        loop.deregister(fd: session.fd)
        session.writeTimer.map { loop.cancel($0) }
        Socket.close(session.fd)
        sessions[session.fd] = nil
        dirtySessions.remove(session.fd)
        logger.debug("amisim.session_closed", [("session", .int(session.id)), ("reason", .string(reason))])
    }

    func updateInterest(_ session: AMISession) {
        var interest: IOEvents = []
        if !stalled && !session.closing { interest.insert(.read) }
        if session.pendingOutput > 0 && !stalled { interest.insert(.write) }
        loop.setInterest(fd: session.fd, interest)
    }

    // MARK: Small helpers

    static func epochSeconds() -> Int { Int(Date().timeIntervalSince1970) }

    var uptimeSeconds: Int {
        let elapsed = startedAt.duration(to: .now)
        return Int(elapsed.components.seconds)
    }

    private static func describe(peerOf fd: Int32) -> String {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let ok = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fd, $0, &length) }
        }
        guard ok == 0, Int32(storage.ss_family) == AF_INET else { return "IPV4/TCP/127.0.0.1/0" }
        let sin = withUnsafeBytes(of: storage) { $0.load(as: sockaddr_in.self) }
        var address = sin.sin_addr
        var buffer = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN) + 1)
        _ = inet_ntop(AF_INET, &address, &buffer, socklen_t(buffer.count))
        let host = String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return "IPV4/TCP/\(host)/\(UInt16(bigEndian: sin.sin_port))"
    }
}
