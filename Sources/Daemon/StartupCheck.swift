public import ControlPort
public import Config
import SystemSupport

#if canImport(Glibc)
import Glibc
#endif

/// What `ccagentd` checks before it creates or opens anything for writing: the database's
/// directory (and file, if there is one), the socket's directory and path, and the TCP address.
/// When every check passes it binds the listeners and hands them over, so nothing found later
/// can be a port taken in the meantime; otherwise it reports every problem at once and leaves
/// nothing behind (no database, no socket file, no port held).
public struct StartupCheck: Sendable {
    public var database: String
    public var listen: ListenAddress
    public var socket: String?
    /// The socket file's mode: whoever may open it is a local admin.
    public var socketMode: UInt32

    public init(database: String, listen: ListenAddress, socket: String?, socketMode: UInt32 = 0o660) {
        self.database = database
        self.listen = listen
        self.socket = socket
        self.socketMode = socketMode
    }

    public init(configuration: LoadedConfiguration) {
        self.init(database: configuration.general.database, listen: configuration.api.listen, socket: configuration.api.socket)
    }

    /// Runs every check. The listeners, bound, when all pass; every problem found otherwise.
    public func run() throws(StartupFailure) -> StartupListeners {
        var problems = checkDatabase().map { [$0] } ?? []
        if let socket, let problem = Self.checkSocket(socket) { problems.append(problem) }
        let tcp: (fd: Int32, address: ListenAddress)
        do {
            tcp = try bindTCP()
        } catch {
            throw StartupFailure(problems: problems + [error])
        }
        guard problems.isEmpty else {
            Socket.close(tcp.fd)
            throw StartupFailure(problems: problems)
        }
        // Last: the only check that creates a file. A socket found stale is replaced here.
        guard let socket else { return StartupListeners(tcp: tcp.fd, address: tcp.address, socket: nil) }
        do {
            let fd = try Socket.listenLocal(path: socket, mode: socketMode)
            let listener = LocalListener(path: socket, fd: fd, file: LocalSocketFile(boundAt: socket))
            return StartupListeners(tcp: tcp.fd, address: tcp.address, socket: listener)
        } catch {
            Socket.close(tcp.fd)
            throw StartupFailure(problems: [Self.socketProblem(socket, error)])
        }
    }

    // MARK: The database

    /// Its directory must exist and be writable (SQLite puts the -wal and -shm files there); a
    /// file already at the path must be a regular file we may read and write.
    func checkDatabase() -> StartupProblem? {
        let directory = Self.directory(of: database)
        if let fault = Self.directoryFault(directory) {
            return .directory(of: .database, path: database, directory: directory, fault)
        }
        var status = stat()
        guard stat(database, &status) == 0 else {
            let code = errno
            return code == ENOENT ? nil : .database(path: database, .notWritable(reason: Self.reason(code)))
        }
        switch status.st_mode & S_IFMT {
        case S_IFDIR: return .database(path: database, .isADirectory)
        case S_IFREG: break
        default: return .database(path: database, .notARegularFile)
        }
        if faccessat(AT_FDCWD, database, R_OK | W_OK, AT_EACCESS) != 0 {
            return .database(path: database, .notWritable(reason: Self.reason(errno)))
        }
        return nil
    }

    // MARK: The Unix socket

    /// Without creating anything: the path fits, its directory is writable, and what is there
    /// already is a stale socket or nothing. A live socket is another daemon's, never taken.
    static func checkSocket(_ path: String) -> StartupProblem? {
        let length = path.utf8.count
        if length > Socket.maximumLocalPathLength {
            return .socket(path: path, .tooLong(bytes: length, limit: Socket.maximumLocalPathLength))
        }
        let directory = directory(of: path)
        if let fault = directoryFault(directory) { return .directory(of: .socket, path: path, directory: directory, fault) }
        var status = stat()
        guard lstat(path, &status) == 0 else { return nil }
        guard (status.st_mode & S_IFMT) == S_IFSOCK else { return .socket(path: path, .notASocket) }
        do {
            Socket.close(try Socket.connectLocal(path: path))
        } catch where error.code == ECONNREFUSED {
            return nil  // stale: no one listens, `listenLocal` replaces it
        } catch {}
        return .socket(path: path, .inUse)
    }

    static func socketProblem(_ path: String, _ error: SystemCallError) -> StartupProblem {
        switch error.code {
        case EEXIST: .socket(path: path, .notASocket)
        case EADDRINUSE: .socket(path: path, .inUse)
        case ENAMETOOLONG: .socket(path: path, .tooLong(bytes: path.utf8.count, limit: Socket.maximumLocalPathLength))
        default: .socket(path: path, .failed(reason: reason(error.code)))
        }
    }

    // MARK: TCP

    /// Binds the address as the API will use it (its first resolved address).
    func bindTCP() throws(StartupProblem) -> (fd: Int32, address: ListenAddress) {
        guard let address = try? SocketAddress.resolve(host: listen.host, port: listen.port).first else {
            throw .listen(address: listen.description, .unresolvable(host: listen.host))
        }
        let fd: Int32
        do {
            fd = try Socket.listen(on: address)
        } catch {
            let fault: StartupProblem.ListenFault =
                switch error.code {
                case EADDRINUSE: .inUse
                case EADDRNOTAVAIL: .notLocal
                case EACCES: .privilegedPort
                default: .failed(reason: Self.reason(error.code))
                }
            throw .listen(address: listen.description, fault)
        }
        var bound = listen
        bound.port = (try? Socket.localAddress(fd).port) ?? listen.port
        return (fd, bound)
    }

    // MARK: Helpers

    /// The directory part of `path`: `.` for a bare name, `/` for a file at the root.
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let directory = path[..<slash]
        return directory.isEmpty ? "/" : String(directory)
    }

    /// Nil when `directory` exists, is a directory, and this process may create files in it.
    static func directoryFault(_ directory: String) -> StartupProblem.DirectoryFault? {
        var status = stat()
        guard stat(directory, &status) == 0 else {
            let code = errno
            switch code {
            case ENOENT: return .missing
            case ENOTDIR: return .notADirectory
            default: return .notWritable(reason: reason(code))
            }
        }
        guard (status.st_mode & S_IFMT) == S_IFDIR else { return .notADirectory }
        // The effective ids, as the kernel will judge the writes; a read-only mount fails here too.
        if faccessat(AT_FDCWD, directory, W_OK | X_OK, AT_EACCESS) != 0 { return .notWritable(reason: reason(errno)) }
        return nil
    }

    static func reason(_ code: Int32) -> String {
        String(cString: strerror(code)).lowercased()
    }
}

/// Every reason the daemon cannot start, in the order checked: the database, the socket, the
/// TCP address.
public struct StartupFailure: Error, Sendable, Equatable {
    public var problems: [StartupProblem]
}
