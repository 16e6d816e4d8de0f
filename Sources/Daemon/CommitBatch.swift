import ControlPort
import AgentCore
import Config
import Store

/// The inputs run since the last commit, and what waits for it (group commit). Their store
/// writes share one open transaction; it commits once the inputs already queued on the daemon's
/// thread have run, with one fsync for all of them, and only then is any of them acknowledged:
/// replies, log lines, listeners.
struct CommitBatch {
    /// The commit is queued on the daemon's thread, behind the inputs already there.
    var scheduled = false
    /// The configuration before the batch's first reload: what an undo goes back to.
    var settingsBefore: LoadedConfiguration?
    /// The first write that failed: the batch cannot commit.
    var failure: StoreError?
    /// Queue actions were sent for the batch: if it cannot commit, Asterisk must be brought back.
    var sentActions = false
    /// Effects to log and tell listeners about once committed, in order, each transition with
    /// the agent's extension right after it.
    var effects: [(effect: Effect, extensionID: ExtensionID?)] = []
    /// Called once the batch is over: with nil when it committed, with the error when not.
    var completions: [(StoreError?) -> Void] = []
    /// The batch's inputs from Asterisk and when they came, to run again in order (as of then)
    /// if it cannot commit.
    var inputs: [(input: AMIInput, at: Timestamp)] = []
}

/// While the store cannot commit: why, since when, and the inputs from Asterisk that wait for it.
struct StoreOutage {
    var error: StoreError
    /// Failed commits since the store last committed, the first included.
    var failures = 1
    var lastAttempt: ContinuousClock.Instant
    /// Inputs from Asterisk held in arrival order with when they came, run again before anything newer.
    var waiting: [(input: AMIInput, at: Timestamp)] = []
    /// Inputs dropped because `waiting` was full: a reconcile reads the truth after the recovery.
    var dropped = 0
}
