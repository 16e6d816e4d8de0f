#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import SystemSupport

@Suite struct LocalSocketFileTests {
    @Test func removesTheSocketItBound() throws {
        let path = LocalSocketTests.temporaryPath()
        defer { unlink(path) }
        let fd = try Socket.listenLocal(path: path, mode: 0o600)
        defer { Socket.close(fd) }
        let file = try #require(LocalSocketFile(boundAt: path))
        #expect(file.remove())
        #expect(access(path, F_OK) != 0)
    }

    /// Another daemon took the path after ours went (stale, replaced): its socket is not ours.
    @Test func leavesASocketBoundThereSinceAlone() throws {
        let path = LocalSocketTests.temporaryPath()
        defer { unlink(path) }
        let first = try Socket.listenLocal(path: path, mode: 0o600)
        let file = try #require(LocalSocketFile(boundAt: path))
        Socket.close(first)
        unlink(path)
        // Later, as another daemon would be: the file may well get the same inode number.
        Thread.sleep(forTimeInterval: 0.05)
        let second = try Socket.listenLocal(path: path, mode: 0o600)
        defer { Socket.close(second) }
        #expect(!file.remove())
        let client = try Socket.connectLocal(path: path)
        Socket.close(client)
    }

    @Test func leavesAFileThatIsNotASocketAlone() throws {
        let path = LocalSocketTests.temporaryPath()
        defer { unlink(path) }
        #expect(LocalSocketFile(boundAt: path) == nil)
        let fd = try Socket.listenLocal(path: path, mode: 0o600)
        let file = try #require(LocalSocketFile(boundAt: path))
        Socket.close(fd)
        unlink(path)
        try "precious".write(toFile: path, atomically: false, encoding: .utf8)
        #expect(!file.remove())
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "precious")
    }
}
