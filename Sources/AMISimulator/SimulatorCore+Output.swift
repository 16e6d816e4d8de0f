import AMI
import Foundation
import SystemSupport

extension SimulatorCore {
    /// Sends an event to every logged-in session whose masks and filters let it through. Encoded
    /// once, however many sessions get it.
    func emit(_ name: String, _ eventClass: EventClass, _ fields: [(String, String)]) {
        var bytes: [UInt8]?
        var text: String?
        for session in sessions.values where !session.closing && session.wants(eventClass) {
            let encoded: [UInt8]
            if let bytes {
                encoded = bytes
            } else {
                encoded = WireEncoding.encode([("Event", name), ("Privilege", privilege(eventClass))] + fields)
                bytes = encoded
            }
            if !session.filters.isEmpty {
                let whole = text ?? String(decoding: encoded, as: UTF8.self)
                text = whole
                let range = NSRange(whole.startIndex..., in: whole)
                guard session.filters.contains(where: { $0.firstMatch(in: whole, range: range) != nil }) else { continue }
            }
            deliverEvent(encoded, to: session)
        }
    }

    /// An event for one session only (`FullyBooted` after its login).
    func sendEvent(_ name: String, _ eventClass: EventClass, _ fields: [(String, String)], to session: AMISession) {
        guard session.wants(eventClass) else { return }
        deliverEvent(WireEncoding.encode([("Event", name), ("Privilege", privilege(eventClass))] + fields), to: session)
    }

    func deliverEvent(_ bytes: [UInt8], to session: AMISession) {
        session.eventsSent += 1
        if session.holdingEvents > 0 {
            session.heldEvents.append(bytes)
        } else {
            enqueue(bytes, to: session)
        }
    }

    /// `Response: <kind>`, the ActionID when the action had one, then `fields`.
    func respond(
        _ session: AMISession, to action: AMIMessage, _ kind: String = "Success", _ fields: [(String, String)]
    ) {
        var headers: [(String, String)] = [("Response", kind)]
        if let id = action.actionID { headers.append(("ActionID", id)) }
        enqueue(WireEncoding.encode(headers + fields), to: session)
    }

    func respondError(_ session: AMISession, to action: AMIMessage, _ message: String) {
        respond(session, to: action, "Error", [("Message", message)])
    }

    func respondSuccess(_ session: AMISession, to action: AMIMessage, _ message: String) {
        respond(session, to: action, "Success", [("Message", message)])
    }

    /// A list item or `…Complete` event, sent to the asking session only.
    func sendListEvent(_ headers: [(String, String)], to session: AMISession) {
        enqueue(WireEncoding.encode(headers), to: session)
    }

    func privilege(_ eventClass: EventClass) -> String {
        if let cached = privilegeCache[eventClass.rawValue] { return cached }
        let text = eventClass.privilege
        privilegeCache[eventClass.rawValue] = text
        return text
    }

    // MARK: Writing

    /// Queues bytes; the write happens once per loop pass, so a burst of events is one `send`.
    func enqueue(_ bytes: [UInt8], to session: AMISession) {
        guard sessions[session.fd] != nil else { return }
        session.output.append(contentsOf: bytes)
        if session.pendingOutput > configuration.maximumPendingOutput {
            logger.warning(
                "amisim.slow_client_dropped",
                [("session", .int(session.id)), ("reason", "pending output over bound"),
                 ("pending_bytes", .int(session.pendingOutput))])
            close(session, reason: "pending output over bound")
            return
        }
        dirtySessions.insert(session.fd)
        if !flushScheduled {
            flushScheduled = true
            loop.execute { [self] in self.flushDirty() }
        }
    }

    private func flushDirty() {
        flushScheduled = false
        let dirty = dirtySessions
        dirtySessions.removeAll(keepingCapacity: true)
        for fd in dirty {
            if let session = sessions[fd] { flush(session) }
        }
    }

    func flush(_ session: AMISession) {
        guard !stalled else { return }
        while session.outputStart < session.output.count {
            let result: IOResult
            do {
                result = try session.output.withUnsafeBytes { buffer throws(SystemCallError) in
                    try Socket.write(session.fd, from: UnsafeRawBufferPointer(rebasing: buffer[session.outputStart...]))
                }
            } catch {
                close(session, reason: "write failed")
                return
            }
            switch result {
            case .processed(let count):
                session.outputStart += count
                session.blockedSince = nil
            case .endOfFile:
                close(session, reason: "write failed")
                return
            case .wouldBlock:
                if session.blockedSince == nil {
                    session.blockedSince = .now
                    scheduleWriteCheck(session)
                }
                compact(session)
                updateInterest(session)
                return
            }
        }
        session.output.removeAll(keepingCapacity: session.output.capacity <= 1 << 20)
        session.outputStart = 0
        session.blockedSince = nil
        updateInterest(session)
        if session.closing && session.closeWhenDrained { close(session, reason: "closed by server") }
    }

    private func compact(_ session: AMISession) {
        if session.outputStart >= 65536 && session.outputStart * 2 >= session.output.count {
            session.output.removeFirst(session.outputStart)
            session.outputStart = 0
        }
    }

    /// Asterisk's `writetimeout`: output blocked this long means the client is not reading; drop it.
    private func scheduleWriteCheck(_ session: AMISession) {
        session.writeTimer.map { loop.cancel($0) }
        let fd = session.fd
        let since = stalled ? ContinuousClock.now : (session.blockedSince ?? .now)
        session.writeTimer = loop.schedule(at: since.advanced(by: configuration.writeTimeout)) { [unowned self] in
            guard let session = self.sessions[fd] else { return }
            session.writeTimer = nil
            guard let since = session.blockedSince else { return }
            let blocked = since.duration(to: .now)
            if self.stalled || blocked < self.configuration.writeTimeout {
                self.scheduleWriteCheck(session)
                return
            }
            self.logger.warning(
                "amisim.slow_client_dropped",
                [("session", .int(session.id)), ("reason", "write timeout"),
                 ("pending_bytes", .int(session.pendingOutput))])
            self.close(session, reason: "write timeout")
        }
    }

    /// Sends what is queued, then closes (Logoff, failed login, Shutdown).
    func closeAfterOutput(_ session: AMISession) {
        session.closing = true
        session.closeWhenDrained = true
        updateInterest(session)
        if session.pendingOutput == 0 && !dirtySessions.contains(session.fd) {
            close(session, reason: "closed by server")
        }
        // A client that never reads must not keep the socket forever.
        let fd = session.fd
        loop.schedule(after: .seconds(2)) { [unowned self] in
            if let session = self.sessions[fd], session.closeWhenDrained { self.close(session, reason: "close timeout") }
        }
    }
}
