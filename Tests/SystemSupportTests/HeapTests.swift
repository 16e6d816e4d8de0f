import SystemSupport
import Testing

/// glibc's malloc settings, looked up at run time (Swift's Glibc module has no `<malloc.h>`).
@Suite struct HeapTests {
    @Test func theArenaLimitIsFoundAndApplied() {
        // Harmless in the test process: later threads share the arenas that exist.
        #expect(Heap.useOneArena())
    }
}
