import HTTPWire
import HTTPServing
import Crypt
public import Config
public import ControlPort
import Dispatch
public import SystemSupport

/// The control API of a running daemon: the HTTP server on TCP and the Unix socket, the
/// router, the sessions and the live event stream (docs/API.md).
public final class APIService: Sendable {
    let server: HTTPServer
    let router: APIRouter
    let hub: EventHub

    /// Ready to listen; events are recorded from now on, so a client may resume from any of them.
    public init(daemon: any ControlPort, settings: APISettings, logger: Logger) throws(SystemCallError) {
        // Ids keep growing across restarts: see `EventHub`.
        hub = EventHub(firstID: UInt64(max(0, daemon.now().millisecondsSince1970)) * 1000)
        let router = APIRouter(daemon: daemon, settings: settings, hub: hub, logger: logger)
        self.router = router
        let limits = HTTPServerLimits(
            maximumConnections: settings.maxConnections, headerTimeout: settings.headerTimeout, requestTimeout: settings.requestTimeout)
        server = try HTTPServer(limits: limits, logger: logger) { request, context, responder in
            router.handle(request, context, responder)
        }
        daemon.observe(withState: { [hub, router] event, state in
            hub.publish(event, machine: state.machine)
            if event == .configurationReloaded { router.revalidate(state: state) }
        })
        daemon.every(.seconds(15)) { [hub, router, daemon] in
            daemon.withState { state in router.revalidate(state: state) }
            hub.heartbeat()
        }
        daemon.every(.seconds(60)) { [router] in
            _ = router.sessions.purgeExpired(now: .now)
            router.limiter.purge(now: .now)
        }
    }

    /// Listens on TCP; returns the port (useful with port 0).
    public func listen(on address: ListenAddress) throws(SystemCallError) -> Int {
        try server.listen(host: address.host, port: address.port)
    }

    /// Listens on a Unix-domain socket, mode 0660: whoever may open it is a local admin.
    public func listen(socket path: String) throws(SystemCallError) {
        try server.listen(path: path, mode: 0o660)
    }

    /// Accepts on the listeners `StartupCheck` bound; from now on the API owns them, and
    /// `shutdown` removes the socket file.
    public func adopt(_ listeners: StartupListeners) {
        server.adopt(listener: listeners.tcp)
        if let socket = listeners.socket { server.adopt(listener: socket.fd, socketFile: socket.file) }
    }

    /// Ends every event stream and connection, stops listening and removes the socket file.
    public func shutdown() {
        hub.closeAll()
        server.shutdown()
    }
}
