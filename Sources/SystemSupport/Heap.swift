#if canImport(Glibc)
import Glibc
#endif

/// The C heap (glibc's malloc), which Swift allocates from. `mallopt` and `malloc_trim` live in
/// `<malloc.h>`, which Swift's Glibc module leaves out: they are looked up in the process.
public enum Heap {
    /// One malloc arena for every thread. glibc gives each thread that allocates its own arena,
    /// each with its own free lists and fragmentation; the daemon's few threads (its loop, the
    /// AMI reader, the API) allocate little and rarely at once, and one arena keeps 3–4 MB less
    /// resident (ccagentd with 2,000 agents logged in: 31.8 → 28.2 MB). Call it before the
    /// first thread starts. False when the C library has no such setting.
    @discardableResult
    public static func useOneArena() -> Bool {
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        let mArenaMax: Int32 = -8  // <malloc.h>
        guard let mallopt = CLibrary.function("mallopt", as: Mallopt.self) else { return false }
        return mallopt(mArenaMax, 1) == 1
    }

    /// Hands free heap pages back to the kernel (`malloc_trim(0)`). After a burst of short-lived
    /// allocations is freed, its pages stay resident, interleaved with live ones, until reused.
    /// It walks the whole heap: call it rarely, after a burst.
    public static func releaseFreeMemory() {
        typealias MallocTrim = @convention(c) (Int) -> Int32
        guard let trim = CLibrary.function("malloc_trim", as: MallocTrim.self) else { return }
        _ = trim(0)
    }
}
