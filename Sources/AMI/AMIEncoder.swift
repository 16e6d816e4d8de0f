/// Encodes actions for the wire, refusing what Asterisk would mangle or what could inject a
/// second action.
public enum AMIEncoder {
    /// Asterisk reads a line into a 1025-byte buffer and silently drops one whose CRLF does not
    /// fit in the first 1024 bytes (manager.c `get_input`).
    public static let maximumLineLength = 1024
    /// Asterisk keeps the first 128 header lines of an action and ignores the rest
    /// (`AST_MAX_MANHEADERS`).
    public static let maximumHeaderLines = 128

    /// The bytes of `Action: name`, `ActionID: id` (when given), the headers, and the blank line.
    public static func encode(_ action: AMIAction, actionID: String?) throws(AMIError) -> [UInt8] {
        var lines: [(String, String)] = [("Action", action.name)]
        if let actionID { lines.append(("ActionID", actionID)) }
        lines += action.headers
        return try encode(lines)
    }

    /// Encodes any header list, checked as for an action (the simulator has its own encoder, `WireEncoding`).
    public static func encode(_ lines: [(String, String)]) throws(AMIError) -> [UInt8] {
        guard lines.count <= maximumHeaderLines else {
            throw .tooManyLines(count: lines.count, limit: maximumHeaderLines)
        }
        var out: [UInt8] = []
        out.reserveCapacity(lines.reduce(2) { $0 + $1.0.utf8.count + $1.1.utf8.count + 4 })
        for (key, value) in lines {
            try validate(key: key, value: value)
            out.append(contentsOf: key.utf8)
            out.append(UInt8(ascii: ":"))
            out.append(UInt8(ascii: " "))
            out.append(contentsOf: value.utf8)
            out.append(UInt8(ascii: "\r"))
            out.append(UInt8(ascii: "\n"))
        }
        out.append(UInt8(ascii: "\r"))
        out.append(UInt8(ascii: "\n"))
        return out
    }

    static func validate(key: String, value: String) throws(AMIError) {
        guard !key.isEmpty else { throw .invalidCharacter(key: key, reason: "the header name is empty") }
        for byte in key.utf8 {
            switch byte {
            case 0x0D, 0x0A: throw .invalidCharacter(key: key, reason: "the header name contains a line break")
            case UInt8(ascii: ":"): throw .invalidCharacter(key: key, reason: "the header name contains ':'")
            case 0x20, 0x09: throw .invalidCharacter(key: key, reason: "the header name contains white space")
            case 0x00: throw .invalidCharacter(key: key, reason: "the header name contains a NUL byte")
            default: continue
            }
        }
        for byte in value.utf8 {
            switch byte {
            case 0x0D, 0x0A:
                throw .invalidCharacter(key: key, reason: "its value contains a line break, which would start another header or action")
            case 0x00:
                throw .invalidCharacter(key: key, reason: "its value contains a NUL byte, where Asterisk would cut it")
            default: continue
            }
        }
        let length = key.utf8.count + 2 + value.utf8.count + 2
        guard length <= maximumLineLength else {
            throw .lineTooLong(key: key, length: length, limit: maximumLineLength)
        }
    }
}
