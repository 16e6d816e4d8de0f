#if canImport(Glibc)
import Glibc
#endif
import ControlPort
import ControlAPI
@testable import Crypt
@testable import HTTPServing
@testable import HTTPWire
import Foundation
import Testing
import TestSupport

/// The built `ccagentctl` as a process: exit statuses, and the two streams, as a script sees them.
@Suite(.serialized, .timeLimit(.minutes(1))) struct ProcessTests {
    static func run(_ arguments: [String], environment: [String: String] = [:], input text: String = "") throws -> ChildProcess.Result {
        try ChildProcess.run(try BuiltExecutable.path("ccagentctl"), arguments, environment: environment, input: .text(text))
    }

    @Test func versionHelpAndUsage() throws {
        let version = try Self.run(["--version"])
        #expect(version.status == 0)
        #expect(version.stdout.hasPrefix("ccagentctl "))
        let help = try Self.run(["status", "--help"])
        #expect(help.status == 0)
        #expect(help.stdout.hasPrefix("OVERVIEW: Set an agent's status.\n"))
        let usage = try Self.run(["agnets"])
        #expect(usage.status == 64)
        #expect(usage.stdout == "")
        #expect(usage.stderr == "Error: Unknown subcommand 'agnets'\nUsage: ccagentctl <subcommand>\n  See 'ccagentctl --help' for more information.\n")
    }

    @Test func exitStatusesAgainstAFakeDaemon() throws {
        let directory = try TemporaryDirectory()
        let socket = directory.path + "/ccagentd.sock"
        let daemon = try FakeDaemon(socketPath: socket)
        let agents = try Self.run(["agents"], environment: ["CCAGENTCTL_SOCKET": socket])
        #expect(agents.status == 0)
        #expect(agents.stdout.hasPrefix("LOGIN "))
        let taken = try Self.run(["login", "dana@example.com", "102", "--socket", socket])
        #expect(taken.status == 1)
        #expect(taken.stderr == "Error: extension 102 is taken by eli@example.com\n")
        let unauthorized = try Self.run(["agents", "--url", daemon.url])
        #expect(unauthorized.status == 77)
        let failing = try Self.run(["agent", "boom@example.com", "--url", daemon.url, "--token", FakeDaemon.adminToken])
        #expect(failing.status == 69)
        let unreachable = try Self.run(["agents", "--socket", directory.path + "/none.sock"])
        #expect(unreachable.status == 69)
        #expect(unreachable.stderr.hasPrefix("Error: cannot connect to "))
    }

    @Test(arguments: [SIGTERM, SIGINT])
    func watchStopsCleanlyOnASignal(signal: Int32) throws {
        let directory = try TemporaryDirectory()
        let socket = directory.path + "/ccagentd.sock"
        let daemon = try FakeDaemon(socketPath: socket) { _, _, stream in
            stream.send(ServerSentEvent(id: "1", event: "reload", data: "{}").serialized())
        }
        let watch = try ChildProcess(executable: try BuiltExecutable.path("ccagentctl"), arguments: ["watch", "--socket", socket])
        defer { watch.kill() }
        #expect(eventually { watch.stdout.text.contains("configuration reloaded\n") })
        watch.signal(signal)
        #expect(watch.waitForExit(timeout: .seconds(5)) == .exited(0))
        #expect(eventually { watch.stderr.ended })
        #expect(watch.stderr.bytes.isEmpty)
        #expect(daemon.seen.count == 1)
    }

    @Test(arguments: [("yescrypt", "$y$"), ("sha512", "$6$")])
    func hashPasswordPrintsAHashTheDaemonAccepts(method: String, prefix: String) throws {
        let run = try Self.run(["hash-password", "--stdin", "--method", method], input: "correct horse\n")
        #expect(run.status == 0)
        #expect(run.stderr == "")
        let hash = run.stdout.trimmingCharacters(in: .newlines)
        #expect(hash.hasPrefix(prefix))
        #expect(PasswordCheck.verify("correct horse", against: hash))
        #expect(!PasswordCheck.verify("correct horse\n", against: hash))
    }

    @Test func hashPasswordFromAPipeNeedsStdin() throws {
        let run = try Self.run(["hash-password"], input: "secret\n")
        #expect(run.status == 64)
        #expect(run.stderr.hasPrefix("Error: standard input is not a terminal: pass --stdin"))
    }
}
