public import SystemSupport
/// How to reach the daemon, as given on the command line (the environment fills the rest later).
public struct ConnectionOptions: Sendable, Equatable {
    public var socket: String?
    public var url: String?
    public var token: String?
    public var tokenFile: String?
    /// Seconds.
    public var timeout: Double?

    public init(socket: String? = nil, url: String? = nil, token: String? = nil, tokenFile: String? = nil, timeout: Double? = nil) {
        self.socket = socket
        self.url = url
        self.token = token
        self.tokenFile = tokenFile
        self.timeout = timeout
    }
}

/// The crypt(3) method of `hash-password`.
public enum HashMethod: String, Sendable, Equatable, CaseIterable {
    case yescrypt
    case sha512
}

/// A command to run, with its arguments.
public enum CtlCommand: Sendable, Equatable {
    case agents
    case agent(login: String)
    /// Nil: every extension (`GET /v1/extensions`).
    case extensions(login: String?)
    case login(login: String, extension: String)
    case logout(login: String)
    case status(login: String, status: String)
    /// `GET /v1/reports/time-in-status`; nil login: every agent the caller may see; nil day
    /// and zone: the daemon's defaults (today, its local time zone).
    case report(login: String?, day: CalendarDay?, timeZone: String?)
    case watch
    case reload
    /// `DELETE /v1/logins/{login}/lock`: clears a login locked by failed passwords.
    case unlock(login: String)
    case hashPassword(method: HashMethod, fromStandardInput: Bool)
}

/// What the command line asks for.
public enum Invocation: Sendable, Equatable {
    /// The help of a command (nil: of ccagentctl itself), on standard output.
    case help(command: String?)
    case version
    case run(CtlCommand, ConnectionOptions, json: Bool)
}

/// A command line that cannot be run: the message, and the command whose usage to show.
public struct UsageError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    /// Nil: ccagentctl's own usage.
    public var command: String?
    /// The `Help:` line argument-parser adds for a missing argument: `<login>  The agent's login.`
    public var help: String?
    /// Print the whole help instead of the usage line (ccagentctl run with no arguments).
    public var showsFullHelp = false

    public init(_ message: String, command: String?, help: String? = nil) {
        self.message = message
        self.command = command
        self.help = help
    }

    public var description: String { message }
}
