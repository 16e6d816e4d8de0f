#if canImport(Glibc)
import Glibc
#endif
import ControlAPI
import Foundation
import Synchronization
import Testing

/// The built `ccagentctl` as a process: exit statuses, and the two streams, as a script sees them.
@Suite(.serialized) struct ProcessTests {
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Next to the test bundle in the build directory (the test target depends on the executable).
    static func executable() throws -> String {
        var directory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("ccagentctl").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        throw POSIXError(.ENOENT)
    }

    static func start(_ arguments: [String], environment: [String: String] = [:]) throws -> (Process, Pipe, Pipe, Pipe) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try executable())
        process.arguments = arguments
        var base = ProcessInfo.processInfo.environment
        for key in ["CCAGENTD_URL", "CCAGENTD_TOKEN", "CCAGENTCTL_SOCKET"] { base[key] = nil }
        process.environment = base.merging(environment) { $1 }
        let input = Pipe(), output = Pipe(), error = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = error
        try process.run()
        return (process, input, output, error)
    }

    static func run(_ arguments: [String], environment: [String: String] = [:], input text: String = "") throws -> Run {
        let (process, input, output, error) = try start(arguments, environment: environment)
        input.fileHandleForWriting.write(Data(text.utf8))
        try input.fileHandleForWriting.close()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self))
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
        let (process, _, output, error) = try Self.start(["watch", "--socket", socket])
        let lines = Mutex("")
        output.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            lines.withLock { $0 += String(decoding: data, as: UTF8.self) }
        }
        #expect(poll { lines.withLock { $0.contains("configuration reloaded\n") } })
        kill(process.processIdentifier, signal)
        #expect(poll { !process.isRunning })
        process.waitUntilExit()
        output.fileHandleForReading.readabilityHandler = nil
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 0)
        #expect(error.fileHandleForReading.readDataToEndOfFile().isEmpty)
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
