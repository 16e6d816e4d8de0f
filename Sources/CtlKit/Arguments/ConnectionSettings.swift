import SystemSupport
#if canImport(Glibc)
import Glibc
#endif

/// Where and how to reach the daemon, from the options and then the environment:
/// `--url`, `--socket`, `$CCAGENTD_URL`, `$CCAGENTCTL_SOCKET`, the default socket; the token from
/// `--token`, `--token-file`, `$CCAGENTD_TOKEN`.
public struct ConnectionSettings: Sendable, Equatable {
    public var endpoint: Endpoint
    public var token: String?
    public var timeout: Duration

    public static func resolve(
        _ options: ConnectionOptions, environment: [String: String], command: String
    ) throws(UsageError) -> ConnectionSettings {
        func variable(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        let endpoint: Endpoint
        if let url = options.url {
            endpoint = try parse(url: url, from: "'--url <url>'", command: command)
        } else if let socket = options.socket {
            endpoint = .socket(path: socket)
        } else if let url = variable("CCAGENTD_URL") {
            endpoint = try parse(url: url, from: "CCAGENTD_URL", command: command)
        } else {
            endpoint = .socket(path: variable("CCAGENTCTL_SOCKET") ?? CommandCatalog.defaultSocket)
        }
        var token: String?
        var source = "'--token <token>'"
        if let given = options.token {
            token = given
        } else if let file = options.tokenFile {
            token = try readToken(file, command: command)
            source = "the token file \(file)"
        } else if let given = variable("CCAGENTD_TOKEN") {
            token = given
            source = "CCAGENTD_TOKEN"
        }
        if let token, token.isEmpty || !token.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) {
            throw UsageError("\(source) must be one word of printable ASCII (the token alone)", command: command)
        }
        let seconds = options.timeout ?? CommandCatalog.defaultTimeout
        return ConnectionSettings(endpoint: endpoint, token: token, timeout: .milliseconds(Int64((seconds * 1000).rounded())))
    }

    private static func parse(url: String, from source: String, command: String) throws(UsageError) -> Endpoint {
        switch Endpoint.parse(url: url) {
        case .success(let endpoint): return endpoint
        case .failure(let error): throw UsageError("\(source): \(error)", command: command)
        }
    }

    /// The whole file, trimmed: it holds the token alone.
    private static func readToken(_ path: String, command: String) throws(UsageError) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw UsageError("cannot read the token file \(path): \(String(cString: strerror(errno)))", command: command)
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while bytes.count <= 64 << 10 {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                bytes += buffer[0..<count]
            } else if count == 0 {
                break
            } else if errno != EINTR {
                throw UsageError("cannot read the token file \(path): \(String(cString: strerror(errno)))", command: command)
            }
        }
        return String(decoding: bytes, as: UTF8.self).trimming(scalarsIn: " \t\r\n")
    }
}
