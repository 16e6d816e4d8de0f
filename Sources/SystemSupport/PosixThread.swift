#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A detached POSIX thread that runs one closure to its end: what the daemon needs of a thread
/// (an event loop, the signal taker), without Foundation's `Thread`.
public enum PosixThread {
    /// The longest name the kernel keeps (`TASK_COMM_LEN` is 16 with the NUL): longer ones are cut.
    static let maximumNameLength = 15

    /// Starts `body` on a new detached thread, named `name` in `ps -L`, `top -H` and debuggers.
    /// Throws when the system has no thread to give (`EAGAIN`: out of threads or memory).
    public static func start(name: String, _ body: @escaping @Sendable () -> Void) throws(SystemCallError) {
        let context = Unmanaged.passRetained(Start(name: name, body: body)).toOpaque()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        #if os(Linux)
        var thread = pthread_t()
        #else
        var thread: pthread_t?
        #endif
        // pthread_create returns the error number instead of setting errno.
        let code = pthread_create(&thread, &attributes, { context in
            guard let context else { return nil }
            let start = Unmanaged<Start>.fromOpaque(context).takeRetainedValue()
            start.nameCurrentThread()
            start.body()
            return nil
        }, context)
        if code != 0 {
            Unmanaged<Start>.fromOpaque(context).release()
            throw SystemCallError(call: "pthread_create(\(name))", code: code)
        }
    }

    /// What the new thread receives: boxed, retained across `pthread_create`, released by the thread.
    private final class Start: Sendable {
        let name: String
        let body: @Sendable () -> Void

        init(name: String, body: @escaping @Sendable () -> Void) {
            self.name = name
            self.body = body
        }

        /// `pthread_setname_np` is a GNU extension the Glibc module does not declare.
        func nameCurrentThread() {
            typealias SetName = @convention(c) (pthread_t, UnsafePointer<CChar>?) -> Int32
            #if os(Linux)
            guard let setName = CLibrary.function("pthread_setname_np", as: SetName.self) else { return }
            var bytes = Array(name.utf8.prefix(PosixThread.maximumNameLength))
            bytes.append(0)
            bytes.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { _ = setName(pthread_self(), $0.baseAddress) }
            }
            #endif
        }
    }
}
