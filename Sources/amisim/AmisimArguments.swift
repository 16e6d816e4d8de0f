/// `amisim [--config FILE] [--host 127.0.0.1] [--port 5038] [--log-level info]`.
struct AmisimArguments {
    var configPath: String?
    var host = "127.0.0.1"
    var port = 5038
    var logLevel = "info"
    var help = false
    var demo = false

    static let usage = "USAGE: amisim [--config FILE] [--host HOST] [--port PORT] [--log-level LEVEL] [--demo]"

    static let helpText = """
        OVERVIEW: A simulated Asterisk: an AMI server with queues, channels and calls, for tests and demos.

        \(usage)

        OPTIONS:
          --config FILE       The amisim INI file (see Config/amisim.conf). Without it: the built-in set-up
                              (users ccagentd/change-me and ccd/ccdsecret; queues sales, support-private,
                              support-business).
          --host HOST         The address to listen on (default 127.0.0.1).
          --port PORT         The port to listen on; 0 picks a free one (default 5038).
          --log-level LEVEL   trace, debug, info, notice, warning, error (default info). Logs go to stderr.
          --demo              Run a short scripted AMI session against the simulator (on a free port
                              unless --port is given), print what happens, and exit.
          -h, --help          Show this help.

        When ready it prints one line to stdout: `amisim listening on HOST:PORT`.
        Controls over AMI: `Action: Command` with `Command: sim …` (send `sim` alone for the list).
        SIGINT and SIGTERM stop it.
        """

    struct UsageError: Error {
        let message: String
    }

    static func parse(_ arguments: [String]) throws(UsageError) -> AmisimArguments {
        var parsed = AmisimArguments()
        var index = 0
        func value(_ option: String) throws(UsageError) -> String {
            index += 1
            guard index < arguments.count else { throw UsageError(message: "\(option) needs a value") }
            return arguments[index]
        }
        while index < arguments.count {
            let argument = arguments[index]
            switch argument {
            case "-h", "--help": parsed.help = true
            case "--config": parsed.configPath = try value(argument)
            case "--host": parsed.host = try value(argument)
            case "--port":
                let text = try value(argument)
                guard let port = Int(text), (0...65535).contains(port) else {
                    throw UsageError(message: "--port \(text) is not a port number")
                }
                parsed.port = port
            case "--log-level": parsed.logLevel = try value(argument)
            case "--demo": parsed.demo = true
            default: throw UsageError(message: "unknown argument '\(argument)'")
            }
            index += 1
        }
        return parsed
    }
}
