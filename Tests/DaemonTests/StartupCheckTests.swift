#if canImport(Glibc)
import Glibc
#endif
import Config
import ControlPort
@testable import Daemon
import Foundation
import SystemSupport
import Testing
import TestSupport

/// The checks before anything is created: each failure is named with its fix, and a failed
/// check leaves nothing behind (no file, no socket, no port held).
@Suite final class StartupCheckTests {
    let directory: String

    init() throws {
        directory = NSTemporaryDirectory() + "ccagentd-startup-" + UUID().uuidString.prefix(8).lowercased()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    func contents() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
    }

    func check(
        database: String? = nil, listen: ListenAddress = ListenAddress(host: "127.0.0.1", port: 0), socket: String? = nil
    ) -> StartupCheck {
        StartupCheck(database: database ?? directory + "/ccagentd.sqlite", listen: listen, socket: socket)
    }

    /// The problems of a check that must fail; nothing was created in the test's directory.
    func problems(_ check: StartupCheck, filesBefore: [String]? = nil) throws -> [StartupProblem] {
        let before = try filesBefore ?? contents()
        do {
            let listeners = try check.run()
            listeners.close()
            Issue.record("the check passed")
            return []
        } catch {
            #expect(try contents() == before, "a failed check left files behind")
            return error.problems
        }
    }

    // MARK: All well

    @Test func allWellBindsBothListenersAndCreatesNothingButTheSocket() throws {
        let socket = directory + "/api.sock"
        let listeners = try check(socket: socket).run()
        #expect(try contents() == ["api.sock"])
        #expect(listeners.address.host == "127.0.0.1" && listeners.address.port > 0)
        #expect(listeners.socket?.path == socket)
        let tcp = try Socket.startConnect(to: try #require(SocketAddress.resolve(host: "127.0.0.1", port: listeners.address.port).first))
        Socket.close(tcp)
        Socket.close(try Socket.connectLocal(path: socket))

        listeners.close()
        #expect(try contents() == [])
        #expect(throws: SystemCallError.self) { try Socket.connectLocal(path: socket) }
        // The port is free again.
        let again = try StartupCheck(database: directory + "/db.sqlite", listen: listeners.address, socket: nil).run()
        again.close()
    }

    @Test func anExistingWritableStoreAndAStaleSocketPass() throws {
        let database = directory + "/ccagentd.sqlite"
        try Data("not checked here".utf8).write(to: URL(fileURLWithPath: database))
        let socket = directory + "/api.sock"
        Socket.close(try Socket.listenLocal(path: socket, mode: 0o600))  // a crash left it behind
        let listeners = try check(database: database, socket: socket).run()
        defer { listeners.close() }
        Socket.close(try Socket.connectLocal(path: socket))
    }

    @Test func aDatabaseInTheCurrentDirectoryIsJudgedThere() {
        #expect(StartupCheck.directory(of: "ccagentd.sqlite") == ".")
        #expect(StartupCheck.directory(of: "/ccagentd.sqlite") == "/")
        #expect(StartupCheck.directory(of: "/var/lib/ccagentd/ccagentd.sqlite") == "/var/lib/ccagentd")
    }

    // MARK: The database

    @Test func aMissingDatabaseDirectoryIsNamedWithWhatToDo() throws {
        let database = directory + "/state/ccagentd.sqlite"
        let found = try problems(check(database: database))
        #expect(found == [.directory(of: .database, path: database, directory: directory + "/state", .missing)])
        let text = found.first?.description ?? ""
        #expect(text.hasPrefix("[general] database \(database): the directory \(directory)/state does not exist; create it"))
        #expect(text.contains("StateDirectory=ccagentd"))
    }

    enum DatabaseDamage: String, CaseIterable, CustomTestStringConvertible {
        case underARegularFile, underAPathThroughAFile, isADirectory, isAFIFO
        var testDescription: String { rawValue }
    }

    @Test(arguments: DatabaseDamage.allCases)
    func aDatabasePathThatCannotBeAFileIsRefused(damage: DatabaseDamage) throws {
        let file = directory + "/file"
        try Data("a file\n".utf8).write(to: URL(fileURLWithPath: file))
        let database: String
        let expected: StartupProblem
        switch damage {
        case .underARegularFile:
            database = file + "/ccagentd.sqlite"
            expected = .directory(of: .database, path: database, directory: file, .notADirectory)
        case .underAPathThroughAFile:
            database = file + "/state/ccagentd.sqlite"
            expected = .directory(of: .database, path: database, directory: file + "/state", .notADirectory)
        case .isADirectory:
            database = directory + "/ccagentd.sqlite"
            try FileManager.default.createDirectory(atPath: database, withIntermediateDirectories: false)
            expected = .database(path: database, .isADirectory)
        case .isAFIFO:
            database = directory + "/ccagentd.sqlite"
            #expect(mkfifo(database, 0o600) == 0)
            expected = .database(path: database, .notARegularFile)
        }
        #expect(try problems(check(database: database)) == [expected])
    }

    @Test(.enabled(if: ReadOnlyDirectory.isPossible, "needs a non-root user, or root with CAP_SYS_ADMIN for a read-only tmpfs"))
    func aDirectoryThatCannotBeWrittenIsRefused() throws {
        let readOnly = try #require(ReadOnlyDirectory(at: directory + "/ro"))
        defer { readOnly.remove() }
        let before = try contents()
        let database = readOnly.path + "/ccagentd.sqlite"
        let socket = readOnly.path + "/api.sock"
        let found = try problems(check(database: database, socket: socket), filesBefore: before)
        #expect(found.count == 2)
        guard case .directory(.database, database, readOnly.path, .notWritable(let reason)) = found.first else {
            Issue.record("\(found)")
            return
        }
        #expect(!reason.isEmpty)
        #expect(found.first?.description.contains("-wal and -shm") == true)
        guard case .directory(.socket, socket, readOnly.path, .notWritable) = found.last else {
            Issue.record("\(found)")
            return
        }
    }

    // MARK: The socket

    @Test func aMissingSocketDirectoryIsNamedWithWhatToDo() throws {
        let socket = directory + "/run/ccagentd.sock"
        let found = try problems(check(socket: socket))
        #expect(found == [.directory(of: .socket, path: socket, directory: directory + "/run", .missing)])
        #expect(
            found.first?.description
                == "[api] socket \(socket): the directory \(directory)/run does not exist; create it (systemd's "
                + "RuntimeDirectory=ccagentd does) or set socket = to a path in a directory that exists")
    }

    @Test func aFileThatIsNotASocketIsRefusedAndLeftAlone() throws {
        let socket = directory + "/api.sock"
        try Data("precious".utf8).write(to: URL(fileURLWithPath: socket))
        #expect(try problems(check(socket: socket)) == [.socket(path: socket, .notASocket)])
        #expect(try String(contentsOfFile: socket, encoding: .utf8) == "precious")
    }

    @Test func aLiveSocketIsNeverStolen() throws {
        let socket = directory + "/api.sock"
        let other = try Socket.listenLocal(path: socket, mode: 0o600)
        defer { Socket.close(other) }
        let found = try problems(check(socket: socket))
        #expect(found == [.socket(path: socket, .inUse)])
        #expect(found.first?.description.contains("another process is listening there") == true)
        Socket.close(try Socket.connectLocal(path: socket))  // still the other one's
    }

    @Test func aSocketPathTooLongIsRefused() throws {
        let socket = directory + "/" + String(repeating: "s", count: 120) + ".sock"
        let found = try problems(check(socket: socket))
        #expect(found == [.socket(path: socket, .tooLong(bytes: socket.utf8.count, limit: 107))])
    }

    // MARK: TCP

    @Test func aPortInUseIsRefused() throws {
        let other = try Socket.listen(on: try #require(SocketAddress.resolve(host: "127.0.0.1", port: 0).first))
        defer { Socket.close(other) }
        let port = try Socket.localAddress(other).port
        let found = try problems(check(listen: ListenAddress(host: "127.0.0.1", port: port), socket: directory + "/api.sock"))
        #expect(found == [.listen(address: "127.0.0.1:\(port)", .inUse)])
        #expect(found.first?.description.hasPrefix("[api] listen 127.0.0.1:\(port): the port is in use") == true)
    }

    @Test func anAddressThatIsNotThisMachinesIsRefused() throws {
        // TEST-NET-1 (RFC 5737): never a local address.
        let found = try problems(check(listen: ListenAddress(host: "192.0.2.1", port: 0)))
        #expect(found == [.listen(address: "192.0.2.1:0", .notLocal)])
    }

    @Test func aHostThatDoesNotResolveIsRefused() throws {
        let found = try problems(check(listen: ListenAddress(host: "no-such-host.invalid", port: 8088)))
        #expect(found == [.listen(address: "no-such-host.invalid:8088", .unresolvable(host: "no-such-host.invalid"))])
    }

    // MARK: Together

    /// A newcomer learns every directory to create at once, and the port is not held after.
    @Test func everyProblemIsReportedAtOnceInOrder() throws {
        let other = try Socket.listen(on: try #require(SocketAddress.resolve(host: "127.0.0.1", port: 0).first))
        let port = try Socket.localAddress(other).port
        let database = directory + "/lib/ccagentd.sqlite"
        let socket = directory + "/run/ccagentd.sock"
        let found = try problems(check(database: database, listen: ListenAddress(host: "127.0.0.1", port: port), socket: socket))
        #expect(found == [
            .directory(of: .database, path: database, directory: directory + "/lib", .missing),
            .directory(of: .socket, path: socket, directory: directory + "/run", .missing),
            .listen(address: "127.0.0.1:\(port)", .inUse),
        ])
        Socket.close(other)
    }

    /// The port is checked even when the directories fail, and then released.
    @Test func aFailedCheckDoesNotHoldThePort() throws {
        let free = try Socket.listen(on: try #require(SocketAddress.resolve(host: "127.0.0.1", port: 0).first))
        let port = try Socket.localAddress(free).port
        Socket.close(free)
        let address = ListenAddress(host: "127.0.0.1", port: port)
        let found = try problems(check(database: directory + "/lib/ccagentd.sqlite", listen: address))
        #expect(found.count == 1)
        let listeners = try check(listen: address).run()
        #expect(listeners.address == address)
        listeners.close()
    }
}
