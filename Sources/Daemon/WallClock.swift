#if canImport(Glibc)
import ControlPort
import Glibc
#endif
public import AgentCore

/// The system's wall clock as the core's `Timestamp`.
public enum WallClock {
    @Sendable
    public static func now() -> Timestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Timestamp(millisecondsSince1970: Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000)
    }
}
