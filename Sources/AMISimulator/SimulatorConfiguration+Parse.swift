import Foundation

extension SimulatorConfiguration {
    /// Reads the amisim INI file (see `Config/amisim.conf`): `[general]`, `[inbound]`
    /// (`number => queue`), user sections (those with a `secret`, or `type = user`) and queue
    /// sections (every other one, with `member => interface,penalty,name,stateinterface` lines).
    public static func parse(_ text: String) throws(SimulatorConfigError) -> SimulatorConfiguration {
        var config = SimulatorConfiguration()
        var sections: [(name: String, line: Int, entries: [(key: String, value: String, line: Int)])] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = index + 1
            var line = Substring(rawLine)
            if let semicolon = line.firstIndex(of: ";") { line = line[..<semicolon] }
            let trimmed = line.trimmingCharacters(in: .whitespaces.union(CharacterSet(charactersIn: "\r")))
            if trimmed.isEmpty { continue }
            if trimmed.hasPrefix("[") {
                guard let close = trimmed.firstIndex(of: "]") else { throw .syntax(line: lineNumber, text: trimmed) }
                let name = String(trimmed[trimmed.index(after: trimmed.startIndex)..<close])
                sections.append((name, lineNumber, []))
                continue
            }
            guard let equals = trimmed.firstIndex(of: "="), !sections.isEmpty else {
                throw .syntax(line: lineNumber, text: trimmed)
            }
            let key = trimmed[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            var value = trimmed[trimmed.index(after: equals)...]
            if value.hasPrefix(">") { value = value.dropFirst() }  // `member => …`
            sections[sections.count - 1].entries.append((key, value.trimmingCharacters(in: .whitespaces), lineNumber))
        }

        for section in sections {
            let type = section.entries.first { $0.key == "type" }?.value.lowercased()
            switch section.name.lowercased() {
            case "general":
                for entry in section.entries { try config.applyGeneral(entry.key, entry.value, line: entry.line) }
            case "inbound":
                for entry in section.entries { config.inboundNumbers[entry.key] = entry.value }
            default:
                let isUser = type == "user" || (type == nil && section.entries.contains { $0.key == "secret" })
                if isUser {
                    var user = User(username: section.name, secret: "")
                    for entry in section.entries {
                        switch entry.key {
                        case "secret": user.secret = entry.value
                        case "read": user.read = EventClass(list: entry.value)
                        case "write": user.write = EventClass(list: entry.value)
                        default: continue
                        }
                    }
                    config.users.append(user)
                } else {
                    var queue = Queue(name: section.name)
                    for entry in section.entries {
                        switch entry.key {
                        case "strategy": queue.strategy = entry.value
                        case "member": queue.members.append(try member(entry.value, line: entry.line))
                        default: continue
                        }
                    }
                    config.queues.append(queue)
                }
            }
        }
        return config
    }

    /// Reads and parses a file.
    public static func load(path: String) throws(SimulatorConfigError) -> SimulatorConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadable(path: path, reason: "cannot be read")
        }
        return try parse(String(decoding: data, as: UTF8.self))
    }

    private static func member(_ value: String, line: Int) throws(SimulatorConfigError) -> StaticMember {
        let parts = value.split(separator: ",", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        guard let interface = parts.first, !interface.isEmpty else {
            throw .invalidValue(line: line, key: "member", value: value, expected: "interface,penalty,name,stateinterface")
        }
        var penalty = 0
        if parts.count > 1, !parts[1].isEmpty {
            guard let number = Int(parts[1]) else {
                throw .invalidValue(line: line, key: "member", value: parts[1], expected: "a penalty number")
            }
            penalty = number
        }
        let name = parts.count > 2 && !parts[2].isEmpty ? parts[2] : nil
        let state = parts.count > 3 && !parts[3].isEmpty ? parts[3] : nil
        return StaticMember(interface: interface, name: name, penalty: penalty, stateInterface: state)
    }

    private mutating func applyGeneral(_ key: String, _ value: String, line: Int) throws(SimulatorConfigError) {
        func seconds() throws(SimulatorConfigError) -> Duration {
            guard let number = Double(value), number >= 0 else {
                throw .invalidValue(line: line, key: key, value: value, expected: "a number of seconds")
            }
            return .milliseconds(Int64((number * 1000).rounded()))
        }
        func milliseconds() throws(SimulatorConfigError) -> Duration {
            guard let number = Int64(value), number >= 0 else {
                throw .invalidValue(line: line, key: key, value: value, expected: "a number of milliseconds")
            }
            return .milliseconds(number)
        }
        func flag() throws(SimulatorConfigError) -> Bool {
            switch value.lowercased() {
            case "yes", "true", "on", "1": return true
            case "no", "false", "off", "0": return false
            default: throw .invalidValue(line: line, key: key, value: value, expected: "yes or no")
            }
        }
        switch key {
        case "banner_version": bannerVersion = value
        case "write_timeout": writeTimeout = try milliseconds()
        case "auth_failure_delay": authFailureDelay = try milliseconds()
        case "max_pending_output":
            guard let number = Int(value), number > 0 else {
                throw .invalidValue(line: line, key: key, value: value, expected: "a number of bytes")
            }
            maximumPendingOutput = number
        case "persistent_members": persistentMembers = try flag()
        case "ring_time": timings.ringTime = try seconds()
        case "talk_time": timings.talkTime = try seconds()
        case "pstn_ring_time": timings.pstnRingTime = try seconds()
        case "pstn_talk_time": timings.pstnTalkTime = try seconds()
        case "queue_timeout": timings.queueTimeout = try seconds()
        case "retry_time": timings.retryTime = try seconds()
        case "phones_answer": timings.phonesAnswer = try flag()
        case "no_answer":
            for phone in value.split(separator: ",") {
                timings.noAnswer.insert(phone.trimmingCharacters(in: .whitespaces))
            }
        default:
            throw .invalidValue(line: line, key: key, value: value, expected: "a known [general] key")
        }
    }
}
