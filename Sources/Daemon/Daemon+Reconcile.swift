import ControlPort
import AMI
import AgentCore
import SystemSupport

/// Where the reconcile with Asterisk stands.
struct ReconcileState {
    var running = false
    /// Asked for while one was running: run another when it ends.
    var again = false
    var retryTimer: TimerID?
    /// The wait before the next retry after a failure; doubles while failures go on.
    var retryDelay: Duration?
}

extension Daemon {
    /// Reads `QueueStatus` and `CoreShowChannels` and converges Asterisk to the agents' state
    /// (DESIGN: Reconnect, restart and truth). Safe to run at any time: it compares Asterisk with
    /// the state at the moment the answers arrive, and every action it sends is idempotent.
    func startReconcile(reason: String) {
        guard let connection, amiState.isLoggedIn, accepting else { return }
        if reconcile.running {
            reconcile.again = true
            return
        }
        reconcile.running = true
        let began = ContinuousClock.now
        logger.info("reconcile.started", [("reason", .string(reason))])
        connection.send(AMIAction("QueueStatus"), timeout: .seconds(60)) { [weak self] queues in
            guard case .success(let queueStatus) = queues else {
                self?.loop.execute { [weak self] in self?.reconcileFailed(queues) }
                return
            }
            connection.send(AMIAction("CoreShowChannels"), timeout: .seconds(60)) { [weak self] channels in
                self?.loop.execute { [weak self] in
                    guard case .success(let list) = channels else {
                        self?.reconcileFailed(channels)
                        return
                    }
                    self?.finishReconcile(queueStatus: queueStatus, channels: list, began: began)
                }
            }
        }
    }

    private func finishReconcile(queueStatus: AMIResponse, channels: AMIResponse, began: ContinuousClock.Instant) {
        reconcile.running = false
        let snapshot = AsteriskSnapshot(queueStatus: queueStatus.events, channels: channels.events)
        // Asterisk's present is newer than any input held for the store: those run first. While
        // the store still cannot commit, Asterisk's queues are brought back to the stored state
        // (nothing to store); the calls wait, and the reconcile after the recovery reads them.
        let holding = storeHoldsInputs(force: true)
        let now = options.clock()
        let outcome = holding ? run { $0.reconcileMembers(with: snapshot) } : run { $0.reconcile(with: snapshot, at: now) }
        let refused = failedInput != nil
        if refused { scheduleRetryReconcile() }  // undone: look again later
        let actions = outcome.effects.count(where: { EffectAction($0) != nil })
        counters.reconciles += 1
        whenCommitted { [self] failure in
            let connected = "connected to Asterisk at \(settings.ami.host):\(settings.ami.port)"
            guard failure == nil, !refused else {
                // Undone; Asterisk is reconciled again (`undo`). Up all the same, and saying why not well.
                return announceReady("\(connected); the store cannot commit")
            }
            var fields: [(String, LogValue)] = [
                ("members", .int(snapshot.members.count)), ("channels", .int(snapshot.channels.count)),
                ("actions", .int(actions)), ("changes", .int(outcome.effects.transitions)),
                ("latency_ms", .int(Int(began.duration(to: .now).milliseconds))),
            ]
            if holding { fields.append(("calls", "wait for the store")) }
            logger.info("reconcile.finished", fields)
            notify(.reconciled(actions: actions))
            if holding { return announceReady("\(connected); the store cannot commit") }
            // Converged and all of it stored: the next failure starts its back-off afresh.
            if actions == 0 { reconcile.retryDelay = nil }
            announceReady(connected)
        }
        if reconcile.again {
            reconcile.again = false
            startReconcile(reason: "asked for during the last one")
        }
    }

    private func reconcileFailed(_ result: Result<AMIResponse, AMIError>) {
        reconcile.running = false
        let error: String
        switch result {
        case .success(let response): error = response.text ?? "refused"
        case .failure(let failure): error = failure.description
        }
        logger.error("reconcile.failed", [("error", .string(error))])
        if reconcile.again {
            // A new login asked for one while this one was dying with the old connection.
            reconcile.again = false
            startReconcile(reason: "asked for during the last one")
        } else if amiState.isLoggedIn {
            scheduleRetryReconcile()
        }
    }

    /// After a failed action: look again later, backing off while failures go on.
    func scheduleRetryReconcile() {
        guard reconcile.retryTimer == nil else { return }
        let delay = reconcile.retryDelay ?? options.reconcileRetry
        reconcile.retryDelay = min(delay * 2, options.maximumReconcileRetry)
        logger.info("reconcile.scheduled", [("in_ms", .int(Int(delay.milliseconds)))])
        reconcile.retryTimer = loop.schedule(after: delay) { [weak self] in
            self?.reconcile.retryTimer = nil
            self?.startReconcile(reason: "an action failed")
        }
    }
}
