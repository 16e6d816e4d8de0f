import Crypt

/// The system's crypt(3), through the Crypt module's `PasswordHash` (libcrypt, a fresh salt from the
/// OS's random source): the hashes the daemon checks.
public struct CryptPasswordHasher: PasswordHasher {
    public init() {}

    public func hash(_ password: String, method: HashMethod) throws -> String {
        try PasswordHash.make(password, method: method == .sha512 ? .sha512 : .yescrypt)
    }
}
