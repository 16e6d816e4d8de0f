import AgentCore
import Config
import ControlAPI
import Daemon
import Dispatch
import Glibc
import Synchronization
import SystemSupport

/// `ccagentd --config FILE`: runs in the foreground until SIGTERM or SIGINT; SIGHUP reloads.
func runDaemon(configPath path: String) -> Int32 {
    Heap.useOneArena()
    // Before any thread exists, so every thread inherits the mask and no signal is lost.
    Signals.block([SIGHUP, SIGTERM, SIGINT])
    signal(SIGPIPE, SIG_IGN)
    guard let configuration = load(path) else { return ExitCode.failure }
    let sink = LineLogSink(format: configuration.general.logFormat == .text ? .text : .json)
    let logger = Logger(level: LogLevel(name: configuration.general.logLevel) ?? .info, sink: sink)
    let daemon: Daemon
    do {
        daemon = try Daemon(configuration: configuration, options: DaemonOptions(configPath: path), logger: logger)
    } catch {
        logger.log(.critical, "daemon.start_failed", [("error", error.description)])
        write("ccagentd: \(error)\n", to: .standardError)
        return ExitCode.failure
    }
    guard let api = startAPI(daemon: daemon, configuration: configuration, logger: logger) else { return ExitCode.failure }
    let notifier = SystemdNotifier()
    if let notifier, let interval = SystemdNotifier.watchdogInterval() {
        // Sent from the daemon's own thread: a wedged main loop stops the pings and systemd restarts it.
        daemon.every(interval) { _ = notifier.watchdog() }
    }
    let stopped = DispatchSemaphore(value: 0)
    let stopping = Mutex(false)
    Signals.handle([SIGHUP, SIGTERM, SIGINT]) { signal in
        if signal == SIGHUP {
            guard !stopping.withLock({ $0 }) else { return }
            _ = notifier?.reloading()
            daemon.reload { result in
                switch result {
                case .applied: _ = notifier?.ready(status: "configuration reloaded")
                case .refused(let errors): _ = notifier?.ready(status: "reload refused: \(errors.count) errors; the old configuration stays")
                }
            }
            return
        }
        let first = stopping.withLock { already in
            defer { already = true }
            return !already
        }
        guard first else { return }
        _ = notifier?.stopping()
        Task {
            // No new requests first, then the daemon drains what it was doing.
            api.shutdown()
            await daemon.stop()
            stopped.signal()
        }
    }
    daemon.start { status in _ = notifier?.ready(status: status) }
    stopped.wait()
    return ExitCode.success
}

/// The control API on TCP and, when configured, the Unix socket; nil (with the reason logged and
/// on stderr) when either cannot listen: a daemon its admins cannot reach is no use.
private func startAPI(daemon: Daemon, configuration: LoadedConfiguration, logger: Logger) -> APIService? {
    let settings = configuration.api
    let failed = { (what: String, error: any Error) -> APIService? in
        logger.log(.critical, "api.start_failed", [("listen", what), ("error", "\(error)")])
        write("ccagentd: cannot listen on \(what): \(error)\n", to: .standardError)
        return nil
    }
    let api: APIService
    do {
        api = try APIService(daemon: daemon, settings: settings, databasePath: configuration.general.database, logger: logger)
    } catch {
        return failed("the API", error)
    }
    do {
        let port = try api.listen(on: settings.listen)
        var bound = settings.listen
        bound.port = port
        logger.notice("api.listening", [("address", bound.description)])
    } catch {
        return failed(settings.listen.description, error)
    }
    if let path = settings.socket {
        do {
            try api.listen(socket: path)
            logger.notice("api.listening", [("socket", path)])
        } catch {
            return failed(path, error)
        }
    }
    return api
}
