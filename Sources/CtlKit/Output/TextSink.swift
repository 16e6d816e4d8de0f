#if canImport(Glibc)
import Glibc
#endif

/// Where ccagentctl writes: standard output or error, or a buffer in tests. Each call is
/// written at once, unbuffered, so `watch` lines appear as they happen.
public protocol TextSink: Sendable {
    func write(_ text: String)
}

/// A file descriptor, written with `write(2)` until every byte is out (Glibc's `stdout` is not
/// usable from Swift 6, and a buffered stream would hold back `watch`'s lines).
public struct FileDescriptorSink: TextSink {
    public static let standardOutput = FileDescriptorSink(fd: 1)
    public static let standardError = FileDescriptorSink(fd: 2)

    public let fd: Int32

    public init(fd: Int32) {
        self.fd = fd
    }

    public func write(_ text: String) {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw in
                let rest = UnsafeRawBufferPointer(rebasing: raw[offset...])
                return Glibc.write(fd, rest.baseAddress, rest.count)
            }
            if written > 0 {
                offset += written
            } else if written < 0, errno == EINTR {
                continue
            } else {
                return  // a closed or full descriptor: nothing more can be said there
            }
        }
    }
}
