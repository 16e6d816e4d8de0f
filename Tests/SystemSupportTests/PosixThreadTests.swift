import Dispatch
import Foundation
import Synchronization
import Testing
@testable import SystemSupport

@Suite struct PosixThreadTests {
    /// The calling thread's name as the kernel has it.
    static func threadName() -> String {
        let bytes = (try? FileDescriptor.readFile(atPath: "/proc/thread-self/comm", maximumSize: 64)) ?? []
        return String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .newlines)
    }

    @Test func runsTheBodyOnAnotherThreadUnderItsName() throws {
        let done = DispatchSemaphore(value: 0)
        let seen = Mutex<(name: String, thread: pthread_t?)>(("", nil))
        try PosixThread.start(name: "zone-test") {
            seen.withLock { $0 = (Self.threadName(), pthread_self()) }
            done.signal()
        }
        #expect(done.wait(timeout: .now() + 5) == .success)
        let (name, thread) = seen.withLock { $0 }
        #expect(name == "zone-test")
        #expect(thread.map { pthread_equal($0, pthread_self()) == 0 } == true)
    }

    @Test func aLongNameIsCutToWhatTheKernelKeeps() throws {
        let done = DispatchSemaphore(value: 0)
        let name = Mutex("")
        try PosixThread.start(name: "a-name-longer-than-fifteen-bytes") {
            name.withLock { $0 = Self.threadName() }
            done.signal()
        }
        #expect(done.wait(timeout: .now() + 5) == .success)
        #expect(name.withLock { $0 } == "a-name-longer-t")
    }

    @Test func manyThreadsEachRunOnce() throws {
        let count = Mutex(0)
        let group = DispatchGroup()
        for index in 0..<64 {
            group.enter()
            try PosixThread.start(name: "t\(index)") {
                count.withLock { $0 += 1 }
                group.leave()
            }
        }
        #expect(group.wait(timeout: .now() + 10) == .success)
        #expect(count.withLock { $0 } == 64)
    }
}
