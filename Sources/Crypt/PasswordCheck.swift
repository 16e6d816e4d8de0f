/// Checks a password against a crypt(3) hash from the config (`$6$` sha512crypt, `$5$`
/// sha256crypt, `$y$` yescrypt, `$2b$` bcrypt, whatever the system's libcrypt knows).
///
/// Slow on purpose: a `$6$` check takes a few milliseconds, a `$y$` one tens of them, so that a
/// stolen config cannot be brute-forced cheaply. Call it off the HTTP server's thread (it would
/// stall every other connection) and behind `LoginRateLimiter`. It is thread-safe (`crypt_rn`
/// with its own scratch memory), so several checks may run at once.
public enum PasswordCheck {
    /// Whether `password` hashes to `hash`. A malformed or unsupported hash, a password with a
    /// NUL or over libcrypt's length limit, is false, never a crash. The comparison of the result
    /// with `hash` takes the same time however much of it matches.
    public static func verify(_ password: String, against hash: String) -> Bool {
        // A NUL would cut the password short in C: "secret\0anything" must not pass as "secret".
        guard !password.utf8.contains(0), !hash.isEmpty, !hash.utf8.contains(0),
            let computed = try? CryptCall.hash(password, setting: hash)
        else { return false }
        return constantTimeEquals(computed.utf8, hash.utf8)
    }

    /// Spends the time of a real check and answers false: for a login that does not exist, so
    /// that the time of the answer does not tell which logins do. A `$y$` check costs ~10 times a
    /// `$6$` one: pass a hash of the config's users (`costLike`) so the decoy costs what they do.
    public static func rejectUnknownLogin(_ password: String, costLike hash: String? = nil) -> Bool {
        _ = verify(password, against: hash ?? decoyHash)
        return false
    }

    /// A `$6$` setting (the scheme of the sample config, default rounds) with a hash part that was
    /// typed, not computed: no known password gives it.
    static let decoyHash =
        "$6$ccagentdDecoy$2Qj1VYq4g3kp9oD7xGZ2mU8tWcN0bFhL5sRaEiKyTzJv6dXeHnPuCwSfA1lM3qB7rI9oYtK4gD2xV8jZ0cQ5n/"
}
