import Foundation
import SystemSupport

/// What `flood` is doing: how many events it owes and how many it has sent.
struct FloodState {
    var timer: TimerID
    let eventsPerSecond: Int
    let startedAt: ContinuousClock.Instant
    let endsAt: ContinuousClock.Instant
    var emitted = 0
    var sequence = 0
}

/// The test controls: drop, stall, restart, fail, flood.
extension SimulatorCore {
    func dropAllConnections() {
        let count = sessions.count
        for session in Array(sessions.values) { close(session, reason: "dropped by control") }
        logger.notice("amisim.connections_dropped", [("count", .int(count))])
    }

    /// Stops reading, answering and accepting (the kernel still completes connects); `false` resumes.
    func setStalled(_ on: Bool) {
        guard on != stalled else { return }
        stalled = on
        if on {
            if listenFD >= 0 { loop.deregister(fd: listenFD) }
        } else {
            registerListener()
        }
        for session in sessions.values {
            session.blockedSince = nil
            updateInterest(session)
            if !on { dirtySessions.insert(session.fd) }
        }
        if !on && !flushScheduled && !dirtySessions.isEmpty {
            flushScheduled = true
            loop.execute { [self] in
                self.flushScheduled = false
                let dirty = self.dirtySessions
                self.dirtySessions.removeAll()
                for fd in dirty { if let session = self.sessions[fd] { self.flush(session) } }
            }
        }
        if !on {
            // Anything that arrived while stalled is read now.
            for session in sessions.values where !session.closing { processBuffered(session) }
        }
        logger.notice("amisim.stalled", [("on", .bool(on))])
    }

    /// Like `core restart now` (15, 17): calls are hung up, `Shutdown` goes out, every connection
    /// closes, connects are refused for `downtime`, then Asterisk is back with a fresh uptime and,
    /// unless members persist, no dynamic members.
    func restart(downtime: Duration, keepDynamicMembers: Bool?) {
        guard !restarting else { return }
        restarting = true
        let downtimeMilliseconds = downtime.components.seconds * 1000 + downtime.components.attoseconds / 1_000_000_000_000_000
        logger.notice("amisim.restarting", [("downtime_ms", .int(Int(downtimeMilliseconds)))])
        hangupEverything()
        emit("Shutdown", .system, [("Shutdown", "Cleanly"), ("Restart", "True")])
        closeListener()
        // The port stays ours while down (connects are refused): another server on this machine
        // (a test's) must not get it and the daemon's reconnects with it.
        reservedFD = boundAddress.flatMap { try? Socket.reserve($0) } ?? -1
        for session in Array(sessions.values) { closeAfterOutput(session) }
        let keep = keepDynamicMembers ?? configuration.persistentMembers
        loop.schedule(after: downtime) { [unowned self] in self.comeBack(keepDynamicMembers: keep) }
    }

    private func comeBack(keepDynamicMembers: Bool) {
        guard let address = boundAddress else { return }
        boot(keepingDynamicMembers: keepDynamicMembers)
        if reservedFD >= 0 {
            Socket.close(reservedFD)
            reservedFD = -1
        }
        do {
            _ = try listen(on: address)
            restarting = false
            logger.notice("amisim.restarted", [("address", .string(address.description))])
        } catch {
            logger.warning("amisim.rebind_failed", [("error", "\(error)")])
            loop.schedule(after: .milliseconds(50)) { [unowned self] in self.comeBack(keepDynamicMembers: keepDynamicMembers) }
        }
    }

    func hangupEverything() {
        for reference in Array(calls.values) {
            switch reference {
            case .queue(let call):
                if case .connected = call.phase { agentLegHungUp(call) } else { callerHangsUp(call, cause: 4) }
            case .plain(let call):
                endPlainCall(call, cause: 16)
            }
        }
        for channel in channels { hangupChannel(channel, cause: 16) }
    }

    func failNext(action: String, message: String, count: Int) {
        guard count > 0 else { return }
        failures[action.lowercased(), default: []].append((message, count))
    }

    // MARK: Flood

    func startFlood(eventsPerSecond: Int, duration: Duration) {
        flood.map { loop.cancel($0.timer) }
        flood = nil
        guard eventsPerSecond > 0, duration > .zero else { return }
        let now = ContinuousClock.now
        let timer = loop.schedule(after: .zero) { [unowned self] in self.floodTick() }
        flood = FloodState(timer: timer, eventsPerSecond: eventsPerSecond, startedAt: now, endsAt: now.advanced(by: duration))
        logger.notice("amisim.flood_started", [("events_per_second", .int(eventsPerSecond))])
    }

    private func floodTick() {
        guard var state = flood else { return }
        let now = ContinuousClock.now
        let until = min(now, state.endsAt)
        let elapsed = state.startedAt.duration(to: until)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let owed = Int(seconds * Double(state.eventsPerSecond)) - state.emitted
        for _ in 0..<max(0, owed) {
            emitFloodEvent(state.sequence)
            state.sequence += 1
        }
        state.emitted += max(0, owed)
        if now >= state.endsAt {
            flood = nil
            logger.notice("amisim.flood_finished", [("events", .int(state.emitted))])
            return
        }
        state.timer = loop.schedule(after: .milliseconds(5)) { [unowned self] in self.floodTick() }
        flood = state
    }

    /// A ten-event cycle per made-up call, modelled on the recordings: channel creation, dialplan
    /// steps, variables, a state change, a device state and the hang-up. The channels belong to no
    /// member, so they change nothing a daemon tracks.
    private func emitFloodEvent(_ sequence: Int) {
        let callNumber = sequence / 10
        let hex = String(callNumber & 0xFFFF_FFFF, radix: 16).leftPadded(8)
        let up = sequence % 10 >= 4
        let fields: [(String, String)] = [
            ("Channel", "PJSIP/flood-\(hex)"), ("ChannelState", up ? "6" : "4"), ("ChannelStateDesc", up ? "Up" : "Ring"),
            ("CallerIDNum", "0209\(callNumber % 1_000_000)"), ("CallerIDName", "Flood Caller"),
            ("ConnectedLineNum", "<unknown>"), ("ConnectedLineName", "<unknown>"), ("Language", "en"),
            ("AccountCode", ""), ("Context", "from-trunk"), ("Exten", "5999"), ("Priority", String(sequence % 10 + 1)),
            ("Uniqueid", "1795289000.\(callNumber)"), ("Linkedid", "1795289000.\(callNumber)"),
        ]
        switch sequence % 10 {
        case 0: emit("Newchannel", .call, fields)
        case 1, 5: emit("VarSet", .dialplan, fields + [("Variable", "FLOOD\(sequence % 10)"), ("Value", String(sequence))])
        case 2, 3, 7:
            emit("Newexten", .dialplan, fields + [("Extension", "5999"), ("Application", "NoOp"), ("AppData", "flood")])
        case 4: emit("Newstate", .call, fields)
        case 6: emit("DeviceStateChange", .call, [("Device", "PJSIP/flood"), ("State", "INUSE")])
        case 8: emit("SoftHangupRequest", .call, fields + [("Cause", "16")])
        default: emit("Hangup", .call, fields + [("Cause", "16"), ("Cause-txt", "Normal Clearing")])
        }
    }
}
