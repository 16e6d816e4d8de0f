import SystemSupport

/// Where a line of configuration came from: the file as the reader named it, and a 1-based line.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int

    public init(file: String, line: Int) {
        self.file = file
        self.line = line
    }

    /// `file:line`, or just `file` for an error about the whole file (line 0).
    public var description: String { line > 0 ? "\(file):\(line)" : file }
}

/// One thing wrong with a configuration, with everything a person needs to fix it: the file, the
/// line, the section and the key, what is wrong, and a suggestion when a name looks misspelled.
///
/// Reads like `ccagentd.conf:42: [break] timeout_goto: unknown status "brake"; did you mean "break"?`.
/// `description` and `message` go to terminals: control characters in what came from the file
/// (names, values, paths) are written as escapes (`\r`, `\x1b`), never raw.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of name a reference points at.
    public enum ReferenceKind: String, Sendable, Equatable {
        case status, skill, `extension`, user, template
    }

    public enum Kind: Sendable, Equatable {
        /// The file could not be read (missing, permissions, not UTF-8).
        case unreadable(path: String, reason: String)
        /// A line that is neither a section header, a `key = value`, a comment nor a directive.
        case syntax(String)
        /// `#include` of a file already being read: the chain, outermost first, ending with the repeat.
        case includeLoop(chain: [String])
        /// `#include` of `path` that would be read `depth` levels below the main file, past `limit`.
        case includeTooDeep(path: String, depth: Int, limit: Int)
        /// `#include` of `path` when `limit` files have been read already in this load.
        case tooManyFiles(path: String, limit: Int)
        case unsupportedDirective(String)
        case entryOutsideSection
        case duplicateSection(name: String, first: SourceLocation)
        /// `[child](a)` where `a` inherits back from `child`.
        case inheritanceLoop(chain: [String])
        case missingType(suggestion: String?)
        case unknownType(String, suggestion: String?)
        case unknownKey(String, sectionType: String, suggestion: String?)
        /// A single-valued key given twice in the same section (inherited values may be overridden).
        case duplicateKey(first: SourceLocation)
        case missingKey(String, reason: String)
        case invalidValue(String, expected: String)
        case unknownReference(ReferenceKind, String, suggestion: String?)
        /// A second `[…] type = general | ami | api | remote` section.
        case duplicateSingleton(type: String, first: SourceLocation)
        case missingSection(type: String)
        /// A second status with `default = yes`.
        case multipleDefaults(first: StatusName)
        /// A built-in status section setting a key other than `label`, `color` (and `on_hangup` for calls).
        case builtInRedefined(status: String, key: String)
        /// Statuses whose timeouts lead back to themselves, e.g. `break → lunch → break`.
        case timeoutLoop(cycle: [String])
        case sharedPersonalExtension(String, heldBy: String)
        case sharedVirtualExtension(String, heldBy: String)
        case invalidMobile(String)
        /// A password that is not a crypt(3) hash. The value is never repeated.
        case clearPassword
        case notASupervisor(user: String, role: String)
        /// A second line for the same name in the `admin_tokens` file.
        case duplicateTokenName(String, first: SourceLocation)
        /// The same token under two names. The token itself is never repeated.
        case duplicateToken(name: String, sameAs: String, first: SourceLocation)
        /// A file of secrets every user of the machine may read.
        case readableByAll(path: String, mode: UInt32)
        /// A value holding a C0 control other than TAB, or DEL: `byte`, at `position` (1-based,
        /// in characters). `value` is nil for a secret, which is never repeated.
        case controlCharacter(value: String?, byte: UInt8, position: Int)
        /// Anything else that is not allowed, in words.
        case notAllowed(String)
    }

    /// A status name as written in the file, for messages.
    public typealias StatusName = String

    public var kind: Kind
    public var location: SourceLocation?
    public var section: String?
    public var key: String?

    public init(_ kind: Kind, at location: SourceLocation? = nil, section: String? = nil, key: String? = nil) {
        self.kind = kind
        self.location = location
        self.section = section
        self.key = key
    }

    public var line: Int? { location?.line }

    public var description: String {
        var prefix = ""
        if let location { prefix += "\(location): " }
        if let section { prefix += "[\(section)] " }
        if let key { prefix += "\(key): " }
        return prefix.escapingControlCharacters + message
    }

    /// The message without location, section and key.
    public var message: String { rawMessage.escapingControlCharacters }

    private var rawMessage: String {
        switch kind {
        case .unreadable(let path, let reason): return "cannot read \(quoted(path)): \(reason)"
        case .syntax(let text): return "cannot read \(quoted(text)); expected [section], key = value, a ; comment or #include"
        case .includeLoop(let chain): return "#include loop: " + chain.joined(separator: " → ")
        case .includeTooDeep(let path, let depth, let limit):
            return "#include of \(quoted(path)) would nest \(depth) deep; at most \(limit) levels of #include are read"
        case .tooManyFiles(let path, let limit):
            return "#include of \(quoted(path)) would read a \(Self.ordinal(limit + 1)) file; at most \(limit) files are read per load, "
                + "a file included twice counting twice"
        case .unsupportedDirective(let text): return "unsupported directive \(quoted(text)); only #include and #tryinclude are read"
        case .entryOutsideSection: return "a key before the first [section]"
        case .duplicateSection(let name, let first): return "section [\(name)] is already defined at \(first)"
        case .inheritanceLoop(let chain): return "template inheritance loop: " + chain.joined(separator: " → ")
        case .missingType(let suggestion):
            return "no type; add type = general | ami | api | remote | status | skill | extension | user"
                + didYouMean(suggestion.map { "type = \($0)" })
        case .unknownType(let value, let suggestion):
            return "unknown type \(quoted(value)); expected general, ami, api, remote, status, skill, extension or user"
                + didYouMean(suggestion)
        case .unknownKey(let key, let type, let suggestion):
            return "unknown key \(quoted(key)) for type = \(type)" + didYouMean(suggestion)
        case .duplicateKey(let first): return "set twice in this section (first at \(first))"
        case .missingKey(let key, let reason): return "missing \(key): \(reason)"
        case .invalidValue(let value, let expected): return "\(quoted(value)) is not \(expected)"
        case .unknownReference(let kind, let value, let suggestion):
            return "unknown \(kind.rawValue) \(quoted(value))" + didYouMean(suggestion)
        case .duplicateSingleton(let type, let first): return "a second type = \(type) section; the first is at \(first)"
        case .missingSection(let type): return "no section with type = \(type)"
        case .multipleDefaults(let first): return "status [\(first)] is already the default; at most one status may have default = yes"
        case .builtInRedefined(let status, let key):
            let allowed = StatusNames.isCall(status) ? "label, color and on_hangup" : "label and color"
            return "\(quoted(key)) cannot be set on the built-in status \(quoted(status)); only \(allowed) may be set"
        case .timeoutLoop(let cycle):
            return "timeouts go round in a loop: " + cycle.joined(separator: " → ") + "; an agent would never leave it"
        case .sharedPersonalExtension(let ext, let user):
            return "extension \(quoted(ext)) is already the personal extension of \(quoted(user))"
        case .sharedVirtualExtension(let ext, let user):
            return "virtual extension \(quoted(ext)) is already held by \(quoted(user)); each remote agent needs its own"
        case .invalidMobile(let value):
            return "\(quoted(value)) is not a dialable mobile number; write an optional + then 6 to 15 digits (spaces and dashes are ignored), e.g. +972501234567"
        case .clearPassword:
            return "not a crypt(3) hash; never write a password in clear. Make a hash with `openssl passwd -6` or `mkpasswd -m sha-512` and paste it here"
        case .notASupervisor(let user, let role):
            return "\(quoted(user)) has role = \(role); supervisors must have role = supervisor or admin"
        case .duplicateTokenName(let name, let first): return "a second token named \(quoted(name)); the first is at \(first)"
        case .duplicateToken(let name, let sameAs, let first):
            return "\(quoted(name)) has the same token as \(quoted(sameAs)) at \(first); give each its own"
        case .readableByAll(let path, let mode):
            let octal = String(mode & 0o7777, radix: 8)
            return "\(quoted(path)) holds secrets and every user may read it (mode \(String(repeating: "0", count: max(1, 4 - octal.count)) + octal)); "
                + "refusing it, as ssh refuses a readable private key: chmod 640 it (or 600) and chown it to root:ccagentd"
        case .controlCharacter(let value, let byte, let position):
            let what = value.map(quoted) ?? "the value (not shown: it is a secret)"
            return "\(what) holds the control character \(Character(UnicodeScalar(byte))) at character \(position); a value may hold tabs "
                + "but no other control character (no CR, LF, NUL, ESC or DEL): Asterisk, the logs and terminals cannot carry them"
        case .notAllowed(let text): return text
        }
    }

    private func quoted(_ text: String) -> String { "\"\(text)\"" }

    /// `1st`, `2nd`, `3rd`, `4th`, `11th`, `257th`.
    static func ordinal(_ number: Int) -> String {
        let suffix = (11...13).contains(number % 100) ? "th" : [1: "st", 2: "nd", 3: "rd"][number % 10] ?? "th"
        return "\(number)\(suffix)"
    }

    private func didYouMean(_ suggestion: String?) -> String {
        guard let suggestion else { return "" }
        return "; did you mean \(quoted(suggestion))?"
    }
}

/// Every error found in one load, in the order of the file.
public struct ConfigErrorList: Error, Sendable, Equatable, CustomStringConvertible {
    public var errors: [ConfigError]

    public init(_ errors: [ConfigError]) { self.errors = errors }

    public var description: String { errors.map(\.description).joined(separator: "\n") }
}

enum StatusNames {
    static func isCall(_ name: String) -> Bool { name == "incoming_call" || name == "outgoing_call" }
}
