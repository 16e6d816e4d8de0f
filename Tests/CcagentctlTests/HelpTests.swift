import CtlKit
@testable import Crypt
@testable import HTTPServing
@testable import HTTPWire
import Testing

@Suite struct HelpTests {
    static let commands = ["agents", "agent", "extensions", "login", "logout", "status", "report", "watch", "reload", "unlock", "hash-password"]

    @Test func aSubcommandsHelpHasArgumentParsersSections() {
        #expect(HelpFormatter.help(command: "agent") == """
            OVERVIEW: Show one agent: status, extension, queues, calls.

            USAGE: ccagentctl agent <login> [<options>]

            ARGUMENTS:
              <login>                 The agent's login, e.g. dana@example.com.

            OPTIONS:
              --json                  Print the API's JSON (one object per line for watch)
                                      instead of a table.
              --socket <path>         The daemon's Unix socket, where no token is needed
                                      (default: $CCAGENTCTL_SOCKET, else
                                      /run/ccagentd/ccagentd.sock).
              --url <url>             The daemon's HTTP address instead, http://HOST:PORT
                                      (default: $CCAGENTD_URL). https is not supported:
                                      ccagentd listens on loopback.
              --token <token>         A session or admin token (default: $CCAGENTD_TOKEN).
              --token-file <file>     Read the token from this file.
              --timeout <seconds>     Give up when the daemon has not answered within this.
                                      (default: 10)
              -h, --help              Show help information.

            """)
    }

    @Test func theRootHelpListsEverySubcommandAndTheExitStatuses() {
        let help = HelpFormatter.help(command: nil)
        #expect(help.hasPrefix("OVERVIEW: "))
        #expect(help.contains("\nUSAGE: ccagentctl <subcommand>\n"))
        #expect(help.contains("\nSUBCOMMANDS:\n"))
        for command in Self.commands { #expect(help.contains("\n  \(command) "), "\(command)") }
        for status in ["0   success", "1   the daemon refused", "64  usage error", "69  the daemon is unreachable", "77  not authorized"] {
            #expect(help.contains(status), "\(status)")
        }
        #expect(help.hasSuffix("  See 'ccagentctl help <subcommand>' for detailed help.\n"))
    }

    @Test(arguments: [nil] + commands.map(Optional.some))
    func everyHelpFitsEightyColumns(command: String?) {
        let help = HelpFormatter.help(command: command)
        #expect(help.contains("USAGE: ccagentctl"))
        #expect(help.contains("-h, --help"))
        for line in help.split(separator: "\n") { #expect(line.count <= 80, "\(line)") }
    }

    @Test func theHashPasswordHelpHasItsOwnOptionsOnly() {
        let help = HelpFormatter.help(command: "hash-password")
        #expect(help.contains("  --stdin "))
        #expect(help.contains("  --method <method> "))
        #expect(!help.contains("--socket"))
        #expect(!help.contains("--json"))
    }

    @Test func aUsageErrorIsTheMessageTheHelpLineAndTheUsage() {
        let error = UsageError("Missing expected argument '<login>'", command: "agent", help: "<login>  The agent's login.")
        #expect(HelpFormatter.usageError(error) == """
            Error: Missing expected argument '<login>'
            Help:  <login>  The agent's login.
            Usage: ccagentctl agent <login> [<options>]
              See 'ccagentctl agent --help' for more information.

            """)
        #expect(HelpFormatter.usageError(UsageError("Unknown subcommand 'x'", command: nil)) == """
            Error: Unknown subcommand 'x'
            Usage: ccagentctl <subcommand>
              See 'ccagentctl --help' for more information.

            """)
    }
}
