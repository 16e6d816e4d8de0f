/// Control bytes in values: Asterisk's manager protocol cannot carry CR, LF or NUL (the AMI
/// encoder refuses them, so the agent would silently never join a queue), and ESC or the like
/// would act on a terminal showing a log. A tab is harmless and allowed; nothing else below
/// space, and not DEL. Refused when the file is read, so `check-config` says so.
enum ControlByte {
    /// Words in keys whose values are never repeated in a message.
    static let secretWords = ["password", "secret"]

    /// What is wrong with `value` of `key`, or nil when it holds no control byte.
    static func problem(in key: String, _ value: String) -> ConfigError.Kind? {
        var position = 0
        for scalar in value.unicodeScalars {
            position += 1
            guard isRefused(scalar.value) else { continue }
            let lowered = key.lowercased()
            let secret = secretWords.contains { lowered.contains($0) }
            return .controlCharacter(value: secret ? nil : value, byte: UInt8(scalar.value), position: position)
        }
        return nil
    }

    static func isRefused(_ value: UInt32) -> Bool { (value < 0x20 && value != 0x09) || value == 0x7F }
}
