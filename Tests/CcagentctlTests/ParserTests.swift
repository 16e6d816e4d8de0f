import CtlKit
@testable import Crypt
@testable import HTTPServing
@testable import HTTPWire
import Testing

@Suite struct ParserTests {
    private func parse(_ arguments: [String]) -> Invocation? { try? CommandLineParser.parse(arguments).get() }

    private func failure(_ arguments: [String]) -> UsageError? {
        if case .failure(let error) = CommandLineParser.parse(arguments) { return error }
        return nil
    }

    @Test(arguments: [
        (["agents"], CtlCommand.agents),
        (["agent", "dana@example.com"], .agent(login: "dana@example.com")),
        (["extensions", "dana@example.com"], .extensions(login: "dana@example.com")),
        (["extensions"], .extensions(login: nil)),
        (["login", "dana@example.com", "101"], .login(login: "dana@example.com", extension: "101")),
        (["logout", "dana@example.com"], .logout(login: "dana@example.com")),
        (["status", "dana@example.com", "break"], .status(login: "dana@example.com", status: "break")),
        (["watch"], .watch),
        (["reload"], .reload),
        (["unlock", "dana@example.com"], .unlock(login: "dana@example.com")),
        (["hash-password"], .hashPassword(method: .yescrypt, fromStandardInput: false)),
        (["hash-password", "--stdin", "--method", "sha512"], .hashPassword(method: .sha512, fromStandardInput: true)),
        (["hash-password", "--method=yescrypt"], .hashPassword(method: .yescrypt, fromStandardInput: false)),
    ])
    func everyCommandParses(arguments: [String], command: CtlCommand) {
        #expect(parse(arguments) == .run(command, ConnectionOptions(), json: false))
    }

    @Test func connectionOptionsGoBeforeOrAfterTheSubcommandWithSpaceOrEquals() {
        let expected = Invocation.run(
            .agents, ConnectionOptions(url: "http://127.0.0.1:8088", tokenFile: "/etc/t", timeout: 2.5), json: true)
        #expect(parse(["--url", "http://127.0.0.1:8088", "agents", "--token-file=/etc/t", "--timeout", "2.5", "--json"]) == expected)
        #expect(parse(["--json", "--timeout=2.5", "--token-file", "/etc/t", "--url=http://127.0.0.1:8088", "agents"]) == expected)
        #expect(parse(["agents", "--socket", "/tmp/s", "--token", "abc"])
            == .run(.agents, ConnectionOptions(socket: "/tmp/s", token: "abc"), json: false))
    }

    @Test func theLastValueOfARepeatedOptionWins() {
        #expect(parse(["agents", "--timeout", "1", "--timeout", "3"]) == .run(.agents, ConnectionOptions(timeout: 3), json: false))
    }

    @Test func doubleDashLetsAnArgumentStartWithADash() {
        #expect(parse(["status", "--", "-odd@example.com", "break"]) == .run(.status(login: "-odd@example.com", status: "break"), ConnectionOptions(), json: false))
    }

    @Test func helpAndVersion() {
        #expect(parse(["--help"]) == .help(command: nil))
        #expect(parse(["-h"]) == .help(command: nil))
        #expect(parse(["help"]) == .help(command: nil))
        #expect(parse(["help", "status"]) == .help(command: "status"))
        #expect(parse(["status", "--help"]) == .help(command: "status"))
        #expect(parse(["login", "dana@example.com", "-h"]) == .help(command: "login"))
        #expect(parse(["hash-password", "--help"]) == .help(command: "hash-password"))
        #expect(parse(["--version"]) == .version)
    }

    @Test(arguments: [
        (["agent"], "Missing expected argument '<login>'", "agent"),
        (["login", "dana@example.com"], "Missing expected argument '<extension>'", "login"),
        (["status", "dana@example.com"], "Missing expected argument '<status>'", "status"),
        (["agents", "extra"], "Unexpected argument 'extra'", "agents"),
        (["logout", "a", "b"], "Unexpected argument 'b'", "logout"),
        (["agents", "--bogus"], "Unknown option '--bogus'", "agents"),
        (["agents", "--json=yes"], "Unexpected value 'yes' for '--json'", "agents"),
        (["agents", "--socket"], "Missing value for '--socket <path>'", "agents"),
        (["agents", "--timeout", "soon"], "The value 'soon' is invalid for '--timeout <seconds>'", "agents"),
        (["agents", "--timeout", "0"], "The value '0' is invalid for '--timeout <seconds>'", "agents"),
        (["agents", "--socket", "/s", "--url", "http://h:1"], "'--socket <path>' cannot be combined with '--url <url>'", "agents"),
        (["agents", "--token", "a", "--token-file", "f"], "'--token <token>' cannot be combined with '--token-file <file>'", "agents"),
        (["hash-password", "--json"], "Unknown option '--json'", "hash-password"),
        (["--json", "hash-password"], "Unknown option '--json'", "hash-password"),
        (["hash-password", "--method", "md5"], "The value 'md5' is invalid for '--method <method>'", "hash-password"),
        (["agents", "--version"], "Unknown option '--version'", "agents"),
        (["agent", ""], "The value '' is invalid for '<login>'", "agent"),
    ])
    func misuseNamesTheProblemAndTheCommand(arguments: [String], message: String, command: String) {
        let error = failure(arguments)
        #expect(error?.message == message)
        #expect(error?.command == command)
    }

    @Test func anUnknownSubcommandOrNoneIsAUsageError() {
        #expect(failure(["agnets"])?.message == "Unknown subcommand 'agnets'")
        #expect(failure(["help", "agnets"])?.message == "Unknown subcommand 'agnets'")
        #expect(failure(["--json"])?.message == "Missing expected argument '<subcommand>'")
        let none = failure([])
        #expect(none?.message == "Missing expected argument '<subcommand>'")
        #expect(none?.showsFullHelp == true)
    }
}
