/// JSON string escaping (RFC 8259), the one used for API answers, events and log lines: `"`, `\`
/// and every control character (DEL too) escaped, and U+2028 / U+2029, which JavaScript source
/// and some log viewers take as line ends; everything else is written as UTF-8.
public enum JSONString {
    /// The escaped contents, without the surrounding quotes.
    public static func escape(_ string: String) -> String {
        var bytes: [UInt8] = []
        appendEscaped(string, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `"` + escaped contents + `"`.
    public static func quoted(_ string: String) -> String {
        var bytes: [UInt8] = []
        appendQuoted(string, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    public static func appendQuoted(_ string: String, to bytes: inout [UInt8]) {
        bytes.append(0x22)
        appendEscaped(string, to: &bytes)
        bytes.append(0x22)
    }

    public static func appendEscaped(_ string: String, to bytes: inout [UInt8]) {
        var string = string
        string.withUTF8 { appendEscaped($0, to: &bytes) }
    }

    /// Appends UTF-8 `utf8` escaped; runs that need no escape (nearly everything: logins, names,
    /// statuses) go in one copy.
    public static func appendEscaped(_ utf8: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        var runStart = 0
        var i = 0
        while i < utf8.count {
            let byte = utf8[i]
            let escape: StaticString?
            var width = 1
            switch byte {
            case 0x22: escape = #"\""#
            case 0x5C: escape = #"\\"#
            case 0x0A: escape = #"\n"#
            case 0x0D: escape = #"\r"#
            case 0x09: escape = #"\t"#
            case 0x08: escape = #"\b"#
            case 0x0C: escape = #"\f"#
            case 0x00..<0x20, 0x7F: escape = nil
            case 0xE2 where i + 2 < utf8.count && utf8[i + 1] == 0x80 && (utf8[i + 2] == 0xA8 || utf8[i + 2] == 0xA9):
                escape = utf8[i + 2] == 0xA8 ? #"\u2028"# : #"\u2029"#
                width = 3
            default:
                i += 1
                continue
            }
            if runStart < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<i])) }
            if let escape {
                escape.withUTF8Buffer { out.append(contentsOf: $0) }
            } else {
                out.append(contentsOf: #"\u00"#.utf8)
                out.append(hexDigit(byte >> 4))
                out.append(hexDigit(byte & 0x0F))
            }
            i += width
            runStart = i
        }
        if runStart < utf8.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...])) }
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 { nibble < 10 ? 0x30 + nibble : 0x61 + nibble - 10 }
}
