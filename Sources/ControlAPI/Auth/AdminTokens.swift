import HTTPWire
import HTTPServing
import Crypt
public import Config

/// A long-lived token from the `[api] admin_tokens` file: whoever presents it acts as
/// `admin:NAME`. Config reads them; printing one never shows the secret.
public typealias AdminToken = AdminTokenEntry

/// The admin tokens, matched against a presented bearer token.
public struct AdminTokens: Sendable, Equatable {
    public var tokens: [AdminToken]

    public init(_ tokens: [AdminToken] = []) { self.tokens = tokens }

    /// The name of the token `presented` is, or nil. Every candidate is compared in full, in
    /// constant time, and the loop never stops early, so timing tells neither how much of a guess
    /// was right nor which token it was close to.
    public func match(_ presented: String) -> String? {
        var found: String?
        for candidate in tokens where constantTimeEquals(candidate.token.utf8, presented.utf8) {
            found = candidate.name
        }
        return found
    }
}
