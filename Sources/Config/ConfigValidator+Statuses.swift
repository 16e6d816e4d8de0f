import AgentCore

extension ConfigValidator {
    mutating func validateStatuses() -> [StatusID: StatusDefinition] {
        var statuses = CoreConfiguration.builtInStatuses
        let sections = (byType[.status] ?? []).filter { section in
            guard Self.isIdentifier(section.name), section.name != "last" else {
                errors.append(error(.notAllowed("\"\(section.name)\" cannot be a status name: use letters, digits, - and _ (and not \"last\")"), section))
                return false
            }
            return true
        }
        let names = StatusID.builtIns.map(\.rawValue) + sections.map(\.name).filter { !StatusID($0).isBuiltIn }
        var defaultStatus: String?
        for section in sections {
            let id = StatusID(section.name)
            var status = statuses[id] ?? StatusDefinition(id: id, label: section.name, activatesSkills: false)
            if let label = string(section, "label") { status.label = label.value }
            if let color = string(section, "color") {
                if Self.isColor(color.value) {
                    status.color = color.value.lowercased()
                } else {
                    errors.append(error(.invalidValue(color.value, expected: "a colour #rrggbb, e.g. #f0a020"), section, color.entry))
                }
            }
            if id.isBuiltIn {
                validateBuiltIn(section, &status, names: names)
            } else {
                validateCustom(section, &status, names: names, defaultStatus: &defaultStatus)
            }
            statuses[id] = status
        }
        checkTimeoutLoops(statuses, sections: sections)
        return statuses
    }

    private mutating func validateBuiltIn(_ section: INISection, _ status: inout StatusDefinition, names: [String]) {
        var allowed: Set<String> = ["type", "label", "color"]
        if status.id.isCall { allowed.insert("on_hangup") }
        for entry in section.entries where !allowed.contains(entry.key) && SectionType.status.keys.contains(entry.key) {
            errors.append(error(.builtInRedefined(status: section.name, key: entry.key), section, entry))
        }
        if status.id.isCall, let entry = section.last("on_hangup") {
            if entry.value.lowercased() == "last" {
                status.onHangup = .last
            } else if let target = statusReference(entry, in: section, names: names) {
                status.onHangup = .status(target)
            }
        }
    }

    private mutating func validateCustom(_ section: INISection, _ status: inout StatusDefinition, names: [String], defaultStatus: inout String?) {
        if let activates = bool(section, "activate_skills") { status.activatesSkills = activates }
        let timeout = integer(section, "timeout", in: 1...86_400, unit: " seconds")
        status.timeout = timeout.map { .seconds($0) }
        if let entry = section.last("timeout_goto") {
            status.timeoutGoto = statusReference(entry, in: section, names: names)
            if section.last("timeout") == nil {
                errors.append(error(.missingKey("timeout", reason: "timeout_goto needs timeout = <seconds>"), section, entry))
            }
        } else if let entry = section.last("timeout") {
            errors.append(error(.missingKey("timeout_goto", reason: "timeout needs the status to go to when it expires"), section, entry))
        }
        if let isDefault = bool(section, "default"), isDefault {
            if let first = defaultStatus, let entry = section.last("default") {
                errors.append(error(.multipleDefaults(first: first), section, entry))
            } else {
                defaultStatus = section.name
                status.isDefault = true
            }
        }
        if let maximum = integer(section, "max_agents", in: 1...100_000) { status.maxAgents = maximum }
        if let overLimit = choice(section, "over_limit", among: [StatusDefinition.OverLimit.warn, .deny]) {
            status.overLimit = overLimit
            if let entry = section.last("over_limit"), section.last("max_agents") == nil {
                errors.append(error(.missingKey("max_agents", reason: "over_limit has no effect without max_agents"), section, entry))
            }
        }
        if let entry = section.last("on_hangup") {
            errors.append(error(.notAllowed("on_hangup is only for the built-in statuses incoming_call and outgoing_call"), section, entry))
        }
    }

    /// A status named by `entry`: known, and not a call status (nobody times out or hangs up into a call).
    private mutating func statusReference(_ entry: INIEntry, in section: INISection, names: [String]) -> StatusID? {
        let id = StatusID(entry.value)
        guard names.contains(entry.value) else {
            let suggestion = Suggestion.closest(to: entry.value, among: names)
            errors.append(error(.unknownReference(.status, entry.value, suggestion: suggestion), section, entry))
            return nil
        }
        if id.isCall {
            errors.append(error(.notAllowed("cannot go to the call status \"\(entry.value)\": only a call puts an agent there"), section, entry))
            return nil
        }
        return id
    }

    /// `a` times out to `b`, `b` to `a`: an agent would go round for ever.
    private mutating func checkTimeoutLoops(_ statuses: [StatusID: StatusDefinition], sections: [INISection]) {
        let order = sections.map { StatusID($0.name) }
        var done: Set<StatusID> = []
        for start in order where !done.contains(start) {
            var path: [StatusID] = []
            var current: StatusID? = start
            while let id = current, !done.contains(id) {
                if let index = path.firstIndex(of: id) {
                    // Report the cycle starting from the status written first in the file.
                    let cycle = Array(path[index...])
                    let first = cycle.min { (order.firstIndex(of: $0) ?? 0) < (order.firstIndex(of: $1) ?? 0) } ?? id
                    let rotation = cycle.firstIndex(of: first) ?? 0
                    let rotated = Array(cycle[rotation...] + cycle[..<rotation])
                    if let section = sections.first(where: { $0.name == first.rawValue }), let entry = section.last("timeout_goto") {
                        errors.append(error(.timeoutLoop(cycle: (rotated + [first]).map(\.rawValue)), section, entry))
                    }
                    break
                }
                path.append(id)
                guard let status = statuses[id], status.timeout != nil else { break }
                current = status.timeoutGoto
            }
            done.formUnion(path)
        }
    }

    static func isColor(_ text: String) -> Bool {
        text.count == 7 && text.hasPrefix("#") && text.dropFirst().allSatisfy(\.isHexDigit)
    }
}
