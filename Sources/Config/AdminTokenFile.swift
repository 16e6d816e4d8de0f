import AgentCore

/// Reads the `[api] admin_tokens` file: one `NAME TOKEN` per line, `#` comments and blank lines
/// ignored. Errors name the file and line and never repeat a token, nor a line that may hold one.
enum AdminTokenFile {
    static let minimumTokenLength = 32
    static let maximumTokenLength = 1024
    /// Shorter than any token, so a line written `TOKEN NAME` is refused without the token showing.
    static let maximumNameLength = minimumTokenLength - 1

    static func parse(_ bytes: [UInt8], file: String) -> (entries: [AdminTokenEntry], errors: [ConfigError]) {
        var entries: [AdminTokenEntry] = []
        var errors: [ConfigError] = []
        var firstByName: [String: SourceLocation] = [:]
        var firstByToken: [String: (name: String, location: SourceLocation)] = [:]
        for (index, rawLine) in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            let location = SourceLocation(file: file, line: index + 1)
            let fields = rawLine.split { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\r") }
            guard let first = fields.first, first.first != UInt8(ascii: "#") else { continue }
            guard fields.count == 2 else {
                errors.append(ConfigError(.notAllowed("expected NAME TOKEN: a name, a space, the token; # starts a comment line"), at: location))
                continue
            }
            let name = String(decoding: fields[0], as: UTF8.self)
            let token = String(decoding: fields[1], as: UTF8.self)
            guard isName(fields[0]) else {
                // Not repeated: it may be the token, written first.
                errors.append(ConfigError(.notAllowed(
                    "the name must be letters, digits, - _ . or @, at most \(maximumNameLength) of them, then the token"), at: location))
                continue
            }
            if let problem = tokenProblem(fields[1]) {
                errors.append(ConfigError(.notAllowed("the token of \"\(name)\" \(problem); make one with `openssl rand -hex 32`"), at: location))
                continue
            }
            if let earlier = firstByName[name] {
                errors.append(ConfigError(.duplicateTokenName(name, first: earlier), at: location))
                continue
            }
            if let earlier = firstByToken[token] {
                errors.append(ConfigError(.duplicateToken(name: name, sameAs: earlier.name, first: earlier.location), at: location))
                continue
            }
            firstByName[name] = location
            firstByToken[token] = (name, location)
            entries.append(AdminTokenEntry(name: name, token: token))
        }
        return (entries, errors)
    }

    /// Names become actors (`admin:NAME`) in logs and the audit: plain words.
    private static func isName(_ name: ArraySlice<UInt8>) -> Bool {
        name.count <= maximumNameLength && name.allSatisfy { isAlphanumeric($0) || "-_.@".utf8.contains($0) }
    }

    /// A token travels as `Authorization: Bearer TOKEN`: the characters RFC 6750 allows there.
    private static func tokenProblem(_ token: ArraySlice<UInt8>) -> String? {
        if token.count < minimumTokenLength { return "is \(token.count.counted("character")) long; it must have at least \(minimumTokenLength)" }
        if token.count > maximumTokenLength { return "is over \(maximumTokenLength) characters long" }
        let body = token.reversed().drop { $0 == UInt8(ascii: "=") }
        guard !body.isEmpty, body.allSatisfy({ isAlphanumeric($0) || "-._~+/".utf8.contains($0) }) else {
            return "has a character a bearer token cannot hold; use letters, digits and - . _ ~ + /"
        }
        return nil
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5a).contains(byte) || (0x61...0x7a).contains(byte)
    }
}
