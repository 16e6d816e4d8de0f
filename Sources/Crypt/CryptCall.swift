import CCrypt

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// libcrypt refused: `errno` as it was right after the call (EINVAL: a setting it does not know,
/// ERANGE: a password over its limit).
struct CryptFailure: Error {
    let code: Int32
}

/// One call into libcrypt with its ~32 KiB `struct crypt_data` on the heap (too big for a thread's
/// stack to take lightly), zeroed before use as `crypt_rn` asks and after, so no hash lingers.
enum CryptCall {
    /// What `crypt_rn` makes of `password` with `setting` (a stored hash or a fresh salt).
    static func hash(_ password: String, setting: String) throws(CryptFailure) -> String {
        let size = MemoryLayout<crypt_data>.size
        let scratch = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: MemoryLayout<crypt_data>.alignment)
        scratch.initializeMemory(as: UInt8.self, repeating: 0, count: size)
        defer {
            scratch.initializeMemory(as: UInt8.self, repeating: 0, count: size)
            scratch.deallocate()
        }
        errno = 0
        guard let result = crypt_rn(password, setting, scratch, Int32(size)) else { throw CryptFailure(code: errno) }
        // crypt_rn fails with NULL, but a "*" token is how crypt(3) fails: refuse both.
        guard result.pointee != 0, UInt8(bitPattern: result.pointee) != UInt8(ascii: "*") else {
            throw CryptFailure(code: EINVAL)
        }
        return String(cString: result)
    }

    /// A setting for `prefix` (`$y$`, `$6$`) with a new salt and the default cost. No random bytes
    /// are passed in: libcrypt reads them from the OS's RNG.
    static func setting(prefix: String) throws(CryptFailure) -> String {
        var output = [CChar](repeating: 0, count: Int(CRYPT_GENSALT_OUTPUT_SIZE))
        errno = 0
        let made = output.withUnsafeMutableBufferPointer { buffer in
            crypt_gensalt_rn(prefix, 0, nil, 0, buffer.baseAddress, Int32(buffer.count)) != nil
        }
        guard made else { throw CryptFailure(code: errno) }
        return String(decoding: output.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The longest password libcrypt hashes, in bytes (`CRYPT_MAX_PASSPHRASE_SIZE` less the NUL).
    static let maximumPasswordBytes = Int(CRYPT_MAX_PASSPHRASE_SIZE) - 1
}
