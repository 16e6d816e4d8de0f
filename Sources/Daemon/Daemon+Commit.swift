import ControlPort
import AgentCore
import Store
import SystemSupport

/// Nothing is acknowledged before it is stored (DESIGN). Each input's writes join the open batch
/// (`CommitBatch`); the batch commits after the inputs queued behind it have run, and only then
/// are its replies given, its log lines written and its listeners told.
///
/// When the store cannot commit (a full disk), the batch never happened: its transaction is
/// rolled back, the agents' state is read back from the store, commands get
/// `storeUnavailable`, and a reconcile brings Asterisk back to that state. The batch's inputs
/// from Asterisk wait, in order, with the ones that come after (`StoreOutage`), and are run again
/// when the store is tried next: at most every `storeRetryInterval`, by the tick or a command.
extension Daemon {
    /// Whether the store committed its last write.
    var storeWritable: Bool { outage == nil }

    /// Queues the batch's commit behind the inputs already on the daemon's thread, once.
    func scheduleCommit() {
        guard !batch.scheduled else { return }
        batch.scheduled = true
        // Restoring runs on the caller's thread before the daemon starts; it commits itself.
        guard !restoring else { return }
        loop.execute { [weak self] in self?.commitBatch() }
    }

    /// Runs `write` in the batch's transaction, opening it first; a failure dooms the batch.
    func record(_ write: () throws(StoreError) -> Void) {
        // Every way in asks `storeHoldsInputs` first, so that no write overtakes held inputs.
        assert(outage == nil, "a write while the store holds inputs")
        scheduleCommit()
        guard batch.failure == nil else { return }
        do throws(StoreError) {
            if !store.isInTransaction { try store.begin() }
            try store.writeInput(write)
        } catch .inputFailed(let error) where !error.isStorageFailure {
            // This input's own writes were refused (not the disk): it alone is undone (`run`).
            failedInput = error
        } catch {
            batch.failure = error
        }
    }

    /// Undoes the input that just ran, whose writes the store refused: the agents as the open
    /// transaction has them, which is as before that input; the inputs before it stand.
    func undoInput(_ error: StoreError, effectsFrom mark: Int, sentActions: Bool) {
        batch.effects.removeSubrange(mark...)
        logger.error("store.input_failed", [("error", .string(error.description)), ("effect", "this change alone was refused")])
        readBackFromStore()
        if sentActions { scheduleRetryReconcile() }
    }

    /// Writes outside `run`, with nothing in the agents to undo (an audit line, when a call was
    /// answered): when the store refused them alone, says so with what was not recorded.
    func recordAside(_ lost: String, _ write: () throws(StoreError) -> Void) -> StoreError? {
        failedInput = nil
        record(write)
        guard let error = failedInput else { return nil }
        failedInput = nil
        logger.error("store.input_failed", [("error", .string(error.description)), ("effect", .string(lost))])
        return error
    }

    /// Calls `body` once the batch in progress is over (nil: committed), or now when none is.
    func whenCommitted(_ body: @escaping (StoreError?) -> Void) {
        guard batch.scheduled else { return body(nil) }
        batch.completions.append(body)
    }

    /// Ends the batch: commits it and acknowledges its inputs, or undoes it.
    func commitBatch() {
        let done = batch
        batch = CommitBatch()
        var failure = done.failure
        let wrote = store.isInTransaction
        if failure == nil, wrote {
            do {
                try store.commit()
            } catch {
                failure = error
            }
        } else {
            store.rollback()
        }
        if let failure {
            undo(done, because: failure)
            return
        }
        for (effect, extensionID) in done.effects { report(effect, extensionID: extensionID) }
        for completion in done.completions { completion(nil) }
    }

    /// The batch could not commit: as if its inputs never came.
    private func undo(_ done: CommitBatch, because error: StoreError) {
        counters.storeFailures += 1
        // Nothing writes while the store holds inputs (`storeHoldsInputs`): this outage is new.
        assert(outage == nil, "a batch wrote while the store held inputs")
        outage = StoreOutage(error: error, lastAttempt: ContinuousClock.now)
        logger.error(
            "store.write_failed",
            [("error", .string(error.description)),
             ("effect", "changes are refused and events from Asterisk held until the store can commit again")])
        for (input, at) in done.inputs { hold(input, at: at) }
        if let before = done.settingsBefore {
            // A reload in the batch: the configuration before the first one, then the agents as stored.
            if before.ami != settings.ami, let connection { connection.update(configuration: connectionConfiguration(before.ami)) }
            settings = before
        }
        readBackFromStore()
        for completion in done.completions { completion(error) }
        // Asterisk was sent the batch's queue actions: bring it back to the state read back.
        if done.sentActions { scheduleRetryReconcile() }
    }

    /// The agents as the store has them: the state before the batch that could not commit.
    /// What only lives in memory (calls whose direction is not known yet) is lost, as in a restart.
    func readBackFromStore() {
        do {
            let saved = try store.loadAgents()
            let lingering = try store.loadLingering()
            machine = AgentStateMachine(configuration: settings.core, restoring: saved, lingering: lingering)
            liveCalls = Set(machine.agents.values.flatMap(\.calls.keys))
        } catch {
            logger.error("store.read_failed", [("error", .string(error.description))])
        }
    }

    // MARK: While the store cannot commit

    /// Whether inputs that write must wait (from Asterisk) or be refused (commands): true while
    /// the store cannot commit. At most every `storeRetryInterval` (`force`: now) the store is
    /// probed with one line of its own; once that commits, the inputs that waited run first, in
    /// order and each as of when it came, so nothing overtakes them. Until then nothing the
    /// store would have to undo is sent to Asterisk.
    func storeHoldsInputs(force: Bool = false) -> Bool {
        guard var outage else { return false }
        let now = ContinuousClock.now
        guard force || now >= outage.lastAttempt.advanced(by: options.storeRetryInterval) else { return true }
        outage.lastAttempt = now
        self.outage = outage
        guard !store.isInTransaction, probeStore(outage) else { return true }
        self.outage = nil
        logger.notice("store.recovered", [("failed_commits", .int(outage.failures)), ("dropped_inputs", .int(outage.dropped))])
        for (input, at) in outage.waiting {
            // Timed statuses that expired before the input came expire first, at their deadlines.
            run { $0.tick(at: at) }
            process(input, at: at)
        }
        let current = options.clock()
        run { $0.tick(at: current) }
        // Commands were refused meanwhile and Asterisk may have been moved back and forth.
        startReconcile(reason: "the store can commit again")
        return false
    }

    /// Commits one audit line on its own: whether the store commits again, and when the outage ended.
    private func probeStore(_ outage: StoreOutage) -> Bool {
        let entry = AuditEntry(
            at: options.clock(), actor: .system, source: "store", action: "store_recovered", target: settings.general.database,
            outcome: "ok", detail: "after \(outage.failures.counted("failed commit"))")
        do {
            try store.begin()
            try store.write([], audit: entry)
            try store.commit()
            return true
        } catch {
            store.rollback()
            counters.storeFailures += 1
            self.outage?.failures += 1
            self.outage?.error = error
            logger.debug("store.still_failing", [("error", .string(error.description)), ("waiting", .int(outage.waiting.count))])
            return false
        }
    }

    /// Keeps an input from Asterisk, and when it came, for when the store can commit again.
    func hold(_ input: AMIInput, at: Timestamp) {
        guard var outage else { return }
        if outage.waiting.count < options.maximumWaitingInputs {
            outage.waiting.append((input, at))
        } else {
            if outage.dropped == 0 {
                logger.error(
                    "store.inputs_dropped",
                    [("kept", .int(outage.waiting.count)), ("effect", "a reconcile reads the calls from Asterisk after the recovery")])
            }
            outage.dropped += 1
        }
        self.outage = outage
    }
}
