/// What stops `ccagentd` from starting, found by `StartupCheck` before anything is created. Each
/// names the setting, the file or address, what is wrong and what to do about it, in one line.
public enum StartupProblem: Error, Sendable, Equatable, CustomStringConvertible {
    /// The directory that is to hold the database or the socket.
    case directory(of: Setting, path: String, directory: String, DirectoryFault)
    /// The database file exists but cannot be ours.
    case database(path: String, FileFault)
    /// The socket's path cannot be listened on.
    case socket(path: String, SocketFault)
    /// The TCP address cannot be listened on.
    case listen(address: String, ListenFault)

    /// The settings that name a file.
    public enum Setting: Sendable, Equatable {
        case database, socket
    }

    public enum DirectoryFault: Sendable, Equatable {
        case missing
        /// It, or a directory above it, is a file.
        case notADirectory
        case notWritable(reason: String)
    }

    public enum FileFault: Sendable, Equatable {
        case isADirectory
        case notARegularFile
        case notWritable(reason: String)
    }

    public enum SocketFault: Sendable, Equatable {
        case tooLong(bytes: Int, limit: Int)
        /// Some other kind of file is at the path: it is never replaced.
        case notASocket
        /// A live socket: another daemon is listening there.
        case inUse
        case failed(reason: String)
    }

    public enum ListenFault: Sendable, Equatable {
        case unresolvable(host: String)
        case inUse
        /// The address is not one of this machine's.
        case notLocal
        case privilegedPort
        case failed(reason: String)
    }

    public var description: String {
        switch self {
        case .directory(let setting, let path, let directory, let fault):
            "\(setting.key) \(path): " + Self.describe(fault, directory, setting)
        case .database(let path, let fault):
            "\(Setting.database.key) \(path): " + Self.describe(fault, path)
        case .socket(let path, let fault):
            "\(Setting.socket.key) \(path): " + Self.describe(fault)
        case .listen(let address, let fault):
            "[api] listen \(address): " + Self.describe(fault)
        }
    }

    private static func describe(_ fault: DirectoryFault, _ directory: String, _ setting: Setting) -> String {
        let elsewhere = "or set \(setting.name) = to a path in a directory that exists"
        switch fault {
        case .missing:
            return "the directory \(directory) does not exist; create it\(setting.systemdNote) \(elsewhere)"
        case .notADirectory:
            return "\(directory) is not a directory (it, or a directory above it, is a file); \(elsewhere)"
        case .notWritable(let reason):
            return "the directory \(directory) is not writable by this user (\(reason))\(setting.writeNote); "
                + "give the user ccagentd runs as the right to write there, or set \(setting.name) = to a path in a directory it may write"
        }
    }

    private static func describe(_ fault: FileFault, _ path: String) -> String {
        switch fault {
        case .isADirectory:
            "it is a directory; set database = to a file in it, e.g. \(path)/ccagentd.sqlite"
        case .notARegularFile:
            "it is not a regular file; set database = to a file path"
        case .notWritable(let reason):
            "the file is not readable and writable by this user (\(reason)); give the user ccagentd runs as the file (chown), "
                + "or set database = to another path"
        }
    }

    private static func describe(_ fault: SocketFault) -> String {
        switch fault {
        case .tooLong(let bytes, let limit):
            "the path is \(bytes) bytes long and a Unix socket's may have at most \(limit); set socket = to a shorter path"
        case .notASocket:
            "a file that is not a socket is there and is left alone; move it away or set socket = to another path"
        case .inUse:
            "another process is listening there (another ccagentd?); stop it or set socket = to another path"
        case .failed(let reason):
            "cannot listen there (\(reason))"
        }
    }

    private static func describe(_ fault: ListenFault) -> String {
        switch fault {
        case .unresolvable(let host):
            "cannot resolve \(host); set listen = to an address of this machine, e.g. 127.0.0.1:8088"
        case .inUse:
            "the port is in use by another process (another ccagentd?); stop it or set listen = to another port"
        case .notLocal:
            "the address is not one of this machine's; set listen = to one that is, e.g. 127.0.0.1:8088"
        case .privilegedPort:
            "a port below 1024 needs privileges ccagentd does not have; set listen = to a port of 1024 or more"
        case .failed(let reason):
            "cannot listen there (\(reason))"
        }
    }
}

extension StartupProblem.Setting {
    /// As the sample configuration names the section and key.
    var key: String {
        switch self {
        case .database: "[general] database"
        case .socket: "[api] socket"
        }
    }

    var name: String {
        switch self {
        case .database: "database"
        case .socket: "socket"
        }
    }

    /// Who makes the directory in the packaged install.
    var systemdNote: String {
        switch self {
        case .database: ", writable by the user ccagentd runs as (systemd's StateDirectory=ccagentd does),"
        case .socket: " (systemd's RuntimeDirectory=ccagentd does)"
        }
    }

    /// Why writing matters when the file already exists.
    var writeNote: String {
        switch self {
        case .database: ": SQLite writes its -wal and -shm files beside the database"
        case .socket: ""
        }
    }
}
