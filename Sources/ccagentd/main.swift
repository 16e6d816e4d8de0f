import Config
import Glibc
import SystemSupport

// ccagentd: the call-center agent daemon beside Asterisk.

let version = ProductVersion.current
let usage = "USAGE: ccagentd --config <file>\n       ccagentd <subcommand>"

let help = """
    OVERVIEW: Runs the call-center agents of an Asterisk PBX.

    \(usage)

    OPTIONS:
      --config <file>         The configuration file to run with.
      --version               Show the version.
      -h, --help              Show help information.

    SUBCOMMANDS:
      check-config            Check a configuration file and say what it defines.

      See 'ccagentd help <subcommand>' for detailed help.

    """

let checkConfigHelp = """
    OVERVIEW: Check a configuration file and say what it defines.

    Prints every error, one per line, as file:line: [section] key: message, and exits 1;
    or prints a summary of what was loaded and exits 0.

    USAGE: ccagentd check-config <file>

    ARGUMENTS:
      <file>                  The configuration file, e.g. /etc/ccagentd/ccagentd.conf.

    OPTIONS:
      -h, --help              Show help information.

    """

enum ExitCode {
    static let success: Int32 = 0
    static let failure: Int32 = 1
    /// Unknown or missing arguments: EX_USAGE, as sysexits(3) and ccagentctl.
    static let usage: Int32 = 64
}

func write(_ text: String, to handle: FileDescriptor) {
    handle.write(text)
}

func usageError(_ message: String, usage: String = usage) -> Int32 {
    write("Error: \(message)\n\(usage)\n  See 'ccagentd --help' for more information.\n", to: .standardError)
    return ExitCode.usage
}

/// Loads `path`: the errors on stderr, or nil; the configuration otherwise.
func load(_ path: String) -> LoadedConfiguration? {
    switch ConfigLoader().load(path: path) {
    case .success(let configuration): return configuration
    case .failure(let list):
        for error in list.errors { write("\(error)\n", to: .standardError) }
        let count = list.errors.count
        write("\(path.escapingControlCharacters): \(count) error\(count == 1 ? "" : "s")\n", to: .standardError)
        return nil
    }
}

func checkConfig(_ arguments: ArraySlice<String>) -> Int32 {
    let subUsage = "USAGE: ccagentd check-config <file>"
    if arguments.contains(where: { $0 == "-h" || $0 == "--help" }) {
        write(checkConfigHelp, to: .standardOutput)
        return ExitCode.success
    }
    guard let path = arguments.first else { return usageError("Missing expected argument '<file>'", usage: subUsage) }
    if let extra = arguments.dropFirst().first { return usageError("Unexpected argument '\(extra)'", usage: subUsage) }
    if path.hasPrefix("-") { return usageError("Unknown option '\(path)'", usage: subUsage) }
    guard let configuration = load(path) else { return ExitCode.failure }
    write("\(path): OK\n" + configuration.summaryLines.map { "  \($0)\n" }.joined(), to: .standardOutput)
    return ExitCode.success
}

func run(_ arguments: ArraySlice<String>) -> Int32 {
    guard let first = arguments.first else { return usageError("Missing expected argument '--config <file>' or a subcommand") }
    switch first {
    case "-h", "--help":
        write(help, to: .standardOutput)
        return ExitCode.success
    case "help":
        if arguments.dropFirst().first == "check-config" {
            write(checkConfigHelp, to: .standardOutput)
        } else {
            write(help, to: .standardOutput)
        }
        return ExitCode.success
    case "--version":
        guard arguments.count == 1 else { return usageError("Unexpected argument '\(arguments[arguments.startIndex + 1])'") }
        write("ccagentd \(version)\n", to: .standardOutput)
        return ExitCode.success
    case "check-config":
        return checkConfig(arguments.dropFirst())
    default:
        var path: String?
        var rest = arguments
        while let argument = rest.popFirst() {
            if argument == "--config" {
                guard let value = rest.popFirst() else { return usageError("Missing value for '--config <file>'") }
                path = value
            } else if argument.hasPrefix("--config=") {
                path = String(argument.dropFirst("--config=".count))
            } else if argument.hasPrefix("-") {
                return usageError("Unknown option '\(argument)'")
            } else {
                return usageError("Unexpected argument '\(argument)'")
            }
        }
        guard let path, !path.isEmpty else { return usageError("Missing value for '--config <file>'") }
        return runDaemon(configPath: path)
    }
}

exit(run(CommandLine.arguments.dropFirst()))
