import Foundation
import Synchronization
import Testing
import TestSupport
@testable import SystemSupport

@Suite(.timeLimit(.minutes(1))) struct EventLoopTests {
    @Test func timersFireInDeadlineOrderAndCancelledOnesNever() async throws {
        let loop = try EventLoop(name: "test")
        defer { loop.shutdown() }
        let fired = Mutex<[Int]>([])
        loop.execute {
            loop.schedule(after: .milliseconds(30)) { fired.withLock { $0.append(3) } }
            loop.schedule(after: .milliseconds(10)) { fired.withLock { $0.append(1) } }
            let cancelled = loop.schedule(after: .milliseconds(20)) { fired.withLock { $0.append(99) } }
            loop.schedule(after: .milliseconds(20)) { fired.withLock { $0.append(2) } }
            loop.cancel(cancelled)
        }
        try await Task.sleep(for: .milliseconds(150))
        #expect(fired.withLock { $0 } == [1, 2, 3])
    }

    @Test func cancelledTimersDoNotPileUpAndTheRestStillFireInOrder() async throws {
        let loop = try EventLoop(name: "test")
        defer { loop.shutdown() }
        let fired = Mutex<[Int]>([])
        let heapSize = Mutex(0)
        loop.execute {
            // A server's idle timer, re-armed 10,000 times: each one cancels the one before.
            var idle = loop.schedule(after: .seconds(60)) {}
            for _ in 0..<10_000 {
                loop.cancel(idle)
                idle = loop.schedule(after: .seconds(60)) {}
            }
            for (index, delay) in [40, 10, 30, 20].enumerated() {
                loop.schedule(after: .milliseconds(delay)) { fired.withLock { $0.append(index) } }
            }
            heapSize.withLock { $0 = loop.scheduledTimerEntries }
        }
        try await Task.sleep(for: .milliseconds(150))
        #expect(heapSize.withLock { $0 } < 200, "cancelled entries are dropped, not kept for a minute")
        #expect(fired.withLock { $0 } == [1, 3, 2, 0])
    }

    @Test func executeFromManyThreadsRunsEverythingOnTheLoopThread() async throws {
        let loop = try EventLoop(name: "test")
        let count = Mutex(0)
        let offLoop = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            for _ in 0..<1000 {
                loop.execute {
                    if !loop.inLoop { offLoop.withLock { $0 += 1 } }
                    count.withLock { $0 += 1 }
                }
            }
        }
        loop.shutdown()  // runs what was queued before it
        #expect(count.withLock { $0 } == 8000)
        #expect(offLoop.withLock { $0 } == 0)
        #expect(!loop.inLoop)
    }

    @Test func aReadableDescriptorWakesItsHandler() async throws {
        let loop = try EventLoop(name: "test")
        defer { loop.shutdown() }
        var fds: [Int32] = [-1, -1]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]); close(fds[1]) }
        Socket.setNonBlocking(fds[0])
        let readEnd = fds[0]
        let got = Mutex<[UInt8]>([])
        loop.execute {
            loop.register(fd: readEnd, interest: .read) { _ in
                var byte: UInt8 = 0
                while read(readEnd, &byte, 1) == 1 { got.withLock { $0.append(byte) } }
            }
        }
        try await Task.sleep(for: .milliseconds(20))
        var bytes: [UInt8] = [7, 8, 9]
        #expect(write(fds[1], &bytes, 3) == 3)
        try await Task.sleep(for: .milliseconds(50))
        #expect(got.withLock { $0 } == [7, 8, 9])
    }
}

@Suite(.timeLimit(.minutes(1))) struct SocketTests {
    @Test func resolvesLiteralsAndNames() throws {
        #expect(try SocketAddress.resolve(host: "127.0.0.1", port: 5038).first?.description == "127.0.0.1:5038")
        #expect(try SocketAddress.resolve(host: "::1", port: 5038).first?.description == "[::1]:5038")
        #expect(try SocketAddress.resolve(host: "[::1]", port: 5038).first?.port == 5038)
        #expect(try !SocketAddress.resolve(host: "localhost", port: 1).isEmpty)
        #expect(throws: SystemCallError.self) { try SocketAddress.resolve(host: "no-such-host.invalid", port: 1) }
    }

    @Test func listensOnPortZeroAndReadsThePortBack() throws {
        let address = try #require(try SocketAddress.resolve(host: "127.0.0.1", port: 0).first)
        let fd = try Socket.listen(on: address)
        defer { Socket.close(fd) }
        #expect(try Socket.localAddress(fd).port > 0)
    }
}

@Suite struct LoggerTests {
    @Test func dropsRecordsBelowItsLevelWithoutBuildingThem() {
        let sink = MemoryLogSink()
        let logger = Logger(level: .info, sink: sink, metadata: [("component", "ami")])
        let built = Mutex(0)
        func fields() -> [(String, LogValue)] {
            built.withLock { $0 += 1 }
            return [("k", "v")]
        }
        logger.debug("ami.sent", fields())
        logger.info("ami.connected", fields())
        #expect(built.withLock { $0 } == 1)
        #expect(sink.records == [LogRecord(level: .info, event: "ami.connected", fields: [("component", "ami"), ("k", "v")])])
    }
}
