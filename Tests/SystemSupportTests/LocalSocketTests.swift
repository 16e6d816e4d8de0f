#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
@testable import SystemSupport

@Suite(.timeLimit(.minutes(1))) struct LocalSocketTests {
    static func temporaryPath() -> String {
        NSTemporaryDirectory() + "ccagentd-sock-" + UUID().uuidString.prefix(8).lowercased()
    }

    @Test func listensWithTheModeAsked() throws {
        let path = Self.temporaryPath()
        defer { unlink(path) }
        let fd = try Socket.listenLocal(path: path, mode: 0o660)
        defer { Socket.close(fd) }
        var status = stat()
        #expect(lstat(path, &status) == 0)
        #expect(status.st_mode & S_IFMT == S_IFSOCK && status.st_mode & 0o777 == 0o660)
        let client = try Socket.connectLocal(path: path)
        Socket.close(client)
    }

    @Test func aStaleSocketIsReplacedButALiveOneIsNeverStolen() throws {
        let path = Self.temporaryPath()
        defer { unlink(path) }
        // A crash leaves the file behind with no one listening: the next start takes it.
        let first = try Socket.listenLocal(path: path, mode: 0o600)
        Socket.close(first)
        let second = try Socket.listenLocal(path: path, mode: 0o600)
        defer { Socket.close(second) }
        // A second daemon on the same path while the first runs: refused, the first keeps it.
        #expect(throws: SystemCallError.self) { try Socket.listenLocal(path: path, mode: 0o600) }
        do {
            _ = try Socket.listenLocal(path: path, mode: 0o600)
        } catch {
            #expect(error.code == EADDRINUSE && error.call.contains("another process"))
        }
        let client = try Socket.connectLocal(path: path)
        Socket.close(client)
    }

    @Test func aFileThatIsNotASocketIsLeftAlone() throws {
        let path = Self.temporaryPath()
        defer { unlink(path) }
        try "precious".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: SystemCallError.self) { try Socket.listenLocal(path: path, mode: 0o600) }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "precious")
    }
}
