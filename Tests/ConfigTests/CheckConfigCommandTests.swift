import Foundation
import Testing
import TestSupport

/// Runs the built `ccagentd` executable (a dependency of this test target).
@Suite("ccagentd command line", .timeLimit(.minutes(2)))
struct CheckConfigCommandTests {
    func run(_ arguments: [String]) throws -> ChildProcess.Result {
        try ChildProcess.run(try BuiltExecutable.path("ccagentd"), arguments)
    }

    @Test func checkConfigOfTheSampleSummarisesAndExitsZero() throws {
        let path = Repository.root.appendingPathComponent("Config/ccagentd.conf").path
        let result = try run(["check-config", path])
        #expect(result.status == 0)
        #expect(result.stderr == "")
        #expect(result.stdout.hasPrefix("\(path): OK\n"))
        #expect(result.stdout.contains("statuses:   7 (5 built-in, 2 custom: break, paperwork)"))
        #expect(result.stdout.contains("users:      6"))
        #expect(result.stdout.contains("groups:     2: team-a, team-b"))
    }

    @Test func checkConfigOfABadFilePrintsTheErrorsAndExitsOne() throws {
        let path = try #require(Fixture.directory).appendingPathComponent("bad.conf").path
        let result = try run(["check-config", path])
        #expect(result.status == 1)
        #expect(result.stdout == "")
        #expect(result.stderr == """
            \(path):9: [break] timeout_goto: unknown status "brake"; did you mean "break"?
            \(path): 1 error

            """)
    }

    /// What goes to the terminal names the file, line, section and key, and carries none of the
    /// file's control characters: no ESC sequence runs, no `\r` overwrites the line.
    @Test(arguments: [["check-config"], ["--config"]])
    func configErrorsReachTheTerminalWithoutControlCharacters(command: [String]) throws {
        let directory = try TemporaryDirectory(prefix: "ccagentd-cli")
        let path = try directory.write(baseConfig + ControlCharacterTests.hostile, to: "ccagentd.conf")
        let result = try run(command + [path])
        #expect(result.status == 1)
        #expect(!hasControlCharacters(result.stderr.replacingOccurrences(of: "\n", with: "")), "\(result.stderr.debugDescription)")
        let max = line(of: "max_agents", in: ControlCharacterTests.hostile)
        #expect(result.stderr.contains(#"\#(path):\#(max): [gen\x1b[31mred] max_agents: "\u{9b}9\x7f" holds the control character \x7f"#))
        let key = line(of: "blue", in: ControlCharacterTests.hostile)
        #expect(result.stderr.contains(#"\#(path):\#(key): [gen\x1b[31mred] co\x1b[2Jlor: unknown key "co\x1b[2Jlor""#))
        #expect(result.stderr.hasSuffix("\(path): \(errors(ControlCharacterTests.hostile).count) errors\n"))
    }

    @Test func checkConfigOfAMissingFileExitsOne() throws {
        let result = try run(["check-config", "/nonexistent/ccagentd.conf"])
        #expect(result.status == 1)
        #expect(result.stderr.contains(#"cannot read "/nonexistent/ccagentd.conf": no such file"#))
    }

    @Test(arguments: [["--bogus"], ["check-config"], ["check-config", "a.conf", "b.conf"], ["stray"], ["--config"], []])
    func misuseExitsSixtyFourWithUsage(arguments: [String]) throws {
        let result = try run(arguments)
        #expect(result.status == 64)
        #expect(result.stderr.hasPrefix("Error: "))
        #expect(result.stderr.contains("USAGE: ccagentd"))
    }

    @Test func versionAndHelp() throws {
        #expect(try run(["--version"]).stdout == "ccagentd 0.1.0\n")
        let help = try run(["--help"])
        #expect(help.status == 0)
        for heading in ["OVERVIEW:", "USAGE:", "OPTIONS:", "SUBCOMMANDS:", "check-config"] { #expect(help.stdout.contains(heading)) }
        #expect(try run(["check-config", "--help"]).stdout.contains("USAGE: ccagentd check-config <file>"))
    }

    @Test func runningTheDaemonChecksTheConfigFirstAndTheStoreBeforeItStarts() throws {
        let bad = try run(["--config", try #require(Fixture.directory).appendingPathComponent("bad.conf").path])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("unknown status \"brake\""))

        // A store whose directory cannot be (a file stands in its place): a clear error, exit 1.
        let directory = try TemporaryDirectory(prefix: "ccagentd-cli")
        let blocker = try directory.write("x", to: "file")
        let sample = try String(contentsOf: Repository.root.appendingPathComponent("Config/ccagentd.conf"), encoding: .utf8)
            .replacingOccurrences(of: "/var/lib/ccagentd/ccagentd.sqlite", with: blocker + "/ccagentd.sqlite")
        let config = try directory.write(sample, to: "ccagentd.conf")
        let unusable = try run(["--config", config])
        #expect(unusable.status == 1)
        #expect(unusable.stderr.contains("ccagentd: [general] database \(blocker)/ccagentd.sqlite: \(blocker) is not a directory"))
    }
}
