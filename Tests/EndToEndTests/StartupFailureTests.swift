#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import SystemSupport
import TestSupport

extension EndToEnd {
    /// A start that cannot work fails at once: exit 1, one line on stderr per problem naming the
    /// setting, the file or address and what to do, a critical `daemon.start_failed` log line,
    /// and nothing created (no database, no -wal or -shm, no socket).
    @Suite struct StartupFailureTests {
        enum Failure: String, CaseIterable, CustomTestStringConvertible {
            case missingDatabaseDirectory, databaseDirectoryUnderAFile, databaseIsADirectory
            case missingSocketDirectory, socketOfAnotherProcess, portInUse
            case missingAdminTokens, unreadableAdminTokens, adminTokensReadableByAll, adminTokensThatDoNotParse
            var testDescription: String { rawValue }
        }

        @Test(arguments: Failure.allCases)
        func aStartThatCannotWorkFailsAtOnceAndLeavesNothing(failure: Failure) throws {
            let run = try StartupRun()
            defer { run.remove() }
            var database = run.directory + "/ccagentd.sqlite"
            var listen = "127.0.0.1:0"
            var api = ""
            // What stderr must name, and say.
            let named: String
            let says: String
            var other: Int32?
            defer { other.map { _ = close($0) } }
            switch failure {
            case .missingDatabaseDirectory:
                database = run.directory + "/state/ccagentd.sqlite"
                named = "[general] database \(database)"
                says = "the directory \(run.directory)/state does not exist; create it"
            case .databaseDirectoryUnderAFile:
                try run.write("a file\n", to: "file")
                database = run.directory + "/file/ccagentd.sqlite"
                named = "[general] database \(database)"
                says = "\(run.directory)/file is not a directory"
            case .databaseIsADirectory:
                try FileManager.default.createDirectory(atPath: database, withIntermediateDirectories: false)
                named = "[general] database \(database)"
                says = "it is a directory"
            case .missingSocketDirectory:
                let socket = run.directory + "/run/ccagentd.sock"
                api = "socket = \(socket)"
                named = "[api] socket \(socket)"
                says = "the directory \(run.directory)/run does not exist; create it (systemd's RuntimeDirectory=ccagentd does)"
            case .socketOfAnotherProcess:
                let socket = run.directory + "/api.sock"
                other = try listenLocal(socket)
                api = "socket = \(socket)"
                named = "[api] socket \(socket)"
                says = "another process is listening there"
            case .portInUse:
                let (fd, port) = try listenTCP()
                other = fd
                listen = "127.0.0.1:\(port)"
                named = "[api] listen 127.0.0.1:\(port)"
                says = "the port is in use"
            case .missingAdminTokens:
                api = "admin_tokens = \(run.directory)/api-tokens"
                named = "\"\(run.directory)/api-tokens\""
                says = "cannot read"
            case .unreadableAdminTokens:
                // Root reads any file whatever its mode: a directory cannot be read by anyone.
                try FileManager.default.createDirectory(
                    atPath: run.directory + "/api-tokens", withIntermediateDirectories: false, attributes: [.posixPermissions: 0o750])
                api = "admin_tokens = \(run.directory)/api-tokens"
                named = "\"\(run.directory)/api-tokens\""
                says = "cannot read"
            case .adminTokensReadableByAll:
                try run.write("ops \(String(repeating: "a1", count: 20))\n", to: "api-tokens", mode: 0o644)
                api = "admin_tokens = \(run.directory)/api-tokens"
                named = "\"\(run.directory)/api-tokens\""
                says = "every user may read it"
            case .adminTokensThatDoNotParse:
                try run.write("ops short\n", to: "api-tokens", mode: 0o640)
                api = "admin_tokens = \(run.directory)/api-tokens"
                named = "\(run.directory)/api-tokens:1"
                says = "the token of \"ops\" is 5 characters long"
            }
            try run.writeConfig(database: database, listen: listen, api: api)

            let result = try run.start()
            #expect(result.exit.status == 1 && !result.exit.signalled, "\(result.tail)")
            #expect(result.stderr.contains(named), "\(result.tail)")
            #expect(result.stderr.contains(says), "\(result.tail)")
            #expect(result.startFailed.contains { $0.contains(failure.isConfigError ? "check-config" : named) }, "\(result.tail)")
            #expect(!result.stdout.contains("api.listening"), "\(result.tail)")
            #expect(result.filesAfter == result.filesBefore, "\(result.tail)")
        }

        @Test(.enabled(if: ReadOnlyDirectory.isPossible, "needs a non-root user, or root with CAP_SYS_ADMIN for a read-only tmpfs"))
        func anUnwritableDatabaseDirectoryFailsAtOnceAndLeavesNothing() throws {
            let run = try StartupRun()
            defer { run.remove() }
            let readOnly = try #require(ReadOnlyDirectory(at: run.directory + "/state"))
            defer { readOnly.remove() }
            let database = readOnly.path + "/ccagentd.sqlite"
            try run.writeConfig(database: database, listen: "127.0.0.1:0", api: "")

            let result = try run.start()
            #expect(result.exit.status == 1 && !result.exit.signalled, "\(result.tail)")
            #expect(result.stderr.contains("[general] database \(database): the directory \(readOnly.path) is not writable"), "\(result.tail)")
            #expect(result.startFailed.count == 1, "\(result.tail)")
            #expect(result.filesAfter == result.filesBefore, "\(result.tail)")
        }

        /// A path from the file goes to a terminal: an escape sequence in it is shown, not obeyed.
        /// (The file is refused for it before anything starts: no value may hold control bytes.)
        @Test func controlCharactersInAPathAreShownEscaped() throws {
            let run = try StartupRun()
            defer { run.remove() }
            let database = run.directory + "/state\u{1B}[2J/ccagentd.sqlite"
            try run.writeConfig(database: database, listen: "127.0.0.1:0", api: "")

            let result = try run.start()
            #expect(result.exit.status == 1, "\(result.tail)")
            #expect(!result.stderr.contains("\u{1B}"), "\(result.tail)")
            #expect(
                result.stderr.contains("[general] database: \"\(run.directory)/state\\x1b[2J/ccagentd.sqlite\" holds the control character \\x1b"),
                "\(result.tail)")
            #expect(result.filesAfter == result.filesBefore, "\(result.tail)")
        }

        /// A newcomer running the sample from a checkout: every missing directory named at once.
        @Test func bothMissingDirectoriesAreNamedAtOnce() throws {
            let run = try StartupRun()
            defer { run.remove() }
            let database = run.directory + "/lib/ccagentd/ccagentd.sqlite"
            let socket = run.directory + "/run/ccagentd/ccagentd.sock"
            try run.writeConfig(database: database, listen: "127.0.0.1:0", api: "socket = \(socket)")

            let result = try run.start()
            #expect(result.exit.status == 1, "\(result.tail)")
            let lines = result.stderr.split(separator: "\n")
            #expect(lines.count == 2, "\(result.tail)")
            #expect(lines.first?.hasPrefix("ccagentd: [general] database \(database): the directory") == true, "\(result.tail)")
            #expect(lines.last?.hasPrefix("ccagentd: [api] socket \(socket): the directory") == true, "\(result.tail)")
            #expect(result.startFailed.count == 2, "\(result.tail)")
            #expect(result.filesAfter == result.filesBefore, "\(result.tail)")
        }
    }
}

extension EndToEnd.StartupFailureTests.Failure {
    /// Found by the configuration's loader: stderr lists them, the log line points to check-config.
    var isConfigError: Bool {
        switch self {
        case .missingAdminTokens, .unreadableAdminTokens, .adminTokensReadableByAll, .adminTokensThatDoNotParse: true
        default: false
        }
    }
}

/// One ccagentd start in a directory of its own, expected to fail; what it left there.
struct StartupRun {
    let directory: String

    init() throws {
        directory = NSTemporaryDirectory() + "ccagentd-e2e-" + UUID().uuidString.prefix(8).lowercased()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }

    var configPath: String { directory + "/ccagentd.conf" }

    func write(_ text: String, to name: String, mode: Int = 0o600) throws {
        let path = directory + "/" + name
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
    }

    /// Port 9 (discard) for AMI: nothing is meant to get that far.
    func writeConfig(database: String, listen: String, api: String) throws {
        try TestConfigs.daemon(port: 9, database: database, listen: listen, api: api)
            .write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    /// Every path under the directory, sorted.
    func files() throws -> [String] {
        try FileManager.default.subpathsOfDirectory(atPath: directory).sorted()
    }

    struct Result {
        var exit: ChildProcess.Termination
        var stdout: String
        var stderr: String
        /// The `error` of each `daemon.start_failed` log line.
        var startFailed: [String]
        var filesBefore: [String]
        var filesAfter: [String]
        var tail: String
    }

    /// Runs `ccagentd --config` until it exits (it must, within 15 s).
    func start() throws -> Result {
        let before = try files()
        let daemon = try ChildProcess(name: "ccagentd", executable: try BuiltExecutable.path("ccagentd"), arguments: ["--config", configPath])
        defer { daemon.kill() }
        let exit = try #require(daemon.waitForExit(timeout: .seconds(15)), "ccagentd still runs\n\(daemon.tail())")
        _ = eventually(timeout: .seconds(5)) { daemon.stderr.ended && daemon.stdout.ended }
        let entries = daemon.stdout.lines.compactMap(LogEntry.init)
        let startFailed = entries.filter { $0.event == "daemon.start_failed" && $0.level == "critical" }.compactMap { $0["error"] }
        return Result(
            exit: exit, stdout: daemon.stdout.lines.joined(separator: "\n"), stderr: daemon.stderr.lines.joined(separator: "\n"),
            startFailed: startFailed, filesBefore: before, filesAfter: try files(), tail: daemon.tail())
    }
}

/// A Unix socket listened on by this (test) process: another daemon's, for the one started.
func listenLocal(_ path: String) throws -> Int32 {
    try Socket.listenLocal(path: path, mode: 0o600)
}

/// A TCP port listened on by this (test) process, on 127.0.0.1.
func listenTCP() throws -> (fd: Int32, port: Int) {
    guard let address = try SocketAddress.resolve(host: "127.0.0.1", port: 0).first else { throw HarnessError("no 127.0.0.1") }
    let fd = try Socket.listen(on: address, backlog: 8)
    return (fd, try Socket.localAddress(fd).port)
}
