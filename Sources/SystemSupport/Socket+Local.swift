#if canImport(Glibc)
import Glibc
#endif

extension Socket {
    /// A non-blocking Unix-domain listening socket at `path`, with file mode `mode` (e.g. 0o660:
    /// who may connect is decided by file permission, like Docker's socket). A stale socket
    /// file left by a crash is replaced; any other file there is an error.
    public static func listenLocal(path: String, mode: UInt32, backlog: Int32 = 64) throws(SystemCallError) -> Int32 {
        var address = try localAddress(path, call: "bind")
        var status = stat()
        if lstat(path, &status) == 0 {
            guard (status.st_mode & S_IFMT) == S_IFSOCK else { throw SystemCallError(call: "bind(\(path)): not a socket", code: EEXIST) }
            // A socket someone still answers on (or whose backlog is full) is another running
            // daemon's: never steal it. Only a refused connect proves it stale.
            do {
                close(try connectLocal(path: path))
            } catch where error.code == ECONNREFUSED {
                unlink(path)
            } catch {}
            var again = stat()
            if lstat(path, &again) == 0 {
                throw SystemCallError(call: "bind(\(path)): another process is listening there", code: EADDRINUSE)
            }
        }
        let fd = try syscall("socket") { socket(AF_UNIX, localStreamType, 0) }
        do {
            _ = try syscall("bind(\(path))") {
                withUnsafePointer(to: &address) { pointer in
                    pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
                }
            }
            _ = try syscall("chmod(\(path))") { chmod(path, mode_t(mode)) }
            _ = try syscall("listen") { Glibc.listen(fd, backlog) }
        } catch {
            close(fd)
            throw error
        }
        return fd
    }

    /// A non-blocking descriptor connected to the Unix-domain socket at `path`. A local connect
    /// completes at once or fails (EAGAIN: the listener's backlog is full); after EINTR it goes
    /// on in the background and writability says when it is done, as for TCP.
    public static func connectLocal(path: String) throws(SystemCallError) -> Int32 {
        var address = try localAddress(path, call: "connect")
        let fd = try syscall("socket") { socket(AF_UNIX, localStreamType, 0) }
        let result = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        if result == -1 {
            let code = errno
            if code != EINTR {
                close(fd)
                throw SystemCallError(call: "connect(\(path))", code: code)
            }
        }
        return fd
    }

    /// The longest path a Unix-domain socket may have, in bytes (`sun_path` less its NUL).
    public static var maximumLocalPathLength: Int { MemoryLayout.size(ofValue: sockaddr_un().sun_path) - 1 }

    private static var localStreamType: Int32 {
        Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
    }

    private static func localAddress(_ path: String, call: String) throws(SystemCallError) -> sockaddr_un {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard !bytes.isEmpty, bytes.count < capacity else { throw SystemCallError(call: "\(call)(\(path))", code: ENAMETOOLONG) }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
        }
        return address
    }

    /// Accepts one pending connection with its peer: `10.0.0.5` for TCP, `unix` for a local
    /// socket. Nil when none is waiting.
    public static func acceptPeer(_ fd: Int32) throws(SystemCallError) -> (fd: Int32, peer: String)? {
        while true {
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let client = withUnsafeMutablePointer(to: &storage) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.accept(fd, $0, &length) }
            }
            if client >= 0 {
                setNonBlocking(client)
                let family = Int32(storage.ss_family)
                if family == AF_INET || family == AF_INET6 {
                    var one: Int32 = 1
                    _ = setsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                    return (client, SocketAddress(storage: storage, length: length).host)
                }
                return (client, "unix")
            }
            let code = errno
            switch code {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK, ECONNABORTED: return nil
            default: throw SystemCallError(call: "accept", code: code)
            }
        }
    }
}
