/// Where the daemon's control API is: its Unix socket or an `http://` address.
public enum Endpoint: Sendable, Equatable, CustomStringConvertible {
    case socket(path: String)
    /// `basePath` is "" or starts with `/` and has no trailing one (a reverse proxy's prefix).
    case http(host: String, port: Int, basePath: String)

    public var description: String {
        switch self {
        case .socket(let path): path
        case .http(let host, let port, let basePath): "http://\(Self.bracketed(host)):\(port)\(basePath)"
        }
    }

    /// The `Host` header: the address as given, or `localhost` over the socket.
    var hostHeader: String {
        switch self {
        case .socket: "localhost"
        case .http(let host, let port, _): port == 80 ? Self.bracketed(host) : "\(Self.bracketed(host)):\(port)"
        }
    }

    var basePath: String {
        if case .http(_, _, let basePath) = self { basePath } else { "" }
    }

    /// `http://HOST[:PORT][/PREFIX]`: an IPv6 host in brackets, port 80 when none is given.
    /// Anything else (https, user info, a query) says what is wrong.
    public static func parse(url text: String) -> Result<Endpoint, EndpointError> {
        guard let schemeEnd = text.firstRange(of: "://") else { return .failure(.init("'\(text)' is not a URL like http://127.0.0.1:8088")) }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" else {
            if scheme == "https" {
                return .failure(.init("https is not supported: ccagentd serves plain HTTP on loopback (use http://HOST:PORT, or the Unix socket)"))
            }
            return .failure(.init("'\(text)' is not an http:// URL"))
        }
        var rest = text[schemeEnd.upperBound...]
        if rest.contains("?") || rest.contains("#") { return .failure(.init("'\(text)' has a query or fragment; give only http://HOST:PORT")) }
        var basePath = ""
        if let slash = rest.firstIndex(of: "/") {
            basePath = String(rest[slash...])
            rest = rest[..<slash]
            while basePath.hasSuffix("/") { basePath.removeLast() }
        }
        guard !rest.contains("@") else { return .failure(.init("'\(text)' has user information; pass the token with --token")) }
        var host = rest
        var portText: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { return .failure(.init("'\(text)' has an unclosed [ in its host")) }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { return .failure(.init("'\(text)' has something after its host")) }
                portText = after.dropFirst()
            }
        } else if let colon = rest.lastIndex(of: ":") {
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
        }
        guard !host.isEmpty else { return .failure(.init("'\(text)' has no host")) }
        var port = 80
        if let portText {
            guard let value = Int(portText), (1...65535).contains(value) else {
                return .failure(.init("'\(text)' has an invalid port '\(portText)'"))
            }
            port = value
        }
        return .success(.http(host: String(host), port: port, basePath: basePath))
    }

    private static func bracketed(_ host: String) -> String { host.contains(":") ? "[\(host)]" : host }
}

/// Why a `--url` cannot be used.
public struct EndpointError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
