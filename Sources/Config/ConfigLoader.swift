import AgentCore

/// Turns a `ccagentd.conf` into a validated configuration, or every error in it.
///
/// ```swift
/// switch ConfigLoader().load(path: "/etc/ccagentd/ccagentd.conf") {
/// case .success(let configuration): …
/// case .failure(let list): for error in list.errors { print(error) }
/// }
/// ```
public struct ConfigLoader: Sendable {
    public var fileReader: any ConfigFileReader

    public init(fileReader: any ConfigFileReader = DiskFileReader()) {
        self.fileReader = fileReader
    }

    /// Reads `path` (and what it includes) and validates it. Errors are in file order.
    public func load(path: String) -> Result<LoadedConfiguration, ConfigErrorList> {
        let (document, readErrors) = INIReader(fileReader: fileReader).read(path: path)
        let mainFile = ConfigPath.normalize(path)
        // A file that cannot be read at all has nothing more to say.
        if document.files.isEmpty { return .failure(ConfigErrorList(readErrors)) }
        var validator = ConfigValidator(document: document, mainFile: mainFile, fileReader: fileReader)
        validator.errors = readErrors
        let configuration = validator.validate()
        let errors = ConfigValidator.ordered(validator.errors, files: document.files)
        guard errors.isEmpty, let configuration else { return .failure(ConfigErrorList(errors)) }
        return .success(configuration)
    }

    /// Validates text held in memory, named `file` in messages. For tests and tools.
    public static func load(text: String, file: String = "ccagentd.conf") -> Result<LoadedConfiguration, ConfigErrorList> {
        ConfigLoader(fileReader: InMemoryFileReader([ConfigPath.normalize(file): text])).load(path: file)
    }
}

/// What each section type may contain.
enum SectionType: String, CaseIterable {
    case general, ami, api, remote, status, skill, `extension`, user

    var keys: [String] {
        switch self {
        case .general: ["type", "database", "log_format", "log_level"]
        case .ami: ["type", "host", "port", "username", "secret", "ping_interval", "auth"]
        case .api:
            [
                "type", "listen", "socket", "admin_tokens", "session_ttl", "login_attempts_per_login", "login_attempts_per_address",
                "login_window", "max_connections", "header_timeout", "request_timeout", "trusted_proxies",
            ]
        case .remote: ["type", "interface", "followme_family"]
        case .status:
            ["type", "label", "color", "activate_skills", "timeout", "timeout_goto", "default", "max_agents", "over_limit", "on_hangup"]
        case .skill: ["type", "queues"]
        case .extension: ["type", "interface", "state_interface", "virtual"]
        case .user:
            [
                "type", "name", "password", "role", "ccuser", "active", "skills", "extension", "extensions", "supervisors", "group",
                "remote", "mobile", "virtual_extension", "stay_in_queues_on_logout",
            ]
        }
    }

    /// Keys that may be repeated, each value a comma list; the values add up.
    static let listKeys: Set<String> = ["queues", "skills", "extensions", "supervisors", "trusted_proxies"]

    var isSingleton: Bool { self == .general || self == .ami || self == .api || self == .remote }
}

/// One pass over the sections of a document, collecting errors.
struct ConfigValidator {
    let document: INIDocument
    let mainFile: String
    /// For the files a key names (`admin_tokens`).
    let fileReader: any ConfigFileReader
    var errors: [ConfigError] = []

    /// Sections by type, in file order.
    var byType: [SectionType: [INISection]] = [:]

    init(document: INIDocument, mainFile: String, fileReader: any ConfigFileReader) {
        self.document = document
        self.mainFile = mainFile
        self.fileReader = fileReader
    }

    mutating func validate() -> LoadedConfiguration? {
        classify()
        let general = validateGeneral()
        let ami = validateAMI()
        let api = validateAPI()
        let remote = validateRemote()
        let statuses = validateStatuses()
        let skills = validateSkills()
        let extensions = validateExtensions()
        let users = validateUsers(statuses: statuses, skills: skills, extensions: extensions)
        guard let ami else { return nil }
        let core = CoreConfiguration(statuses: statuses, skills: skills, extensions: extensions, users: users, remote: remote)
        return LoadedConfiguration(general: general, ami: ami, api: api, core: core, files: document.files)
    }

    /// Errors sorted by file (in the order the files were read), then line; stable otherwise. A
    /// mistake in a template is reported once, not once per section inheriting it. A value with a
    /// control byte is refused for that alone: what else is wrong with it is said once it is retyped.
    static func ordered(_ errors: [ConfigError], files: [String]) -> [ConfigError] {
        var seen: Set<String> = []
        let controlled = Set(errors.compactMap { error -> String? in
            guard case .controlCharacter = error.kind, let location = error.location else { return nil }
            return "\(location)\u{0}\(error.key ?? "")"
        })
        let errors = errors.filter { error in
            guard let location = error.location else { return true }
            if case .controlCharacter = error.kind {} else if controlled.contains("\(location)\u{0}\(error.key ?? "")") { return false }
            return seen.insert("\(location)\u{0}\(error.key ?? "")\u{0}\(error.message)").inserted
        }
        func rank(_ error: ConfigError) -> (Int, Int) {
            guard let location = error.location else { return (-1, 0) }
            return (files.firstIndex(of: location.file) ?? files.count, location.line)
        }
        return errors.enumerated().sorted { a, b in
            let (ra, rb) = (rank(a.element), rank(b.element))
            return ra != rb ? ra < rb : a.offset < b.offset
        }.map(\.element)
    }

    // MARK: - Types, keys

    private mutating func classify() {
        let typeNames = SectionType.allCases.map(\.rawValue)
        for section in document.sections {
            guard let entry = section.last("type") else {
                errors.append(ConfigError(.missingType(suggestion: guessType(section)?.rawValue), at: section.location, section: section.name))
                continue
            }
            guard let type = SectionType(rawValue: entry.value) else {
                let suggestion = Suggestion.closest(to: entry.value, among: typeNames)
                errors.append(error(.unknownType(entry.value, suggestion: suggestion), section, entry))
                continue
            }
            checkKeys(section, type: type)
            byType[type, default: []].append(section)
        }
    }

    /// For a section without `type`: its name when that is a type, else the one type whose keys
    /// cover all of the section's keys.
    private func guessType(_ section: INISection) -> SectionType? {
        if let type = SectionType(rawValue: section.name) { return type }
        if StatusID(section.name).isBuiltIn { return .status }
        let keys = Set(section.entries.map(\.key))
        guard !keys.isEmpty else { return nil }
        let fitting = SectionType.allCases.filter { keys.isSubset(of: $0.keys) }
        return fitting.count == 1 ? fitting.first : nil
    }

    /// Unknown keys, and single-valued keys written twice in the section itself.
    private mutating func checkKeys(_ section: INISection, type: SectionType) {
        let allowed = type.keys
        var seen: [String: SourceLocation] = [:]
        for entry in section.entries {
            guard allowed.contains(entry.key) else {
                // An unknown key in a template is reported once per section using it: the
                // section tells which type it was read as.
                let suggestion = Suggestion.closest(to: entry.key, among: allowed)
                errors.append(error(.unknownKey(entry.key, sectionType: type.rawValue, suggestion: suggestion), section, entry))
                continue
            }
            guard entry.inheritedFrom == nil, !SectionType.listKeys.contains(entry.key) else { continue }
            if let first = seen[entry.key] {
                errors.append(error(.duplicateKey(first: first), section, entry))
            } else {
                seen[entry.key] = entry.location
            }
        }
    }

    // MARK: - Helpers

    func error(_ kind: ConfigError.Kind, _ section: INISection, _ entry: INIEntry? = nil) -> ConfigError {
        ConfigError(kind, at: entry?.location ?? section.location, section: section.name, key: entry?.key)
    }

    /// The one section of a singleton type; a second one is an error.
    mutating func singleton(_ type: SectionType) -> INISection? {
        let sections = byType[type] ?? []
        for extra in sections.dropFirst() {
            errors.append(ConfigError(.duplicateSingleton(type: type.rawValue, first: sections[0].location), at: extra.location, section: extra.name))
        }
        return sections.first
    }

    /// A non-empty value for `key`, or nil (with an error if the key is there but empty).
    mutating func string(_ section: INISection, _ key: String) -> (value: String, entry: INIEntry)? {
        guard let entry = section.last(key) else { return nil }
        guard !entry.value.isEmpty else {
            errors.append(error(.notAllowed("no value after =; give one or remove the line"), section, entry))
            return nil
        }
        return (entry.value, entry)
    }

    mutating func bool(_ section: INISection, _ key: String) -> Bool? {
        guard let entry = section.last(key) else { return nil }
        switch entry.value.lowercased() {
        case "yes", "true", "1", "on": return true
        case "no", "false", "0", "off": return false
        default:
            errors.append(error(.invalidValue(entry.value, expected: "yes or no"), section, entry))
            return nil
        }
    }

    mutating func integer(_ section: INISection, _ key: String, in range: ClosedRange<Int>, unit: String = "") -> Int? {
        guard let entry = section.last(key) else { return nil }
        guard let value = Int(entry.value), range.contains(value), entry.value.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            let upper = range.upperBound == Int.max ? "" : " to \(range.upperBound)"
            errors.append(error(.invalidValue(entry.value, expected: "a whole number from \(range.lowerBound)\(upper)\(unit)"), section, entry))
            return nil
        }
        return value
    }

    mutating func choice<T: RawRepresentable>(_ section: INISection, _ key: String, among values: [T]) -> T? where T.RawValue == String {
        guard let entry = section.last(key) else { return nil }
        if let value = values.first(where: { $0.rawValue == entry.value.lowercased() }) { return value }
        let names = values.map(\.rawValue)
        errors.append(error(.invalidValue(entry.value, expected: names.joined(separator: " or ")), section, entry))
        return nil
    }

    /// Every item of a list key: all its entries, each split on commas, trimmed, empty items dropped.
    func list(_ section: INISection, _ key: String) -> [(item: String, entry: INIEntry)] {
        section.entries(key).flatMap { entry in
            entry.value.split(separator: ",").map { $0.trimmingSpaces() }.filter { !$0.isEmpty }.map { ($0, entry) }
        }
    }

    /// A name used as an identifier: no spaces, commas or `;`.
    static func isIdentifier(_ name: String) -> Bool {
        !name.isEmpty && !name.contains { $0.isWhitespace || $0 == "," || $0 == ";" || $0 == "=" }
    }
}

extension Substring {
    func trimmingSpaces() -> String {
        var slice = self[...]
        while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice = slice.dropLast() }
        return String(slice)
    }
}
