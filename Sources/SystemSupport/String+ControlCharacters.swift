extension String {
    /// The text with its control characters written as visible escapes, for text that came from a
    /// file or the network and goes to a terminal: a raw ESC or `\r` could recolour, overwrite or
    /// forge what the reader sees.
    ///
    /// `\t`, `\n`, `\r`; other C0 controls and DEL as two hex digits (`\x00`, `\x1b`, `\x7f`), one
    /// byte each in the file; C1 controls (U+0080…U+009F, two bytes in UTF-8) as `\u{9b}`.
    /// Everything else, backslashes included, is left as it is: this is for reading, not for
    /// parsing back. Text without control characters is returned as it is, without a copy.
    public var escapingControlCharacters: String {
        guard unicodeScalars.contains(where: Self.isControl) else { return self }
        var out = ""
        out.reserveCapacity(utf8.count + 16)
        for scalar in unicodeScalars {
            guard Self.isControl(scalar) else {
                out.unicodeScalars.append(scalar)
                continue
            }
            switch scalar.value {
            case 0x09: out += "\\t"
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x80...: out += "\\u{" + Self.hex(scalar.value) + "}"
            default: out += "\\x" + Self.hex(scalar.value)
            }
        }
        return out
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    /// Two lowercase hex digits.
    private static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return digits.count < 2 ? "0" + digits : digits
    }
}
