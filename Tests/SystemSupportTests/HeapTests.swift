import SystemSupport
import Testing

/// glibc's malloc settings, looked up at run time (Swift's Glibc module has no `<malloc.h>`).
@Suite struct HeapTests {
    @Test func theArenaLimitIsFoundAndApplied() {
        // Harmless in the test process: later threads share the arenas that exist.
        #expect(Heap.useOneArena())
    }

    @Test func freeMemoryIsReleasedAfterABurst() {
        var burst: [[UInt8]] = (0..<2000).map { [UInt8](repeating: UInt8($0 & 0xFF), count: 2048) }
        #expect(burst.count == 2000)
        burst.removeAll()
        Heap.releaseFreeMemory()  // found and run: a missing symbol would be a silent no-op
    }
}
