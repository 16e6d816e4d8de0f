/// Every command of ccagentctl with its help: one place for the parser and the help text.
enum CommandCatalog {
    static let program = "ccagentctl"
    static let defaultSocket = "/run/ccagentd/ccagentd.sock"
    static let defaultTimeout = 10.0

    static let connectionOptions: [CommandSpec.Option] = [
        .init(name: "--json", help: "Print the API's JSON (one object per line for watch) instead of a table."),
        .init(
            name: "--socket", value: "path",
            help: "The daemon's Unix socket, where no token is needed (default: $CCAGENTCTL_SOCKET, else \(defaultSocket))."),
        .init(
            name: "--url", value: "url",
            help: "The daemon's HTTP address instead, http://HOST:PORT (default: $CCAGENTD_URL). https is not supported: ccagentd listens on loopback."),
        .init(name: "--token", value: "token", help: "A session or admin token (default: $CCAGENTD_TOKEN)."),
        .init(name: "--token-file", value: "file", help: "Read the token from this file."),
        .init(name: "--timeout", value: "seconds", help: "Give up when the daemon has not answered within this. (default: 10)"),
    ]

    static let root = CommandSpec(
        name: program,
        abstract: "Run the call-center agents of ccagentd from the command line.",
        discussion: """
            Talks to the daemon's control API over its Unix socket, as a local admin, or
            over HTTP with --url and a token. Prints tables for people and, with --json,
            the API's own JSON for scripts.

            Exit status:
              0   success
              1   the daemon refused the request (a 4xx answer: unknown agent, extension
                  taken, status limit reached, invalid configuration, ...)
              64  usage error
              69  the daemon is unreachable, timed out, failed (5xx) or answered
                  something that is not its API
              77  not authorized (401 or 403, or no permission to open the socket)
            """,
        ownOptions: [.init(name: "--version", help: "Show the version.")],
        talksToDaemon: false)

    static let login = CommandSpec.Argument(name: "login", help: "The agent's login, e.g. dana@example.com.")

    static let commands: [CommandSpec] = [
        CommandSpec(
            name: "agents", abstract: "List the agents you may see, with status and queues.",
            discussion: "Times are in local time: the time of day for today, the date and time before."),
        CommandSpec(
            name: "agent", abstract: "Show one agent: status, extension, queues, calls.",
            arguments: [login]),
        CommandSpec(
            name: "extensions", abstract: "List an agent's extension offer, or every extension.",
            discussion: """
                With a login: the agent's ordered offer (its personal extension, its virtual
                extension, then the others it may use) and who holds each. Without: every
                configured extension with its interface and agent (admins only).
                """,
            arguments: [.init(name: "login", help: "The agent whose offer to list.", optional: true)]),
        CommandSpec(
            name: "login", abstract: "Log an agent in at an extension.",
            discussion: "Prints the agent's new state; warnings from the daemon go to standard error.",
            arguments: [login, .init(name: "extension", help: "The extension to sit at, e.g. 101 (see 'ccagentctl extensions <login>').")]),
        CommandSpec(
            name: "logout", abstract: "Log an agent out.", discussion: "Prints the agent's new state.", arguments: [login]),
        CommandSpec(
            name: "status", abstract: "Set an agent's status.",
            discussion: "Prints the agent's new state; warnings from the daemon go to standard error.",
            arguments: [login, .init(name: "status", help: "The status id, e.g. connected or break.")]),
        CommandSpec(
            name: "report", abstract: "Time in each status and calls per agent for one day.",
            discussion: """
                One row per agent you may see that had time in the day (or only the agent
                given): the time in each status as H:MM:SS, most time first, then the calls
                taken and made. The day runs from midnight to midnight in --tz.
                """,
            arguments: [.init(name: "login", help: "Only this agent.", optional: true)],
            ownOptions: [
                .init(name: "--day", value: "day", help: "The day, as YYYY-MM-DD. (default: today in the time zone)"),
                .init(
                    name: "--tz", value: "zone",
                    help: "The time zone of the day, as Area/City, e.g. Asia/Jerusalem. (default: the daemon's)"),
            ]),
        CommandSpec(
            name: "watch", abstract: "Print status changes and calls live as they happen.",
            discussion: """
                Runs until SIGINT or SIGTERM, then exits 0. When the stream drops, it says so on
                standard error and reconnects with Last-Event-ID, so no event is missed while
                the daemon still has it; otherwise the stream starts with a reset, and the
                current state should be re-read with 'ccagentctl agents'. --timeout bounds each
                connection attempt; a stream silent for 45 s is taken as lost.
                """),
        CommandSpec(
            name: "reload", abstract: "Make the daemon re-read its configuration file.",
            discussion: """
                Prints 'reloaded' and the daemon's notes; or, when the file is invalid, every
                error on standard error and exits 1 (the daemon keeps the configuration it has).
                """),
        CommandSpec(
            name: "unlock", abstract: "Let a login locked by failed passwords try again at once.",
            discussion: """
                After login_attempts_per_login failed passwords a login is locked for up to
                login_window; this clears its failures (admins only, audited). Prints
                '<login>: unlocked', or '<login>: was not locked'.
                """,
            arguments: [.init(name: "login", help: "The locked login, e.g. dana@example.com.")]),
        CommandSpec(
            name: "hash-password", abstract: "Print a crypt(3) hash for a user's 'password =' key.",
            discussion: """
                Asks twice on the terminal, without echo. With --stdin it reads one line from
                standard input instead, for scripts:
                  printf '%s\\n' "$PW" | ccagentctl hash-password --stdin
                """,
            ownOptions: [
                .init(name: "--stdin", help: "Read the password from the first line of standard input."),
                .init(name: "--method", value: "method", help: "yescrypt or sha512 ($6$). (default: yescrypt)"),
            ],
            talksToDaemon: false),
    ]

    static func command(named name: String) -> CommandSpec? { commands.first { $0.name == name } }
}
