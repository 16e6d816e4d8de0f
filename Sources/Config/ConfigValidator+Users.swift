import AgentCore

extension ConfigValidator {
    /// Highest queue penalty accepted.
    static let maximumPenalty = 1000
    /// Most extensions one `a-b` range may span.
    static let maximumRange = 10_000

    mutating func validateSkills() -> [SkillID: SkillDefinition] {
        var skills: [SkillID: SkillDefinition] = [:]
        for section in byType[.skill] ?? [] {
            guard Self.isIdentifier(section.name) else {
                errors.append(error(.notAllowed("\"\(section.name)\" cannot be a skill name: no spaces or commas"), section))
                continue
            }
            var queues: [QueueName] = []
            for (item, entry) in list(section, "queues") {
                guard Self.isIdentifier(item) else {
                    errors.append(error(.invalidValue(item, expected: "a queue name of queues.conf"), section, entry))
                    continue
                }
                if !queues.contains(QueueName(item)) { queues.append(QueueName(item)) }
            }
            if queues.isEmpty, !section.entries("queues").contains(where: { !$0.value.isEmpty }) {
                errors.append(error(.missingKey("queues", reason: "a skill is a set of Asterisk queues, e.g. queues = support-private, support-business"), section))
            }
            skills[SkillID(section.name)] = SkillDefinition(id: SkillID(section.name), queues: queues)
        }
        return skills
    }

    mutating func validateExtensions() -> [ExtensionID: ExtensionDefinition] {
        var extensions: [ExtensionID: ExtensionDefinition] = [:]
        for section in byType[.extension] ?? [] {
            guard Self.isIdentifier(section.name) else {
                errors.append(error(.notAllowed("\"\(section.name)\" cannot be an extension: no spaces or commas"), section))
                continue
            }
            let isVirtual = bool(section, "virtual") ?? false
            var definition = ExtensionDefinition(id: ExtensionID(section.name), interface: nil, isVirtual: isVirtual)
            for key in ["interface", "state_interface"] {
                guard let entry = section.last(key) else { continue }
                if isVirtual {
                    errors.append(error(.notAllowed("a virtual extension has no phone, so no \(key); remove it or set virtual = no"), section, entry))
                    continue
                }
                guard let name = deviceName(section, entry) else { continue }
                if key == "interface" { definition.interface = name } else { definition.stateInterface = name }
            }
            if !isVirtual, section.last("interface") == nil {
                errors.append(error(.missingKey("interface", reason: "the phone's Asterisk interface, e.g. interface = PJSIP/\(section.name); or virtual = yes"), section))
            }
            extensions[definition.id] = definition
        }
        return extensions
    }

    mutating func validateUsers(
        statuses: [StatusID: StatusDefinition], skills: [SkillID: SkillDefinition], extensions: [ExtensionID: ExtensionDefinition]
    ) -> [AgentID: UserDefinition] {
        let sections = (byType[.user] ?? []).filter { section in
            guard Self.isIdentifier(section.name) else {
                errors.append(error(.notAllowed("\"\(section.name)\" cannot be a login: no spaces or commas"), section))
                return false
            }
            return true
        }
        let userNames = sections.map(\.name)
        let skillNames = skills.keys.map(\.rawValue).sorted()
        let extensionNames = extensions.keys.map(\.rawValue).sorted()
        var roles: [String: Role] = [:]
        for section in sections { roles[section.name] = Role(rawValue: section.last("role")?.value.lowercased() ?? "agent") }

        var users: [AgentID: UserDefinition] = [:]
        var personalHolders: [ExtensionID: String] = [:]
        var virtualHolders: [ExtensionID: String] = [:]
        for section in sections {
            let login = AgentID(section.name)
            var user = UserDefinition(login: login, name: section.name)
            if let name = string(section, "name") { user.name = name.value }
            if let role = choice(section, "role", among: [Role.agent, .supervisor, .admin]) { user.role = role }
            // Agents take calls; supervisors and admins only when the file says so (an inherited
            // ccuser counts as said).
            user.isAgent = bool(section, "ccuser") ?? (user.role == .agent)
            if let active = bool(section, "active") { user.active = active }
            if let stay = bool(section, "stay_in_queues_on_logout") { user.stayInQueuesOnLogout = stay }
            if let remote = bool(section, "remote") { user.remote = remote }
            if let group = string(section, "group") {
                if Self.isIdentifier(group.value) {
                    user.group = GroupID(group.value)
                } else {
                    errors.append(error(.invalidValue(group.value, expected: "a group name without spaces or commas"), section, group.entry))
                }
            }
            if let entry = section.last("password") {
                if Self.isCryptHash(entry.value) {
                    user.passwordHash = entry.value
                } else {
                    errors.append(error(.clearPassword, section, entry))
                }
            }
            user.skills = skillAssignments(section, known: skillNames)

            // The personal extension: a real phone, held by nobody else as theirs.
            if let entry = section.last("extension") {
                let id = ExtensionID(entry.value)
                if let definition = extensions[id] {
                    if definition.isVirtual {
                        errors.append(error(.notAllowed("\"\(entry.value)\" is a virtual extension; give it with virtual_extension"), section, entry))
                    } else if let holder = personalHolders[id] {
                        errors.append(error(.sharedPersonalExtension(entry.value, heldBy: holder), section, entry))
                    } else {
                        personalHolders[id] = section.name
                        user.personalExtension = id
                    }
                } else {
                    errors.append(error(.unknownReference(.extension, entry.value, suggestion: Suggestion.closest(to: entry.value, among: extensionNames)), section, entry))
                }
            }
            user.extensions = extensionList(section, extensions: extensions, known: extensionNames).filter { $0 != user.personalExtension }

            for (item, entry) in list(section, "supervisors") {
                guard userNames.contains(item) else {
                    errors.append(error(.unknownReference(.user, item, suggestion: Suggestion.closest(to: item, among: userNames)), section, entry))
                    continue
                }
                if item == section.name {
                    errors.append(error(.notAllowed("a user cannot be their own supervisor"), section, entry))
                    continue
                }
                guard let role = roles[item], role >= .supervisor else {
                    errors.append(error(.notASupervisor(user: item, role: roles[item]?.rawValue ?? "agent"), section, entry))
                    continue
                }
                if !user.supervisors.contains(AgentID(item)) { user.supervisors.append(AgentID(item)) }
            }

            if let mobile = string(section, "mobile") {
                if let number = Self.dialableMobile(mobile.value) {
                    user.mobile = number
                } else {
                    errors.append(error(.invalidMobile(mobile.value), section, mobile.entry))
                }
            }
            validateRemote(section, &user, extensions: extensions, known: extensionNames, holders: &virtualHolders)
            // Skills may be empty (an agent can be parked outside every queue), but an agent with
            // nowhere to log in is a mistake. Only when none of the keys is there and no key is
            // misspelled, to avoid piling a second error onto the first.
            let hasUnknownKeys = section.entries.contains { !SectionType.user.keys.contains($0.key) }
            if user.isAgent, user.active, !hasUnknownKeys, ["extension", "extensions", "virtual_extension"].allSatisfy({ section.last($0) == nil }) {
                errors.append(error(
                    .missingKey("extension", reason: "an agent (ccuser = yes, the default for role = agent) needs somewhere to log in: extension, extensions or virtual_extension; or set ccuser = no"),
                    section))
            }
            users[login] = user
        }
        return users
    }

    /// `skills = sales, support:2`: each skill known, once, with a penalty in range.
    private mutating func skillAssignments(_ section: INISection, known: [String]) -> [SkillAssignment] {
        var assignments: [SkillAssignment] = []
        for (item, entry) in list(section, "skills") {
            let parts = item.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map { $0.trimmingSpaces() }
            let name = parts[0]
            var penalty = 0
            if parts.count == 2 {
                guard let value = Int(parts[1]), (0...Self.maximumPenalty).contains(value), parts[1].allSatisfy(\.isNumber) else {
                    errors.append(error(
                        .invalidValue(item, expected: "skill:penalty with a penalty from 0 to \(Self.maximumPenalty) (lower rings first)"), section, entry))
                    continue
                }
                penalty = value
            }
            guard known.contains(name) else {
                errors.append(error(.unknownReference(.skill, name, suggestion: Suggestion.closest(to: name, among: known)), section, entry))
                continue
            }
            if assignments.contains(where: { $0.skill.rawValue == name }) {
                errors.append(error(.notAllowed("skill \"\(name)\" is listed twice"), section, entry))
                continue
            }
            assignments.append(SkillAssignment(skill: SkillID(name), penalty: penalty))
        }
        return assignments
    }

    /// `extensions = 101-120, 130`: a single id must be an extension; a range takes the
    /// non-virtual extensions defined within it and must contain at least one.
    private mutating func extensionList(
        _ section: INISection, extensions: [ExtensionID: ExtensionDefinition], known: [String]
    ) -> [ExtensionID] {
        var result: [ExtensionID] = []
        func add(_ id: ExtensionID) { if !result.contains(id) { result.append(id) } }
        for (item, entry) in list(section, "extensions") {
            if let definition = extensions[ExtensionID(item)] {
                if definition.isVirtual {
                    errors.append(error(.notAllowed("\"\(item)\" is a virtual extension: only its holder uses it, through virtual_extension"), section, entry))
                } else {
                    add(definition.id)
                }
                continue
            }
            if let range = Self.numericRange(item) {
                guard range.upper - range.lower < Self.maximumRange else {
                    errors.append(error(.invalidValue(item, expected: "a range of at most \(Self.maximumRange) extensions"), section, entry))
                    continue
                }
                var found = false
                for number in range.lower...range.upper {
                    let id = ExtensionID(Self.pad(number, width: range.width))
                    guard let definition = extensions[id], !definition.isVirtual else { continue }
                    add(id)
                    found = true
                }
                if !found {
                    errors.append(error(.notAllowed("no extension is defined in the range \(item)"), section, entry))
                }
                continue
            }
            errors.append(error(.unknownReference(.extension, item, suggestion: Suggestion.closest(to: item, among: known)), section, entry))
        }
        return result
    }

    /// A remote agent reaches its calls on a mobile through its own virtual extension: `remote`,
    /// `mobile` and `virtual_extension` go together.
    private mutating func validateRemote(
        _ section: INISection, _ user: inout UserDefinition, extensions: [ExtensionID: ExtensionDefinition], known: [String],
        holders: inout [ExtensionID: String]
    ) {
        if let entry = section.last("virtual_extension") {
            let id = ExtensionID(entry.value)
            if let definition = extensions[id] {
                if !definition.isVirtual {
                    errors.append(error(.notAllowed("extension \"\(entry.value)\" is not virtual; set virtual = yes in [\(entry.value)]"), section, entry))
                } else if let holder = holders[id] {
                    errors.append(error(.sharedVirtualExtension(entry.value, heldBy: holder), section, entry))
                } else {
                    holders[id] = section.name
                    user.virtualExtension = id
                }
            } else {
                errors.append(error(.unknownReference(.extension, entry.value, suggestion: Suggestion.closest(to: entry.value, among: known)), section, entry))
            }
            if section.last("mobile") == nil {
                errors.append(error(.missingKey("mobile", reason: "calls to a virtual extension follow the agent's mobile"), section, entry))
            }
            if !user.remote {
                errors.append(error(.missingKey("remote = yes", reason: "a virtual extension is for a remote agent"), section, entry))
            }
        } else if user.remote, let entry = section.last("remote") {
            errors.append(error(.missingKey("virtual_extension", reason: "a remote agent takes calls on its mobile through its own virtual extension"), section, entry))
        }
    }

    // MARK: - Values

    /// `101-120` → (101, 120, width 3); `0101-0120` keeps the leading zero.
    static func numericRange(_ text: String) -> (lower: Int, upper: Int, width: Int)? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false).map { $0.trimmingSpaces() }
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
            let lower = Int(parts[0]), let upper = Int(parts[1]), lower <= upper
        else { return nil }
        return (lower, upper, parts[0].hasPrefix("0") ? parts[0].count : 0)
    }

    static func pad(_ number: Int, width: Int) -> String {
        let digits = String(number)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    /// A mobile number as the dialplan will dial it: an optional `+` then 6 to 15 digits; spaces,
    /// dashes, dots and parentheses are for people and are removed. Nil when it is not one.
    static func dialableMobile(_ text: String) -> String? {
        var digits = ""
        var plus = false
        for (offset, character) in text.enumerated() {
            if character == "+", offset == 0 {
                plus = true
            } else if character.isASCII, character.isNumber {
                digits.append(character)
            } else if !" -.()".contains(character) {
                return nil
            }
        }
        guard (6...15).contains(digits.count) else { return nil }
        return (plus ? "+" : "") + digits
    }

    /// Looks like a crypt(3) hash in the modular format: `$id$[params$]salt$hash`, e.g. `$6$…`
    /// (SHA-512), `$5$` (SHA-256), `$y$` (yescrypt), `$2b$` (bcrypt), `$1$` (MD5).
    static func isCryptHash(_ text: String) -> Bool {
        guard text.hasPrefix("$") else { return false }
        let parts = text.dropFirst().split(separator: "$", omittingEmptySubsequences: false)
        let ids: Set<Substring> = ["1", "2a", "2b", "2x", "2y", "5", "6", "7", "y", "gy", "sha1", "md5"]
        guard parts.count >= 3, let id = parts.first, ids.contains(id), let hash = parts.last, hash.count >= 22 else { return false }
        let alphabet = { (c: Character) in c.isASCII && (c.isLetter || c.isNumber || c == "." || c == "/") }
        return hash.allSatisfy(alphabet) && parts.dropFirst().dropLast().allSatisfy { !$0.isEmpty && !$0.contains(where: \.isWhitespace) }
    }
}
