import AgentCore

/// The shapes of what Asterisk dials (`interface`) and watches (`state_interface`), as its queues
/// read them.
enum DeviceName: Equatable {
    /// `Technology/resource`: a channel driver's device, which a queue can dial and whose state
    /// Asterisk knows (`PJSIP/101`, `SIP/101`, `IAX2/101`, `DAHDI/1`, `Local/101@from-queue/n`).
    case channel
    /// `hint:exten[@context]`: app_queue follows the dialplan hint (FreePBX's queue members).
    case hint
    /// `Provider:name`: a device-state provider (`Custom:`, `Queue:`, `Park:`, `Calendar:`,
    /// `MeetMe:`, `confbridge:`, …), looked up by name in any case.
    case provider

    /// Asterisk keeps a member's interface and state interface in 80 bytes (`AST_CHANNEL_NAME`,
    /// the last one for the NUL) and silently cuts what is longer.
    static let maximumLength = 79

    /// The shape of `text`, or nil when Asterisk could not use it: empty, too long, with spaces,
    /// control characters or commas, without a technology or provider before `/` or `:`, or with
    /// nothing after it.
    init?(_ text: String) {
        guard !text.isEmpty, text.utf8.count <= Self.maximumLength else { return nil }
        guard !text.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F || $0 == "," })
        else { return nil }
        let prefixEnd = text.firstIndex { !($0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_")) } ?? text.endIndex
        guard prefixEnd != text.startIndex, prefixEnd != text.endIndex, text.index(after: prefixEnd) != text.endIndex else { return nil }
        switch text[prefixEnd] {
        case "/":
            self = .channel
        case ":" where text.hasPrefix("hint:"):
            // app_queue reads the extension up to "@"; without one there is nothing to follow.
            guard text.dropFirst("hint:".count).first != "@" else { return nil }
            self = .hint
        case ":":
            self = .provider
        default:
            return nil
        }
    }

    /// `Hint:101`: app_queue reads `hint:` only in lower case; Asterisk would look for a provider
    /// named "Hint" and find none.
    static func isMiscasedHint(_ text: String) -> Bool {
        text.utf8.count > 5 && text.prefix(5).lowercased() == "hint:" && !text.hasPrefix("hint:")
    }
}

extension ConfigValidator {
    static let interfaceExamples = "PJSIP/101, SIP/101, IAX2/101, DAHDI/1 or Local/101@from-queue/n"
    static let stateInterfaceForms =
        "Technology/resource (PJSIP/101, SIP/101, IAX2/101, DAHDI/1, Local/101@from-queue/n), hint:exten@context (hint:101@ext-local) "
        + "or Provider:name (Custom:agent101, Queue:sales_avail, Park:701@parkedcalls, Calendar:…, MeetMe:…, confbridge:…)"

    /// `Technology/resource`, no spaces: `PJSIP/101`, `SIP/agent-1`, `Local/101@agents/n`.
    static func isInterface(_ text: String) -> Bool { DeviceName(text) == .channel }

    /// `interface` (what the queue dials) or `state_interface` (what Asterisk watches for the
    /// member's state) of an extension; nil after recording why it cannot be used.
    mutating func deviceName(_ section: INISection, _ entry: INIEntry) -> Interface? {
        let value = entry.value
        let isState = entry.key == "state_interface"
        guard !value.isEmpty else {
            errors.append(error(.notAllowed("no value after =; give one or remove the line"), section, entry))
            return nil
        }
        if value.utf8.count > DeviceName.maximumLength {
            errors.append(error(.notAllowed(
                "\"\(value)\" is \(value.utf8.count) characters; Asterisk keeps \(DeviceName.maximumLength) of a queue member's \(isState ? "state interface" : "interface") and cuts the rest"),
                section, entry))
            return nil
        }
        if DeviceName.isMiscasedHint(value) {
            errors.append(error(.notAllowed(
                "write \"hint:\(value.dropFirst(5))\": Asterisk's queues read hint: only in lower case"), section, entry))
            return nil
        }
        switch (DeviceName(value), isState) {
        case (.channel, _), (.hint, true), (.provider, true):
            return Interface(value)
        case (.hint, false), (.provider, false):
            errors.append(error(.notAllowed(
                "\"\(value)\" is a device state, not something a queue can dial; give it as state_interface and the phone as interface (\(Self.interfaceExamples))"),
                section, entry))
        case (nil, false):
            errors.append(error(.invalidValue(value, expected: "an Asterisk interface Technology/resource like \(Self.interfaceExamples)"), section, entry))
        case (nil, true):
            errors.append(error(.invalidValue(value, expected: "a device state Asterisk can watch: \(Self.stateInterfaceForms)"), section, entry))
        }
        return nil
    }
}
