#if canImport(Glibc)
import Glibc
#endif

/// Signals without a race: they are blocked in the calling thread before any other thread
/// starts (threads inherit the mask), so one sent at any moment stays pending until a
/// dedicated thread takes it with `sigwait(2)`. Nothing runs in signal-handler context.
public enum Signals {
    /// Blocks `signals` in the calling thread. Call it first thing in `main`, before any thread
    /// (Dispatch, an event loop) is created.
    public static func block(_ signals: [Int32]) {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in signals { sigaddset(&set, signal) }
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    /// Takes `signals` one at a time on a thread of its own and calls `handler` with each.
    /// Should no thread be available (the system is out of threads or memory), the signals are
    /// unblocked again, with a line on standard error: they then keep their default action, so
    /// SIGTERM still stops the process rather than waiting forever for a taker.
    public static func handle(_ signals: [Int32], _ handler: @escaping @Sendable (Int32) -> Void) {
        do {
            try PosixThread.start(name: "signals") {
                var set = sigset_t()
                sigemptyset(&set)
                for signal in signals { sigaddset(&set, signal) }
                while true {
                    var received: Int32 = 0
                    if sigwait(&set, &received) == 0 { handler(received) }
                }
            }
        } catch {
            FileDescriptor.standardError.write("signals: cannot start the thread that takes them: \(error)\n")
            var set = sigset_t()
            sigemptyset(&set)
            for signal in signals { sigaddset(&set, signal) }
            pthread_sigmask(SIG_UNBLOCK, &set, nil)
        }
    }
}
