import Dispatch
import SystemSupport

extension AMIConnection {
    /// The socket, the timers and the thread around `AMISessionStateMachine`: it feeds the
    /// machine what happens, with the time, and performs the actions the machine returns.
    /// Confined to `loop`'s thread: every method runs there, which is what `@unchecked Sendable`
    /// relies on.
    final class Session: @unchecked Sendable {
        typealias Machine = AMISessionStateMachine<ContinuousClock.Instant, Completion>

        private let loop: EventLoop
        private var machine: Machine
        private let emit: @Sendable (AMIConnectionEvent) -> Void

        private var fd: Int32 = -1
        /// The socket is connecting: its first writability is the connect's outcome.
        private var connecting = false
        private var outbound: [UInt8] = []
        private var outboundIndex = 0
        /// A flush is queued on the loop behind the tasks already there.
        private var flushScheduled = false
        private var timers: [Machine.Timer: TimerID] = [:]
        /// The `done` of each `stop` not yet finished, oldest first.
        private var stopWaiters: [@Sendable () -> Void] = []
        private let readBuffer: UnsafeMutableRawBufferPointer

        init(
            loop: EventLoop, configuration: AMIConnectionConfiguration, logger: Logger,
            emit: @escaping @Sendable (AMIConnectionEvent) -> Void
        ) {
            self.loop = loop
            self.emit = emit
            // Unique per process, so an ActionID is never reused, even across reconnects.
            let prefix = "ccd-" + String(UInt32.random(in: 0...UInt32.max), radix: 16)
            machine = Machine(configuration: configuration, logger: logger, actionIDPrefix: prefix)
            readBuffer = .allocate(byteCount: 65536, alignment: 16)
        }

        deinit {
            readBuffer.deallocate()
            if fd >= 0 { Socket.close(fd) }
        }

        // MARK: Commands

        func start() {
            perform(machine.start(at: .now))
        }

        func update(configuration: AMIConnectionConfiguration) {
            perform(machine.update(configuration: configuration, at: .now))
        }

        func send(_ action: AMIAction, timeout: Duration?, completion: @escaping Completion) {
            perform(machine.send(action, timeout: timeout, caller: completion, at: .now))
        }

        func stop(grace: Duration, done: @escaping @Sendable () -> Void) {
            stopWaiters.append(done)
            perform(machine.stop(grace: grace, at: .now))
        }

        // MARK: Performing the machine's actions

        private func perform(_ actions: [Machine.Action]) {
            for action in actions {
                switch action {
                case .emit(let event):
                    emit(event)
                case .resolve(let host, let port, let generation):
                    resolve(host: host, port: port, generation: generation)
                case .startConnect(let address):
                    startConnect(to: address)
                case .write(let bytes):
                    write(bytes)
                case .closeSocket:
                    closeSocket()
                case .arm(let timer, let deadline):
                    timers.removeValue(forKey: timer).map(loop.cancel)
                    timers[timer] = loop.schedule(at: deadline) { [self] in
                        timers[timer] = nil
                        perform(machine.timerFired(timer, at: .now))
                    }
                case .cancel(let timer):
                    timers.removeValue(forKey: timer).map(loop.cancel)
                case .cancelAllTimers:
                    for timer in timers.values { loop.cancel(timer) }
                    timers.removeAll()
                case .complete(let completion, let result):
                    completion(result)
                case .stopFinished:
                    if !stopWaiters.isEmpty { stopWaiters.removeFirst()() }
                }
            }
        }

        // MARK: Connecting

        private func resolve(host: String, port: Int, generation: UInt64) {
            // getaddrinfo may block on DNS: never on the reactor thread.
            DispatchQueue.global().async { [loop, self] in
                let result = Result { () throws(SystemCallError) in try SocketAddress.resolve(host: host, port: port) }
                loop.execute { [self] in
                    perform(machine.resolved(result, generation: generation, at: .now))
                }
            }
        }

        private func startConnect(to address: SocketAddress) {
            do {
                fd = try Socket.startConnect(to: address)
            } catch {
                perform(machine.connectStartFailed(error, at: .now))
                return
            }
            connecting = true
            perform(machine.connectStarted(at: .now))
            let current = machine.generation
            loop.register(fd: fd, interest: .write) { [self] events in handleIO(events, generation: current) }
        }

        // MARK: I/O

        private func handleIO(_ events: IOEvents, generation current: UInt64) {
            guard current == machine.generation else { return }
            if connecting {
                connecting = false
                let error = Socket.pendingError(fd)
                if error == 0 { loop.setInterest(fd: fd, .read) }
                perform(machine.connected(error: error == 0 ? nil : SystemCallError(call: "connect", code: error), at: .now))
                return
            }
            if !events.isDisjoint(with: [.read, .hangup]) {
                readAvailable(generation: current)
            }
            if current == machine.generation, events.contains(.write) {
                flush()
            }
        }

        private func readAvailable(generation current: UInt64) {
            // Bounded per wake-up so timers and writes get their turn under a flood.
            for _ in 0..<64 {
                let result: IOResult
                do {
                    result = try Socket.read(fd, into: readBuffer)
                } catch {
                    perform(machine.connectionLost("read failed: \(error)", at: .now))
                    return
                }
                switch result {
                case .processed(let count):
                    perform(machine.received(UnsafeRawBufferPointer(rebasing: readBuffer[0..<count]), at: .now))
                    guard current == machine.generation else { return }
                case .wouldBlock:
                    return
                case .endOfFile:
                    perform(machine.connectionLost("Asterisk closed the connection", at: .now))
                    return
                }
            }
        }

        /// Queues `bytes`; they go out with everything else written before the loop turns to
        /// its next task, in one system call: a burst of actions is one `send`, not one each.
        private func write(_ bytes: [UInt8]) {
            guard fd >= 0 else { return }
            outbound.append(contentsOf: bytes)
            let limit = machine.configuration.maximumPendingOutput
            if outbound.count - outboundIndex > limit {
                perform(machine.connectionLost("Asterisk stopped reading: more than \(limit) bytes pending", at: .now))
                return
            }
            guard !flushScheduled else { return }
            flushScheduled = true
            loop.execute { [weak self] in
                guard let self else { return }
                flushScheduled = false
                flush()
            }
        }

        private func flush() {
            guard fd >= 0 else { return }
            while outboundIndex < outbound.count {
                let result: IOResult
                do {
                    result = try outbound.withUnsafeBytes { raw throws(SystemCallError) in
                        try Socket.write(fd, from: UnsafeRawBufferPointer(rebasing: raw[outboundIndex...]))
                    }
                } catch {
                    perform(machine.connectionLost("write failed: \(error)", at: .now))
                    return
                }
                switch result {
                case .processed(let count):
                    outboundIndex += count
                case .wouldBlock, .endOfFile:
                    loop.setInterest(fd: fd, [.read, .write])
                    return
                }
            }
            outbound.removeAll(keepingCapacity: outbound.capacity <= 1 << 20)
            outboundIndex = 0
            loop.setInterest(fd: fd, .read)
        }

        private func closeSocket() {
            connecting = false
            if fd >= 0 {
                loop.deregister(fd: fd)
                Socket.close(fd)
                fd = -1
            }
            outbound.removeAll()
            outboundIndex = 0
        }
    }
}
