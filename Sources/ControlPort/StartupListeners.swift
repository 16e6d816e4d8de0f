public import Config
public import SystemSupport

/// A Unix-domain listening socket and the file it made.
public struct LocalListener: Sendable {
    public let path: String
    public let fd: Int32
    /// Nil only if the file vanished right after the bind: then there is nothing of ours to remove.
    public let file: LocalSocketFile?

    public init(path: String, fd: Int32, file: LocalSocketFile?) {
        self.path = path
        self.fd = fd
        self.file = file
    }
}

/// The API's listening sockets, bound by `StartupCheck` before anything else was opened. Whoever
/// holds them must hand them to the API server or `close()` them.
public struct StartupListeners: Sendable {
    public let tcp: Int32
    /// The TCP address as bound: port 0 replaced by the port the kernel chose.
    public let address: ListenAddress
    public let socket: LocalListener?

    public init(tcp: Int32, address: ListenAddress, socket: LocalListener?) {
        self.tcp = tcp
        self.address = address
        self.socket = socket
    }

    /// Removes the socket file (while its listener is still open: see `LocalSocketFile.remove`)
    /// and closes both sockets. For a start that fails after the checks passed.
    public func close() {
        if let socket {
            socket.file?.remove()
            Socket.close(socket.fd)
        }
        Socket.close(tcp)
    }
}
