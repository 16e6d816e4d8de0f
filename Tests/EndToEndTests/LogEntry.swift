import Foundation

/// One line of ccagentd's stdout, read back: `log_format = text` or `json`.
struct LogEntry: CustomStringConvertible {
    var level: String
    var event: String
    var fields: [String: String]
    var line: String

    subscript(key: String) -> String? { fields[key] }

    var description: String { line }

    /// True when every `(key, value)` of `expected` is a field with that value.
    func matches(_ expected: [String: String]) -> Bool {
        expected.allSatisfy { fields[$0.key] == $0.value }
    }

    /// nil for a line that is neither format (a crash message, say).
    init?(_ line: String) {
        self.line = line
        if line.hasPrefix("{") {
            guard let data = line.data(using: .utf8),
                let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                let level = object["level"] as? String, let event = object["event"] as? String
            else { return nil }
            self.level = level
            self.event = event
            var fields: [String: String] = [:]
            for (key, value) in object where key != "level" && key != "event" && key != "ts" {
                fields[key] = Self.text(value)
            }
            self.fields = fields
            return
        }
        // `2026-11-21T10:15:30.123Z info  agent.status_changed agent=dana@example.com from=connected`
        var scanner = TextScanner(Array(line.utf8))
        guard let timestamp = scanner.word(), timestamp.hasSuffix("Z"), let level = scanner.word(),
            let event = scanner.word()
        else { return nil }
        self.level = level
        self.event = event
        var fields: [String: String] = [:]
        while let (key, value) = scanner.field() { fields[key] = value }
        guard scanner.atEnd else { return nil }
        self.fields = fields
    }

    /// A JSON field value as the text format would write it: `true`, not Foundation's `1` for a JSON
    /// boolean (an `NSNumber` of type `c`).
    private static func text(_ value: Any) -> String {
        if let string = value as? String { return string }
        if let number = value as? NSNumber, String(cString: number.objCType) == "c" { return number.boolValue ? "true" : "false" }
        return "\(value)"
    }
}

/// Reads the text format: words separated by spaces, then `key=value` with values either bare or
/// quoted and escaped like a JSON string.
private struct TextScanner {
    let bytes: [UInt8]
    var index = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool {
        mutating get {
            skipSpaces()
            return index == bytes.count
        }
    }

    mutating func skipSpaces() {
        while index < bytes.count, bytes[index] == UInt8(ascii: " ") { index += 1 }
    }

    mutating func word() -> String? {
        skipSpaces()
        let start = index
        while index < bytes.count, bytes[index] != UInt8(ascii: " ") { index += 1 }
        return start == index ? nil : String(decoding: bytes[start..<index], as: UTF8.self)
    }

    mutating func field() -> (String, String)? {
        skipSpaces()
        let start = index
        while index < bytes.count, bytes[index] != UInt8(ascii: "="), bytes[index] != UInt8(ascii: " ") { index += 1 }
        guard index < bytes.count, bytes[index] == UInt8(ascii: "="), index > start else { return nil }
        let key = String(decoding: bytes[start..<index], as: UTF8.self)
        index += 1
        if index < bytes.count, bytes[index] == UInt8(ascii: "\"") {
            // A quoted value is a JSON string: let the JSON reader unescape it.
            let open = index
            index += 1
            while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1
            }
            guard index < bytes.count else { return nil }
            index += 1
            let quoted = Data(bytes[open..<index])
            guard let value = try? JSONSerialization.jsonObject(with: quoted, options: .fragmentsAllowed) as? String else {
                return nil
            }
            return (key, value)
        }
        let valueStart = index
        while index < bytes.count, bytes[index] != UInt8(ascii: " ") { index += 1 }
        return (key, String(decoding: bytes[valueStart..<index], as: UTF8.self))
    }
}
