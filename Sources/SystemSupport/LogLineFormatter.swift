/// Turns a `LogRecord` into exactly one line of UTF-8 bytes, newline included. Pure: no I/O, no clock;
/// the time comes in as epoch seconds and milliseconds.
///
/// JSON (`log_format = json`, the default): one object per line, keys in the order `ts`, `level`,
/// `event`, then the fields in their order:
///
///     {"ts":"2026-11-21T10:15:30.123Z","level":"info","event":"agent.status_changed","agent":"dana@example.com"}
///
/// - A value is written as its `LogValue` type says: `.int` and `.double` as JSON numbers
///   (`"latency_ms":12`, `"ratio":0.25`), `.bool` as `true`/`false`, `.string` always as a JSON string,
///   even when it looks like a number (`"action_id":"17"`). A `.double` that is NaN or infinite, which
///   JSON has no number for, is written as the string `"nan"`, `"inf"` or `"-inf"`.
/// - A field named `ts`, `level` or `event` is written as `field_ts`, `field_level`, `field_event` so
///   it cannot shadow the record's own keys.
/// - Strings are escaped per RFC 8259: `\"`, `\\`, `\n`, `\r`, `\t`, `\b`, `\f`, other control
///   characters and DEL as `\u00XX`; U+2028 and U+2029 as `\u2028`/`\u2029` (JavaScript-based readers
///   treat them as line ends). Everything else, Hebrew and emoji included, is written as UTF-8.
///
/// Text (`log_format = text`), for people:
///
///     2026-11-21T10:15:30.123Z info  agent.status_changed agent=dana@example.com from=connected to=break
///
/// - The level is padded to five columns so events line up for the common levels.
/// - Numbers and booleans are written bare (`agents=0`, `restarted=false`). A string is written bare
///   unless it is empty or contains a space, `=`, `"`, `\`, a control character, DEL or U+2028/U+2029;
///   then it is quoted and escaped exactly like a JSON string (`cause="a \"b\"\n"`), so a record is
///   always one line and a quoted value reads back with any JSON string parser.
/// - Keys and the event name are code constants; in them a space, `=`, `"` or control character
///   becomes `_` rather than breaking the line.
///
/// Both formats: a field whose key is, ignoring case, `secret`, `password`, `password_hash`, `key` or
/// `token` is written as `***`. Callers must never log such values in the first place; this is defence
/// in depth, because the AMI secret and the agents' password hashes must never reach a log (journald
/// keeps logs for months and ships them to people who are not supposed to hold credentials).
public struct LogLineFormatter: Sendable {
    public let format: LineLogSink.Format

    public init(format: LineLogSink.Format) {
        self.format = format
    }

    /// The record as one line, `\n` included. `milliseconds` is clamped to `0...999`.
    public func line(for record: LogRecord, seconds: Int, milliseconds: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(96 + record.fields.count * 24)
        switch format {
        case .json: Self.appendJSON(record, seconds: seconds, milliseconds: milliseconds, to: &out)
        case .text: Self.appendText(record, seconds: seconds, milliseconds: milliseconds, to: &out)
        }
        out.append(.newline)
        return out
    }

    /// The value a redacted field is written with.
    public static let redacted = "***"

    /// Whether a field with this key is always written as `***` (case-insensitive).
    public static func isRedacted(key: String) -> Bool {
        switch key.utf8.count {
        case 3, 5, 6, 8, 13: break  // key, token, secret, password, password_hash
        default: return false  // most keys: no lowercased copy
        }
        switch key.lowercased() {
        case "secret", "password", "password_hash", "key", "token": return true
        default: return false
        }
    }

    // MARK: - JSON

    private static func appendJSON(_ record: LogRecord, seconds: Int, milliseconds: Int, to out: inout [UInt8]) {
        out.append(contentsOf: #"{"ts":""#.utf8)
        appendTimestamp(seconds: seconds, milliseconds: milliseconds, to: &out)
        out.append(contentsOf: #"","level":""#.utf8)
        out.append(contentsOf: record.level.description.utf8)
        out.append(contentsOf: #"","event":"#.utf8)
        appendJSONString(record.event, to: &out)
        for (key, value) in record.fields {
            out.append(.comma)
            switch key {
            case "ts", "level", "event": appendJSONString("field_" + key, to: &out)
            default: appendJSONString(key, to: &out)
            }
            out.append(.colon)
            if isRedacted(key: key) {
                appendJSONString(redacted, to: &out)
                continue
            }
            switch value {
            case .string(let text): appendJSONString(text, to: &out)
            case .int(let number): appendInteger(number, to: &out)
            case .double(let number) where number.isFinite: out.append(contentsOf: number.description.utf8)
            case .double(let number): appendJSONString(number.description, to: &out)
            case .bool(let flag): appendBool(flag, to: &out)
            }
        }
        out.append(.closeBrace)
    }

    /// `value` as a quoted JSON string.
    static func appendJSONString(_ value: String, to out: inout [UInt8]) {
        JSONString.appendQuoted(value, to: &out)
    }

    /// `value` in decimal, written digit by digit rather than through a `String`.
    private static func appendInteger(_ value: Int, to out: inout [UInt8]) {
        if value < 0 { out.append(.hyphen) }
        var magnitude = value.magnitude  // Int.min included
        var divisor: UInt = 1
        while divisor <= magnitude / 10 { divisor *= 10 }
        repeat {
            out.append(0x30 + UInt8(magnitude / divisor))
            magnitude %= divisor
            divisor /= 10
        } while divisor > 0
    }

    private static func appendBool(_ value: Bool, to out: inout [UInt8]) {
        (value ? "true" as StaticString : "false").withUTF8Buffer { out.append(contentsOf: $0) }
    }

    // MARK: - Text

    private static func appendText(_ record: LogRecord, seconds: Int, milliseconds: Int, to out: inout [UInt8]) {
        appendTimestamp(seconds: seconds, milliseconds: milliseconds, to: &out)
        out.append(.space)
        let level = record.level.description.utf8
        out.append(contentsOf: level)
        for _ in level.count..<max(level.count, 5) { out.append(.space) }
        out.append(.space)
        appendBare(record.event.isEmpty ? "-" : record.event, to: &out)
        for (key, value) in record.fields {
            out.append(.space)
            appendBare(key, to: &out)
            out.append(.equals)
            if isRedacted(key: key) {
                appendTextValue(redacted, to: &out)
                continue
            }
            switch value {
            case .string(let text): appendTextValue(text, to: &out)
            case .int(let number): appendInteger(number, to: &out)
            case .double(let number): out.append(contentsOf: number.description.utf8)  // digits, `.`, `e`, `+`, `-`, nan, inf
            case .bool(let flag): appendBool(flag, to: &out)
            }
        }
    }

    /// A key or event name, with anything that would break the `key=value` line replaced by `_`.
    private static func appendBare(_ name: String, to out: inout [UInt8]) {
        for byte in name.utf8 {
            switch byte {
            case 0x00...0x20, 0x7F, .equals, .quote: out.append(.underscore)
            default: out.append(byte)
            }
        }
    }

    private static func appendTextValue(_ value: String, to out: inout [UInt8]) {
        var value = value
        value.withUTF8 { bytes in
            if needsQuoting(bytes) {
                out.append(.quote)
                JSONString.appendEscaped(bytes, to: &out)
                out.append(.quote)
            } else {
                out.append(contentsOf: bytes)
            }
        }
    }

    private static func needsQuoting(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        if bytes.isEmpty { return true }
        for i in bytes.indices {
            switch bytes[i] {
            case 0x00...0x20, 0x7F, .equals, .quote, .backslash: return true
            case 0xE2 where i + 2 < bytes.count && bytes[i + 1] == 0x80 && (bytes[i + 2] == 0xA8 || bytes[i + 2] == 0xA9):
                return true
            default: continue
            }
        }
        return false
    }

    // MARK: - Time

    /// RFC 3339 in UTC with milliseconds: `2026-11-21T10:15:30.123Z`.
    public static func timestamp(millisecondsSince1970 value: Int64) -> String {
        let (seconds, milliseconds) = floorDivide(Int(value), 1000)
        return timestamp(seconds: seconds, milliseconds: milliseconds)
    }

    /// RFC 3339 in UTC with milliseconds: `2026-11-21T10:15:30.123Z`.
    static func timestamp(seconds: Int, milliseconds: Int) -> String {
        var out: [UInt8] = []
        appendTimestamp(seconds: seconds, milliseconds: milliseconds, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// The civil date from the epoch without a formatter or calendar (`CivilDate`).
    static func appendTimestamp(seconds: Int, milliseconds: Int, to out: inout [UInt8]) {
        let (days, secondOfDay) = floorDivide(seconds, 86_400)
        let date = CivilDate(daysSince1970: days)
        let (year, month, day) = (date.year, date.month, date.day)

        if (0...9999).contains(year) {
            appendDigits(year, count: 4, to: &out)
        } else {
            out.append(contentsOf: String(year).utf8)  // not RFC 3339, but still readable and sortable enough
        }
        out.append(.hyphen)
        appendDigits(month, count: 2, to: &out)
        out.append(.hyphen)
        appendDigits(day, count: 2, to: &out)
        out.append(0x54)  // T
        appendDigits(secondOfDay / 3600, count: 2, to: &out)
        out.append(.colon)
        appendDigits(secondOfDay / 60 % 60, count: 2, to: &out)
        out.append(.colon)
        appendDigits(secondOfDay % 60, count: 2, to: &out)
        out.append(.period)
        appendDigits(min(max(milliseconds, 0), 999), count: 3, to: &out)
        out.append(0x5A)  // Z
    }

    private static func floorDivide(_ a: Int, _ b: Int) -> (quotient: Int, remainder: Int) {
        let (q, r) = a.quotientAndRemainder(dividingBy: b)
        return r < 0 ? (q - 1, r + b) : (q, r)
    }

    /// `value` (non-negative, fewer than `count` + 1 digits) zero-padded to `count` digits.
    private static func appendDigits(_ value: Int, count: Int, to out: inout [UInt8]) {
        var divisor = 1
        for _ in 1..<count { divisor *= 10 }
        var value = value
        while divisor > 0 {
            out.append(0x30 + UInt8(value / divisor))
            value %= divisor
            divisor /= 10
        }
    }
}

extension UInt8 {
    fileprivate static let tab: UInt8 = 0x09
    fileprivate static let newline: UInt8 = 0x0A
    fileprivate static let carriageReturn: UInt8 = 0x0D
    fileprivate static let space: UInt8 = 0x20
    fileprivate static let quote: UInt8 = 0x22
    fileprivate static let comma: UInt8 = 0x2C
    fileprivate static let hyphen: UInt8 = 0x2D
    fileprivate static let period: UInt8 = 0x2E
    fileprivate static let colon: UInt8 = 0x3A
    fileprivate static let equals: UInt8 = 0x3D
    fileprivate static let backslash: UInt8 = 0x5C
    fileprivate static let underscore: UInt8 = 0x5F
    fileprivate static let closeBrace: UInt8 = 0x7D
}
