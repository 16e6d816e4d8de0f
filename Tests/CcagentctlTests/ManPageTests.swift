import Foundation
import Testing
import TestSupport

@testable import CtlKit
@testable import Crypt
@testable import HTTPServing
@testable import HTTPWire

/// ccagentctl(1) against `CommandCatalog`: every command with its arguments, every option, the
/// exit statuses, the environment and the version. A command or option added to the catalog
/// without its entry in the page fails here, and so does an entry the catalog no longer has.
@Suite("ccagentctl(1)")
struct ManPageTests {
    static let path = Repository.root.appendingPathComponent("Sources/ccagentctl/ccagentctl.1")

    let page: ManPage

    init() throws {
        page = try ManPage(contentsOf: Self.path)
    }

    /// `report [login]`: the name and the arguments, optional ones in brackets, as the page's tag
    /// writes them.
    static func synopsis(_ command: CommandSpec) -> String {
        ([command.name] + command.arguments.map { $0.optional ? "[\($0.name)]" : $0.name }).joined(separator: " ")
    }

    /// `--socket path`, `--json`.
    static func synopsis(_ option: CommandSpec.Option) -> String {
        option.value.map { "\(option.name) \($0)" } ?? option.name
    }

    /// Which commands of `catalog` have no entry in `page`, or not with their arguments, and
    /// which entries name no command.
    static func commandProblems(in page: ManPage, catalog: [CommandSpec]) -> (missing: [String], unknown: [String]) {
        let tags = page.entries(in: "COMMANDS").filter { $0.parent == nil }.map(\.tag)
        let expected = catalog.map(synopsis) + ["help [command]"]
        return (expected.filter { !tags.contains($0) }, tags.filter { !expected.contains($0) })
    }

    @Test func everyCommandHasItsEntryWithItsArguments() {
        let (missing, unknown) = Self.commandProblems(in: page, catalog: CommandCatalog.commands)
        #expect(missing.isEmpty, "commands without an entry (or with other arguments) in ccagentctl.1: \(missing)")
        #expect(unknown.isEmpty, "entries in COMMANDS that are no command of the catalog: \(unknown)")
    }

    @Test func aCommandWhoseEntryIsGoneIsReportedMissing() throws {
        let text = try String(contentsOf: Self.path, encoding: .utf8)
        let trimmed = text.replacingOccurrences(of: ".TP\n\\fBlogout\\fR", with: ".PP\n\\fBlogout\\fR")
        #expect(trimmed != text)
        #expect(Self.commandProblems(in: ManPage(text: trimmed), catalog: CommandCatalog.commands).missing == ["logout login"])
        // And one the catalog gains.
        let added = CommandCatalog.commands + [CommandSpec(name: "pause", abstract: "", arguments: [CommandCatalog.login])]
        #expect(Self.commandProblems(in: page, catalog: added).missing == ["pause login"])
    }

    @Test(arguments: CommandCatalog.commands.map(\.name))
    func everyOwnOptionOfTheCommandHasItsEntryUnderIt(_ name: String) throws {
        let command = try #require(CommandCatalog.command(named: name))
        let parent = Self.synopsis(command)
        let documented = page.entries(in: "COMMANDS").filter { $0.parent == parent }.map(\.tag)
        #expect(documented == command.ownOptions.map(Self.synopsis))
    }

    @Test func everyCommonOptionHasItsEntry() {
        let documented = page.entries(in: "OPTIONS").map(\.tag)
        let expected = (CommandCatalog.connectionOptions + CommandCatalog.root.ownOptions).map(Self.synopsis) + ["-h, --help"]
        #expect(documented == expected)
    }

    @Test func theExitStatusesAreExitStatus() {
        let documented = page.entries(in: "EXIT STATUS").map(\.name)
        let statuses = [ExitStatus.success, ExitStatus.refused, ExitStatus.usage, ExitStatus.unavailable, ExitStatus.notAuthorized]
        #expect(documented == statuses.map(String.init))
    }

    /// Each variable the page documents changes where ccagentctl connects or what it sends.
    @Test func everyVariableItDocumentsIsRead() throws {
        let variables = page.entries(in: "ENVIRONMENT").map(\.name)
        #expect(variables.count == 3)
        let plain = try ConnectionSettings.resolve(ConnectionOptions(), environment: [:], command: "agents")
        for variable in variables {
            // One value that is a socket path, a URL and a token alike.
            let given = try ConnectionSettings.resolve(ConnectionOptions(), environment: [variable: "http://127.0.0.1:9"], command: "agents")
            #expect(given != plain, "\(variable) has no effect")
            let empty = try ConnectionSettings.resolve(ConnectionOptions(), environment: [variable: ""], command: "agents")
            #expect(empty == plain, "an empty \(variable) counts")
        }
    }

    @Test func theSocketAndTimeoutDefaultsAreTheCatalogs() throws {
        #expect(page.entries(in: "FILES").map(\.name) == [CommandCatalog.defaultSocket])
        let socket = try #require(page.entries(in: "OPTIONS").first { $0.name == "--socket" })
        #expect(socket.body.contains(CommandCatalog.defaultSocket))
        let timeout = try #require(page.entries(in: "OPTIONS").first { $0.name == "--timeout" })
        #expect(timeout.body.contains("Default: \(Int(CommandCatalog.defaultTimeout))."))
    }

    @Test func theVersionIsCtls() {
        #expect(page.header.count >= 4)
        #expect(page.header.dropFirst(3).first == "ccagentd \(Ctl.version)")
    }
}
