import HTTPWire
public import FoundationEssentials
public import SystemSupport

/// ccagentctl: parses the command line, runs the command, and returns the exit status.
/// Everything it touches outside (streams, environment, clock, signals, the hasher) is passed
/// in, so tests run it in-process against a fake daemon.
public struct Ctl: Sendable {
    public static let version = ProductVersion.current

    public var environment: [String: String]
    public var console: Console
    public var timeZone: ZoneInfo
    public var clock: @Sendable () -> Date
    /// Stops `watch` (SIGINT, SIGTERM); nil: it runs until the stream fails for good.
    public var cancellation: Cancellation?
    public var hasher: any PasswordHasher
    public var watchTiming: WatchTiming

    public init(
        environment: [String: String], console: Console, timeZone: ZoneInfo = .current,
        clock: @escaping @Sendable () -> Date = { Date() }, cancellation: Cancellation? = nil,
        hasher: any PasswordHasher = CryptPasswordHasher(), watchTiming: WatchTiming = WatchTiming()
    ) {
        self.environment = environment
        self.console = console
        self.timeZone = timeZone
        self.clock = clock
        self.cancellation = cancellation
        self.hasher = hasher
        self.watchTiming = watchTiming
    }

    public func run(_ arguments: [String]) -> Int32 {
        switch CommandLineParser.parse(arguments) {
        case .success(let invocation): run(invocation)
        case .failure(let error): usageError(error)
        }
    }

    public func run(_ invocation: Invocation) -> Int32 {
        switch invocation {
        case .help(let command):
            console.output.write(HelpFormatter.help(command: command))
            return ExitStatus.success
        case .version:
            console.output.write("ccagentctl \(Self.version)\n")
            return ExitStatus.success
        case .run(.hashPassword(let method, let fromStandardInput), _, _):
            let command = HashPasswordCommand(console: console, hasher: hasher)
            return finish { () throws(CommandFailure) in try command.run(method: method, fromStandardInput: fromStandardInput) }
        case .run(let command, let options, let json):
            return finish { () throws(CommandFailure) in try runAgainstDaemon(command, options: options, json: json) }
        }
    }

    private func runAgainstDaemon(_ command: CtlCommand, options: ConnectionOptions, json: Bool) throws(CommandFailure) -> Int32 {
        let settings: ConnectionSettings
        do {
            settings = try ConnectionSettings.resolve(options, environment: environment, command: command.name)
        } catch {
            throw .usage(error)
        }
        let client = HTTPClient(endpoint: settings.endpoint, token: settings.token, timeout: settings.timeout, cancellation: cancellation)
        let time = LocalTime(timeZone: timeZone, now: clock())
        do {
            if command == .watch {
                let formatter = EventFormatter(time: time, clock: clock)
                return try EventWatcher(client: client, json: json, formatter: formatter, console: console, timing: watchTiming).run()
            }
            guard let request = DaemonRequests.request(for: command) else { return ExitStatus.usage }
            let response = try client.send(request)
            let printer = ResponsePrinter(console: console, json: json, formatter: AgentFormatter(time: time))
            return try printer.print(response, for: command)
        } catch {
            throw .failed(explained(error, settings: settings))
        }
    }

    /// A 401 over HTTP without a token says where a token goes.
    private func explained(_ error: CtlError, settings: ConnectionSettings) -> CtlError {
        guard case .answered(401, let code, let message) = error, settings.token == nil, case .http = settings.endpoint else { return error }
        return .answered(status: 401, code: code, message: message + " (no token was given: use --token, --token-file or CCAGENTD_TOKEN)")
    }

    private func finish(_ body: () throws(CommandFailure) -> Int32) -> Int32 {
        do {
            return try body()
        } catch {
            switch error {
            case .usage(let usage): return usageError(usage)
            case .failed(.cancelled): return ExitStatus.success
            case .failed(let failure):
                console.error.write("Error: \(failure)\n")
                return failure.exitStatus
            }
        }
    }

    private func usageError(_ error: UsageError) -> Int32 {
        console.error.write(HelpFormatter.usageError(error))
        return ExitStatus.usage
    }
}

/// A command's failure: its command line (exit 64) or what happened when it ran.
enum CommandFailure: Error {
    case usage(UsageError)
    case failed(CtlError)
}

extension CtlCommand {
    /// The subcommand's name, for its usage line.
    var name: String {
        switch self {
        case .agents: "agents"
        case .agent: "agent"
        case .extensions: "extensions"
        case .login: "login"
        case .logout: "logout"
        case .status: "status"
        case .report: "report"
        case .watch: "watch"
        case .reload: "reload"
        case .unlock: "unlock"
        case .hashPassword: "hash-password"
        }
    }
}
