import ControlPort
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
    guard let configuration = load(path) else {
        // The errors are on stderr; the log (the journal's JSON, the file's format unknown) says why too.
        Logger(sink: LineLogSink(format: .json)).log(
            .critical, "daemon.start_failed",
            [("config", .string(path)), ("error", "the configuration has errors; ccagentd check-config \(path) lists them")])
        return ExitCode.failure
    }
    let sink = LineLogSink(format: configuration.general.logFormat == .text ? .text : .json)
    let logger = Logger(level: LogLevel(name: configuration.general.logLevel) ?? .info, sink: sink)
    // Before anything is created: a start that cannot work fails here, leaving nothing behind.
    let listeners: StartupListeners
    do {
        listeners = try StartupCheck(configuration: configuration).run()
    } catch {
        for problem in error.problems {
            logger.log(.critical, "daemon.start_failed", [("error", .string(problem.description))])
            write("ccagentd: \(problem.description.escapingControlCharacters)\n", to: .standardError)
        }
        return ExitCode.failure
    }
    let daemon: Daemon
    do {
        daemon = try Daemon(configuration: configuration, options: DaemonOptions(configPath: path), logger: logger)
    } catch {
        listeners.close()
        logger.log(.critical, "daemon.start_failed", [("error", .string(error.description))])
        write("ccagentd: \(error.description.escapingControlCharacters)\n", to: .standardError)
        return ExitCode.failure
    }
    guard let api = startAPI(daemon: daemon, configuration: configuration, listeners: listeners, logger: logger) else {
        return ExitCode.failure
    }
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
                case .refused(let errors): _ = notifier?.ready(status: "reload refused: \(errors.count.counted("error")); the old configuration stays")
                case .storeUnavailable: _ = notifier?.ready(status: "reload refused: the store cannot commit; the old configuration stays")
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

/// The control API on the listeners the start-up check bound; nil (with the reason logged and
/// on stderr, the listeners closed) when it cannot run.
private func startAPI(
    daemon: Daemon, configuration: LoadedConfiguration, listeners: StartupListeners, logger: Logger
) -> APIService? {
    let api: APIService
    do {
        api = try APIService(daemon: daemon, settings: configuration.api, logger: logger)
    } catch {
        listeners.close()
        logger.log(.critical, "api.start_failed", [("listen", "the API"), ("error", "\(error)")])
        write("ccagentd: cannot start the API: \("\(error)".escapingControlCharacters)\n", to: .standardError)
        return nil
    }
    api.adopt(listeners)
    logger.notice("api.listening", [("address", .string(listeners.address.description))])
    if let socket = listeners.socket { logger.notice("api.listening", [("socket", .string(socket.path))]) }
    return api
}
