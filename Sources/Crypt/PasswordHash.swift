/// Why a password could not be hashed.
public enum PasswordHashError: Error, Sendable, Equatable, CustomStringConvertible {
    case empty
    /// A NUL byte: C would cut the password there, and a check would accept its first part.
    case containsNUL
    case tooLong(bytes: Int, maximum: Int)
    /// libcrypt could not make a salt or a hash (`errno`), e.g. no random source.
    case cryptFailed(code: Int32)

    public var description: String {
        switch self {
        case .empty: "the password is empty"
        case .containsNUL: "the password contains a NUL byte"
        case .tooLong(let bytes, let maximum): "the password is \(bytes) bytes long; libcrypt takes at most \(maximum)"
        case .cryptFailed(let code): "libcrypt failed (errno \(code))"
        }
    }
}

/// Makes crypt(3) hashes for the `password =` key of a user (what `ccagentctl hash-password`
/// prints), with a fresh random salt each time. As slow as a check: see `PasswordCheck`.
public enum PasswordHash {
    public enum Method: String, Sendable, CaseIterable {
        /// `$y$`: Debian's default (`mkpasswd`), memory-hard.
        case yescrypt
        /// `$6$`: sha512crypt, what `openssl passwd -6` makes; for systems without yescrypt.
        case sha512

        var prefix: String {
            switch self {
            case .yescrypt: "$y$"
            case .sha512: "$6$"
            }
        }
    }

    /// The longest password accepted, in bytes: libcrypt's own limit.
    public static let maximumBytes = CryptCall.maximumPasswordBytes

    public static func make(_ password: String, method: Method = .yescrypt) throws(PasswordHashError) -> String {
        let bytes = password.utf8.count
        guard bytes > 0 else { throw .empty }
        guard !password.utf8.contains(0) else { throw .containsNUL }
        guard bytes <= maximumBytes else { throw .tooLong(bytes: bytes, maximum: maximumBytes) }
        do throws(CryptFailure) {
            let setting = try CryptCall.setting(prefix: method.prefix)
            return try CryptCall.hash(password, setting: setting)
        } catch {
            throw .cryptFailed(code: error.code)
        }
    }
}
