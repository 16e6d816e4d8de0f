public import AgentCore
public import SystemSupport

/// `[…] type = general`.
public struct GeneralSettings: Sendable, Equatable {
    public enum LogFormat: String, Sendable, Equatable, CaseIterable {
        case json, text
    }

    /// The levels of swift-log, lowest first.
    public static let logLevels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]

    public var database: String
    public var logFormat: LogFormat
    public var logLevel: String

    public init(database: String = "/var/lib/ccagentd/ccagentd.sqlite", logFormat: LogFormat = .json, logLevel: String = "info") {
        self.database = database
        self.logFormat = logFormat
        self.logLevel = logLevel
    }
}

/// `[…] type = ami`: how to reach the Asterisk Manager Interface.
public struct AMISettings: Sendable, Equatable {
    public enum Authentication: String, Sendable, Equatable, CaseIterable {
        /// `Login` with `Secret`.
        case plain
        /// `Challenge` then `Login` with an MD5 key: the secret never crosses the wire.
        case md5
    }

    public var host: String
    public var port: Int
    public var username: String
    public var secret: String
    public var pingInterval: Duration
    public var authentication: Authentication

    public init(
        host: String = "127.0.0.1", port: Int = 5038, username: String, secret: String, pingInterval: Duration = .seconds(10),
        authentication: Authentication = .plain
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.secret = secret
        self.pingInterval = pingInterval
        self.authentication = authentication
    }
}

/// A TCP address to listen on: `127.0.0.1:8088`, `[::1]:8088`, `0.0.0.0:8088`.
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port` or `[ipv6]:port`; nil when it is neither.
    public init?(parsing text: String) {
        let host: Substring, port: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { return nil }
            port = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            host = text[..<colon]
            port = text[text.index(after: colon)...]
            if host.contains(":") { return nil }
        }
        guard !host.isEmpty, !host.contains(where: \.isWhitespace), let number = Int(port), (0...65535).contains(number),
            port.allSatisfy(\.isASCII)
        else { return nil }
        self.host = String(host)
        self.port = number
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// `[…] type = api`: where the control API listens, and how it guards logins.
public struct APISettings: Sendable, Equatable {
    public var listen: ListenAddress
    /// A Unix socket for `ccagentctl`, if any.
    public var socket: String?
    /// `admin_tokens`: the token file as resolved (relative to the file that names it), if any.
    public var adminTokensFile: String?
    /// The tokens read from `adminTokensFile`, in file order.
    public var adminTokens: [AdminTokenEntry]
    /// A session lives this long after its last use.
    public var sessionTTL: Duration
    /// Failed password logins allowed per login, and per client address, within `loginWindow`.
    public var loginAttemptsPerLogin: Int
    public var loginAttemptsPerAddress: Int
    public var loginWindow: Duration
    /// TCP connections open at once; a newcomer closes the one idle longest, or is answered 503
    /// when none is idle.
    public var maxConnections: Int
    /// A request's head must arrive whole within this from when the connection opened or its last
    /// response was written.
    public var headerTimeout: Duration
    /// A request must arrive whole within this, from its first byte.
    public var requestTimeout: Duration
    /// Reverse proxies whose `X-Forwarded-For` names the client, for the login limits and the
    /// audit; the header of anyone else is ignored.
    public var trustedProxies: [IPNetwork]

    public init(
        listen: ListenAddress = ListenAddress(host: "127.0.0.1", port: 8088), socket: String? = nil, adminTokensFile: String? = nil,
        adminTokens: [AdminTokenEntry] = [], sessionTTL: Duration = .seconds(28800), loginAttemptsPerLogin: Int = 5,
        loginAttemptsPerAddress: Int = 20, loginWindow: Duration = .seconds(300), maxConnections: Int = 256,
        headerTimeout: Duration = .seconds(10), requestTimeout: Duration = .seconds(10), trustedProxies: [IPNetwork] = []
    ) {
        self.listen = listen
        self.socket = socket
        self.adminTokensFile = adminTokensFile
        self.adminTokens = adminTokens
        self.sessionTTL = sessionTTL
        self.loginAttemptsPerLogin = loginAttemptsPerLogin
        self.loginAttemptsPerAddress = loginAttemptsPerAddress
        self.loginWindow = loginWindow
        self.maxConnections = maxConnections
        self.headerTimeout = headerTimeout
        self.requestTimeout = requestTimeout
        self.trustedProxies = trustedProxies
    }
}

/// Everything one configuration file says, validated.
public struct LoadedConfiguration: Sendable, Equatable {
    public var general: GeneralSettings
    public var ami: AMISettings
    public var api: APISettings
    public var core: CoreConfiguration
    /// Every file that was read, the main one first, then the `#include`d ones.
    public var files: [String]

    public init(general: GeneralSettings, ami: AMISettings, api: APISettings, core: CoreConfiguration, files: [String] = []) {
        self.general = general
        self.ami = ami
        self.api = api
        self.core = core
        self.files = files
    }

    /// The groups users are in.
    public var groups: Set<GroupID> { Set(core.users.values.compactMap(\.group)) }

    /// The queues of every skill.
    public var queues: Set<QueueName> { Set(core.skills.values.flatMap(\.queues)) }
}
