import Dispatch
import Foundation
import Synchronization
import Testing
import TestSupport
@testable import SystemSupport

@Suite struct FileDescriptorTests {
    @Test func readsAWholeFileUpToItsLimit() throws {
        let scratch = try TemporaryDirectory(prefix: "fd")
        let bytes = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try Data(bytes).write(to: URL(fileURLWithPath: scratch.path + "/data"))
        #expect(try FileDescriptor.readFile(atPath: scratch.path + "/data", maximumSize: 200_000) == bytes)
        #expect(throws: FileReadError.tooLarge(limit: 199_999)) { try FileDescriptor.readFile(atPath: scratch.path + "/data", maximumSize: 199_999) }
        try Data().write(to: URL(fileURLWithPath: scratch.path + "/empty"))
        #expect(try FileDescriptor.readFile(atPath: scratch.path + "/empty", maximumSize: 10) == [])
    }

    @Test func saysWhyAFileCannotBeRead() throws {
        let scratch = try TemporaryDirectory(prefix: "fd")
        #expect(throws: FileReadError.noSuchFile) { try FileDescriptor.readFile(atPath: scratch.path + "/missing", maximumSize: 10) }
        #expect(throws: FileReadError.isDirectory) { try FileDescriptor.readFile(atPath: scratch.path, maximumSize: 10) }
        #expect(FileReadError.tooLarge(limit: 5).description == "larger than 5 bytes")
        #expect(FileReadError.noSuchFile.description == "no such file")
    }

    /// More than a pipe holds, so `write(2)` returns short and blocks: every byte still arrives, in order.
    @Test func writeAllWritesEveryByteThroughAPipe() throws {
        var fds: [Int32] = [-1, -1]
        try #require(pipe(&fds) == 0)
        let reader = FileDescriptor(rawValue: fds[0])
        let writer = FileDescriptor(rawValue: fds[1])
        let payload = (0..<1_000_000).map { UInt8(truncatingIfNeeded: $0 / 7) }
        let received = Mutex<[UInt8]>([])
        let done = DispatchSemaphore(value: 0)
        try PosixThread.start(name: "pipe-reader") {
            let bytes = (try? reader.read(upToCount: 2_000_000)) ?? []
            received.withLock { $0 = bytes }
            done.signal()
        }
        try writer.writeAll(payload)
        writer.close()
        #expect(done.wait(timeout: .now() + 10) == .success)
        reader.close()
        #expect(received.withLock { $0 } == payload)
    }

    /// -1: never open, unlike a closed number another test's file might take meanwhile.
    @Test func writingToNoDescriptorIsAnError() throws {
        let writer = FileDescriptor(rawValue: -1)
        #expect(throws: SystemCallError(call: "write", code: EBADF)) { try writer.writeAll([1, 2, 3]) }
        writer.write("nothing happens\n")
    }
}
