import Foundation
import Testing
@testable import SystemSupport

/// The line for one field `v`, in `format`, without its newline.
private func line(_ value: LogValue, _ format: LineLogSink.Format, key: String = "v") -> String {
    let record = LogRecord(level: .info, event: "e", fields: [(key, value)])
    let bytes = LogLineFormatter(format: format).line(for: record, seconds: 0, milliseconds: 0)
    return String(decoding: bytes.dropLast(), as: UTF8.self)
}

/// What follows `"v":` in the JSON line.
private func jsonValue(_ value: LogValue) -> String {
    let json = line(value, .json)
    let prefix = #"{"ts":"1970-01-01T00:00:00.000Z","level":"info","event":"e","v":"#
    #expect(json.hasPrefix(prefix) && json.hasSuffix("}"), "\(json)")
    return String(json.dropFirst(prefix.count).dropLast())
}

/// What follows `v=` in the text line.
private func textValue(_ value: LogValue) -> String {
    let text = line(value, .text)
    let prefix = "1970-01-01T00:00:00.000Z info  e v="
    #expect(text.hasPrefix(prefix), "\(text)")
    return String(text.dropFirst(prefix.count))
}

/// The parsed JSON value of `v`, the way a log reader sees it.
private func parsed(_ value: LogValue) throws -> Any {
    let object = try JSONSerialization.jsonObject(with: Data(line(value, .json).utf8))
    return try #require((object as? [String: Any])?["v"])
}

/// JSON booleans arrive as an `NSNumber` whose type is `c` (char); numbers have another type.
private func isJSONBoolean(_ value: Any) -> Bool {
    guard let number = value as? NSNumber else { return false }
    return String(cString: number.objCType) == "c"
}

@Suite struct LogValueTests {
    @Test(arguments: [
        (LogValue.int(0), "0", "0"),
        (.int(7), "7", "7"),
        (.int(-42), "-42", "-42"),
        (.int(1_000_000), "1000000", "1000000"),
        (.int(Int.max), "9223372036854775807", "9223372036854775807"),
        (.int(Int.min), "-9223372036854775808", "-9223372036854775808"),
        (.bool(true), "true", "true"),
        (.bool(false), "false", "false"),
        (.double(0.25), "0.25", "0.25"),
        (.double(-3), "-3.0", "-3.0"),
        (.double(1e20), "1e+20", "1e+20"),
        (.double(-1.5e-7), "-1.5e-07", "-1.5e-07"),
        (.double(.nan), #""nan""#, "nan"),
        (.double(.infinity), #""inf""#, "inf"),
        (.double(-.infinity), #""-inf""#, "-inf"),
        (.string("dana"), #""dana""#, "dana"),
        (.string("0"), #""0""#, "0"),
        (.string("007"), #""007""#, "007"),
        (.string("-3"), #""-3""#, "-3"),
        (.string("1.5"), #""1.5""#, "1.5"),
        (.string("true"), #""true""#, "true"),
        (.string(""), #""""#, #""""#),
    ])
    func rendersAsItsType(value: LogValue, json: String, text: String) {
        #expect(jsonValue(value) == json)
        #expect(textValue(value) == text)
    }

    @Test func jsonReadersSeeNumbersBooleansAndStrings() throws {
        let agents = try parsed(.int(0))
        #expect(agents as? Int == 0 && !isJSONBoolean(agents))
        #expect(try parsed(.int(-17)) as? Int == -17)
        #expect(try parsed(.double(0.25)) as? Double == 0.25)
        let ok = try parsed(.bool(true))
        #expect(isJSONBoolean(ok) && ok as? Bool == true)
        #expect(isJSONBoolean(try parsed(.bool(false))))
        for text in ["0", "17", "-3", "1.5", "true", "null"] {
            #expect(try parsed(.string(text)) as? String == text, "\(text)")
        }
        #expect(try parsed(.double(.nan)) as? String == "nan")
    }

    /// The digit loop against Swift's own `String(_:)`, over a fixed pseudo-random spread of magnitudes.
    @Test func integersMatchTheStandardLibrary() {
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        for round in 0..<4000 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            let number = Int(truncatingIfNeeded: state) >> (round % 64)  // every length of number, both signs
            #expect(jsonValue(.int(number)) == String(number))
            #expect(textValue(.int(number)) == String(number))
        }
        for edge in [9, 10, 99, 100, 999_999_999_999_999_999, 1_000_000_000_000_000_000, -10, -1] {
            #expect(jsonValue(.int(edge)) == String(edge))
        }
    }

    @Test func literalsPickTheType() {
        let count = 3
        let name = "dana"
        let fields: [(String, LogValue)] = [
            ("agents", 0), ("ok", true), ("reason", "timeout"), ("who", "\(name)/\(count)"), ("n", .int(count)),
        ]
        #expect(fields.map(\.1) == [.int(0), .bool(true), .string("timeout"), .string("dana/3"), .int(3)])
    }

    @Test func recordSubscriptGivesTheValueAsText() {
        let record = LogRecord(
            level: .info, event: "daemon.started",
            fields: [("agents", 0), ("ok", false), ("database", "/var/lib/x.db"), ("ratio", .double(0.5)), ("agents", 9)])
        #expect(record["agents"] == "0")  // the first one
        #expect(record["ok"] == "false")
        #expect(record["database"] == "/var/lib/x.db")
        #expect(record["ratio"] == "0.5")
        #expect(record["missing"] == nil)
        #expect(record.value(of: "agents") == .int(0))
        #expect(record.value(of: "ok") == .bool(false))
    }

    @Test(arguments: [LineLogSink.Format.json, .text])
    func typedSecretsAreRedactedToo(format: LineLogSink.Format) {
        for value: LogValue in [.int(1234), .bool(true), .double(98.6), .string("hunter2")] {
            let output = line(value, format, key: "Password")
            #expect(output.hasSuffix(format == .json ? #""Password":"***"}"# : "Password=***"), "\(output)")
            #expect(!output.contains(value.description))
        }
    }
}
