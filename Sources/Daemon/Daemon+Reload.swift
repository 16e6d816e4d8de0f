public import ControlPort
import AMI
import AgentCore
public import Config
import Dispatch
import Store

extension Daemon {
    /// Reads the configuration file again (SIGHUP) and applies it, or keeps the old one and says
    /// why, line by line.
    public func reload(completion: @escaping @Sendable (ReloadResult) -> Void) {
        guard let path = options.configPath else {
            completion(.refused(errors: ["the daemon was not started from a configuration file"]))
            return
        }
        // Reading and validating may touch the disk: never on the daemon's thread.
        DispatchQueue.global().async { [self] in
            switch ConfigLoader().load(path: path) {
            case .success(let configuration):
                reload(with: configuration, completion: completion)
            case .failure(let list):
                let errors = list.errors.map(\.description)
                loop.execute { [self] in
                    for error in errors { logger.error("config.error", [("error", .string(error))]) }
                    logger.error("config.reload_failed", [("file", .string(path)), ("errors", .int(errors.count))])
                    audit(reload: path, outcome: "refused", detail: "\(errors.count.counted("error")); the old configuration stays")
                    whenCommitted { _ in completion(.refused(errors: errors)) }
                }
            }
        }
    }

    public func reload(_ path: String) async -> ReloadResult {
        await withCheckedContinuation { continuation in reload { continuation.resume(returning: $0) } }
    }

    /// Applies a validated configuration: the core moves logged-in agents with the minimal
    /// membership change; AMI reconnects when its settings changed.
    public func reload(with new: LoadedConfiguration, completion: @escaping @Sendable (ReloadResult) -> Void) {
        loop.execute { [self] in apply(new, completion: completion) }
    }

    /// Applied once committed; when the store cannot commit, the old configuration stays.
    private func apply(_ new: LoadedConfiguration, completion: @escaping @Sendable (ReloadResult) -> Void) {
        if storeHoldsInputs(), let outage {
            logger.error("config.reload_failed", [("file", .string(new.files.first ?? "")), ("error", "the store cannot commit")])
            return completion(.storeUnavailable(outage.error.summary))
        }
        let old = settings
        var notes: [String] = []
        if new.general != old.general { notes.append("[general] (database, log_format, log_level) takes effect at the next start") }
        // Admin tokens apply at once (rotating a leaked one must not wait for a restart); the
        // listeners and limits are fixed when the API starts.
        var api = old.api
        api.adminTokensFile = new.api.adminTokensFile
        api.adminTokens = new.api.adminTokens
        if new.api != api { notes.append("[api] listen, socket, limits and trusted_proxies take effect at the next start") }
        // If the batch cannot commit, `undo` goes back to the configuration before its first reload.
        batch.settingsBefore = batch.settingsBefore ?? old
        settings = LoadedConfiguration(general: old.general, ami: new.ami, api: api, core: new.core, files: new.files)
        let now = options.clock()
        let outcome = run { $0.reload(new.core, at: now) }
        if let failedInput {
            settings = old
            readBackFromStore()
            logger.error("config.reload_failed", [("file", .string(new.files.first ?? "")), ("error", .string(failedInput.description))])
            return completion(.storeUnavailable(failedInput.summary))
        }
        if new.ami != old.ami, let connection {
            connection.update(configuration: connectionConfiguration(new.ami))
        }
        audit(reload: new.files.first ?? "", outcome: "ok", detail: notes.isEmpty ? nil : notes.joined(separator: "; "))
        let agents = machine.agents.count
        whenCommitted { [self] failure in
            if let failure {
                // As if the file had not been read: `undo` put back the old settings and the agents as stored.
                logger.error(
                    "config.reload_failed", [("file", .string(new.files.first ?? "")), ("error", .string(failure.description))])
                return completion(.storeUnavailable(failure.summary))
            }
            for note in notes { logger.warning("config.restart_needed", [("message", .string(note))]) }
            logger.notice(
                "config.reloaded",
                [("file", .string(new.files.first ?? "")), ("agents", .int(agents)),
                 ("changes", .int(outcome.effects.transitions)),
                 ("actions", .int(outcome.effects.count(where: { EffectAction($0) != nil })))])
            notify(.configurationReloaded)
            completion(.applied(notes: notes))
        }
    }

    private func audit(reload file: String, outcome: String, detail: String?) {
        // While the store cannot commit, the log says it instead.
        guard !storeHoldsInputs() else { return }
        let entry = AuditEntry(
            at: options.clock(), actor: .admin("signal"), source: "SIGHUP", action: "reload", target: file, outcome: outcome,
            detail: detail)
        _ = recordAside("the reload is not in the audit log") { () throws(StoreError) in try store.write([], audit: entry) }
    }
}
