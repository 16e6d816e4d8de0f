import ControlPort
import AMI
import Dispatch
import SystemSupport

extension Daemon {
    /// Stops cleanly: takes no more commands, lets queue actions in flight finish (up to
    /// `stopGrace`), logs off from Asterisk and closes the store. Agents stay in their queues,
    /// so calls keep flowing while the daemon is down.
    public func stop() async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            loop.execute { [self] in
                accepting = false
                tickTimer.map(loop.cancel)
                bootTimer.map(loop.cancel)
                reconcile.retryTimer.map(loop.cancel)
                var fields: [(String, LogValue)] = [("in_flight", .int(inFlight))]
                if let outage {
                    // Call events held for a store that never came back: the next start's reconcile reads calls anew.
                    fields.append(("held_inputs", .int(outage.waiting.count)))
                }
                logger.notice("daemon.stopping", fields)
                drain(until: ContinuousClock.now.advanced(by: options.stopGrace)) { done.resume() }
            }
        }
        if let connection = await inspectConnection() { await connection.shutdown(grace: options.stopGrace) }
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            loop.execute { [self] in
                // events_read: with Asterisk's count, proves no event was lost on the way in.
                logger.notice("daemon.stopped", [("in_flight", .int(inFlight)), ("events_read", .int(handOff.eventsRead))])
                done.resume()
            }
        }
    }

    private func inspectConnection() async -> AMIConnection? {
        await withCheckedContinuation { continuation in loop.execute { [self] in continuation.resume(returning: connection) } }
    }

    private func drain(until deadline: ContinuousClock.Instant, _ done: @escaping () -> Void) {
        guard inFlight > 0, ContinuousClock.now < deadline else {
            done()
            return
        }
        _ = loop.schedule(after: .milliseconds(5)) { [self] in drain(until: deadline, done) }
    }
}
