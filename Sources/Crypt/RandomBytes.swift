import CCrypt
public import SystemSupport

/// Bytes from the kernel's CSPRNG (`getrandom(2)`, which blocks only until the pool is first
/// seeded at boot, and never fails for want of file descriptors the way reading /dev/urandom can).
public enum RandomBytes {
    /// Fills `buffer` entirely.
    public static func fill(_ buffer: UnsafeMutableRawBufferPointer) throws(SystemCallError) {
        var filled = 0
        // A request over 256 bytes may come back short (or be cut by a signal): loop.
        while filled < buffer.count {
            let got = try syscall("getrandom") { getrandom(buffer.baseAddress.map { $0 + filled }, buffer.count - filled, 0) }
            filled += got
        }
    }

    public static func generate(count: Int) throws(SystemCallError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: max(0, count))
        // Array's closure APIs rethrow untyped errors: carry the typed one out in a Result.
        let result = bytes.withUnsafeMutableBytes { buffer in Result { () throws(SystemCallError) in try fill(buffer) } }
        try result.get()
        return bytes
    }
}
