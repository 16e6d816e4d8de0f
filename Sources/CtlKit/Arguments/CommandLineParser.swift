import SystemSupport
/// Reads ccagentctl's arguments the way swift-argument-parser tools do: kebab-case
/// subcommands, `--name value` and `--name=value`, options before or after the subcommand,
/// `--` before arguments that start with a dash, `-h`/`--help` and `help <subcommand>` anywhere.
public enum CommandLineParser {
    public static func parse(_ arguments: [String]) -> Result<Invocation, UsageError> {
        var parser = State()
        do throws(UsageError) {
            return .success(try parser.parse(arguments[...]))
        } catch {
            return .failure(error)
        }
    }

    private struct State {
        var command: CommandSpec?
        var helpCommand = false
        var wantsHelp = false
        var wantsVersion = false
        var positionals: [String] = []
        /// In order given; the last of a name wins, as in argument-parser.
        var options: [(option: CommandSpec.Option, value: String?)] = []

        mutating func parse(_ arguments: ArraySlice<String>) throws(UsageError) -> Invocation {
            var rest = arguments
            var onlyArguments = false
            while let argument = rest.popFirst() {
                if onlyArguments || !argument.hasPrefix("-") || argument == "-" {
                    try take(argument)
                } else if argument == "--" {
                    onlyArguments = true
                } else if argument == "-h" || argument == "--help" {
                    wantsHelp = true
                } else if argument == "--version", command == nil {
                    wantsVersion = true
                } else {
                    try takeOption(argument, rest: &rest)
                }
            }
            if helpCommand || wantsHelp { return .help(command: command?.name) }
            guard let command else {
                if wantsVersion {
                    guard options.isEmpty else { throw UsageError("Unknown option '\(options[0].option.name)'", command: nil) }
                    return .version
                }
                var error = UsageError("Missing expected argument '<subcommand>'", command: nil)
                error.showsFullHelp = arguments.isEmpty
                throw error
            }
            if wantsVersion { throw UsageError("Unknown option '--version'", command: command.name) }
            return try invocation(for: command)
        }

        mutating func take(_ word: String) throws(UsageError) {
            if command == nil {
                if word == "help", !helpCommand {
                    helpCommand = true
                    return
                }
                guard let spec = CommandCatalog.command(named: word) else {
                    throw UsageError("Unknown subcommand '\(word)'", command: nil)
                }
                command = spec
                return
            }
            if helpCommand { throw UsageError("Unexpected argument '\(word)'", command: nil) }
            positionals.append(word)
        }

        /// `--name`, `--name value` or `--name=value`. Before the subcommand any connection
        /// option is taken; whether the command accepts it is checked once it is known.
        mutating func takeOption(_ argument: String, rest: inout ArraySlice<String>) throws(UsageError) {
            let name: String
            var inline: String?
            if let equals = argument.firstIndex(of: "="), argument.hasPrefix("--") {
                name = String(argument[..<equals])
                inline = String(argument[argument.index(after: equals)...])
            } else {
                name = argument
            }
            let known = command?.options ?? (CommandCatalog.connectionOptions + allOwnOptions)
            guard let option = known.first(where: { $0.name == name }) else {
                throw UsageError("Unknown option '\(name)'", command: command?.name)
            }
            guard option.value != nil else {
                if let inline { throw UsageError("Unexpected value '\(inline)' for '\(name)'", command: command?.name) }
                options.append((option, nil))
                return
            }
            if inline == nil, let next = rest.first, !next.hasPrefix("--") {
                inline = next
                rest.removeFirst()
            }
            guard let value = inline else {
                throw UsageError("Missing value for '\(option.label)'", command: command?.name, help: Self.helpLine(option.label, option.help))
            }
            options.append((option, value))
        }

        /// The own options of every subcommand, for options written before it.
        var allOwnOptions: [CommandSpec.Option] { CommandCatalog.commands.flatMap(\.ownOptions) }

        func invocation(for command: CommandSpec) throws(UsageError) -> Invocation {
            for (option, _) in options where command.option(named: option.name) == nil {
                throw UsageError("Unknown option '\(option.name)'", command: command.name)
            }
            let required = command.arguments.filter { !$0.optional }
            if positionals.count < required.count {
                let missing = required[positionals.count]
                throw UsageError(
                    "Missing expected argument '\(missing.label)'", command: command.name, help: Self.helpLine(missing.label, missing.help))
            }
            if positionals.count > command.arguments.count {
                throw UsageError("Unexpected argument '\(positionals[command.arguments.count])'", command: command.name)
            }
            for (argument, value) in zip(command.arguments, positionals) where value.isEmpty {
                throw UsageError("The value '' is invalid for '\(argument.label)'", command: command.name)
            }
            let json = value(of: "--json") != nil
            let run = try self.command(command)
            return .run(run, try connection(for: command), json: json)
        }

        func command(_ spec: CommandSpec) throws(UsageError) -> CtlCommand {
            let p = positionals
            switch spec.name {
            case "agents": return .agents
            case "agent": return .agent(login: p[0])
            case "extensions": return .extensions(login: p.first)
            case "login": return .login(login: p[0], extension: p[1])
            case "logout": return .logout(login: p[0])
            case "status": return .status(login: p[0], status: p[1])
            case "report": return try report(spec, login: p.first)
            case "watch": return .watch
            case "reload": return .reload
            case "unlock": return .unlock(login: p[0])
            default:
                var method = HashMethod.yescrypt
                if let name = value(of: "--method") {
                    guard let chosen = HashMethod(rawValue: name) else {
                        throw UsageError(
                            "The value '\(name)' is invalid for '--method <method>'", command: spec.name,
                            help: "--method <method>  yescrypt or sha512")
                    }
                    method = chosen
                }
                return .hashPassword(method: method, fromStandardInput: value(of: "--stdin") != nil)
            }
        }

        /// `--day` must be a real `YYYY-MM-DD` and `--tz` not empty, before any request is made.
        func report(_ spec: CommandSpec, login: String?) throws(UsageError) -> CtlCommand {
            var day: CalendarDay?
            if let text = value(of: "--day") {
                guard let parsed = CalendarDay(text) else {
                    throw UsageError(
                        "The value '\(text)' is invalid for '--day <day>'", command: spec.name,
                        help: "--day <day>  a date that exists, as YYYY-MM-DD")
                }
                day = parsed
            }
            let zone = value(of: "--tz")
            if zone == "" {
                throw UsageError(
                    "The value '' is invalid for '--tz <zone>'", command: spec.name, help: "--tz <zone>  a time zone such as Asia/Jerusalem")
            }
            return .report(login: login, day: day, timeZone: zone)
        }

        func connection(for command: CommandSpec) throws(UsageError) -> ConnectionOptions {
            var result = ConnectionOptions(
                socket: value(of: "--socket"), url: value(of: "--url"), token: value(of: "--token"), tokenFile: value(of: "--token-file"))
            if result.socket != nil, result.url != nil {
                throw UsageError("'--socket <path>' cannot be combined with '--url <url>'", command: command.name)
            }
            if result.token != nil, result.tokenFile != nil {
                throw UsageError("'--token <token>' cannot be combined with '--token-file <file>'", command: command.name)
            }
            if let text = value(of: "--timeout") {
                guard let seconds = Double(text), seconds.isFinite, seconds > 0 else {
                    throw UsageError("The value '\(text)' is invalid for '--timeout <seconds>'", command: command.name,
                        help: "--timeout <seconds>  a number of seconds greater than 0")
                }
                result.timeout = seconds
            }
            return result
        }

        /// The last value of an option; "" for a flag that was given.
        func value(of name: String) -> String? {
            guard let last = options.last(where: { $0.option.name == name }) else { return nil }
            return last.value ?? ""
        }

        static func helpLine(_ label: String, _ help: String) -> String { "\(label)  \(help)" }
    }
}
