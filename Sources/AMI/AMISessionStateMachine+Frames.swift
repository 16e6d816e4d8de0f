import SystemSupport

extension AMISessionStateMachine {
    /// Bytes read from the socket: every complete frame in them is handled, in wire order, until
    /// one ends the connection.
    mutating func received(_ bytes: UnsafeRawBufferPointer, at now: Instant) -> [Action] {
        decoder.append(bytes)
        var actions: [Action] = []
        let current = generation
        while current == generation {
            let frame: AMIFrame?
            do {
                frame = try decoder.next()
            } catch {
                // The decoder has skipped the bad frame: resync and go on.
                logger.warning("ami.malformed_frame", [("error", .string(error.description))])
                continue
            }
            guard let frame else { break }
            handle(frame, at: now, into: &actions)
        }
        return actions
    }

    mutating func received(_ bytes: [UInt8], at now: Instant) -> [Action] {
        bytes.withUnsafeBytes { received($0, at: now) }
    }

    private mutating func handle(_ frame: AMIFrame, at now: Instant, into actions: inout [Action]) {
        switch frame {
        case .banner(let version):
            if state == .awaitingBanner { logIn(bannerVersion: version, at: now, into: &actions) }
        case .message(let message):
            if state == .awaitingBanner {
                lose("Asterisk sent a message before its banner", at: now, into: &actions)
                return
            }
            switch message.kind {
            case .response: handleResponse(message, at: now, into: &actions)
            case .event: handleEvent(message, at: now, into: &actions)
            case .action, .unknown: logger.debug("ami.unexpected_frame", [("frame", .string(message.name ?? ""))])
            }
        }
    }

    private mutating func handleResponse(_ message: AMIMessage, at now: Instant, into actions: inout [Action]) {
        guard let id = message.actionID, pending[id] != nil else {
            logger.debug("ami.unmatched_response", [("action_id", .string(message.actionID ?? ""))])
            return
        }
        if message.has("EventList", "start") {
            pending[id]?.response = message
            return
        }
        finish(id, .success(AMIResponse(message: message)), at: now, into: &actions)
    }

    private mutating func handleEvent(_ message: AMIMessage, at now: Instant, into actions: inout [Action]) {
        if let id = message.actionID, let entry = pending[id], let response = entry.response {
            if message.has("EventList", "Complete") {
                finish(id, .success(AMIResponse(message: response, events: entry.events, complete: message)), at: now, into: &actions)
            } else {
                // Kept until the list completes (5,000 QueueMember events for a big call center).
                pending[id]?.events.append(message.compacted())
            }
            return
        }
        if message.has("Event", "FullyBooted") {
            fullyBooted(message, at: now, into: &actions)
        }
        actions.append(.emit(.event(message)))
        if message.has("Event", "Shutdown") {
            let restart = message["Restart"] ?? "?"
            lose("Asterisk is shutting down (\(message["Shutdown"] ?? "?"), restart: \(restart))", at: now, into: &actions)
        }
    }

    private mutating func fullyBooted(_ message: AMIMessage, at now: Instant, into actions: inout [Action]) {
        let uptime = message["Uptime"].flatMap { Int($0) }
        var restarted = false
        if let uptime, let last = lastBoot {
            // Lower than last time, or lower than it should have grown to since (its grain is
            // one second), means Asterisk restarted meanwhile.
            let expected = last.uptime + Int(last.at.duration(to: now).milliseconds / 1000)
            restarted = uptime < last.uptime || uptime + 1 < expected
        }
        if let uptime { lastBoot = (uptime, now) }
        var fields: [(String, LogValue)] = [("restarted", .bool(restarted))]
        if let uptime { fields.insert(("uptime_s", .int(uptime)), at: 0) }  // absent, not "?", when Asterisk did not say
        logger.info("ami.fully_booted", fields)
        actions.append(.emit(.fullyBooted(uptime: uptime, restarted: restarted)))
    }
}
