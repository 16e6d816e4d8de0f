import Testing
import TestSupport
import ControlPort
@testable import ControlAPI
@testable import Crypt
@testable import HTTPServing
@testable import HTTPWire

@Suite struct JSONTests {
    static func text(_ value: JSONValue) -> String { String(decoding: value.serialized(), as: UTF8.self) }

    @Test func writesCompactJSONInMemberOrder() {
        let value: JSONValue = [
            "agents": [["id": "1001", "paused": true, "penalty": 2, "since": .null], ["id": "1002", "paused": false, "load": 0.25]],
            "count": 2,
        ]
        #expect(
            Self.text(value)
                == #"{"agents":[{"id":"1001","paused":true,"penalty":2,"since":null},{"id":"1002","paused":false,"load":0.25}],"count":2}"#)
        #expect(Self.text([]) == "[]")
        #expect(Self.text([:]) == "{}")
        #expect(Self.text(.integer(Int.min)) == "-9223372036854775808")
    }

    @Test func numbers() {
        #expect(Self.text(.number(1.5)) == "1.5")
        #expect(Self.text(.number(1)) == "1.0")
        #expect(Self.text(.number(-0.0)) == "-0.0")
        #expect(Self.text(.number(1e300)) == "1e+300")
        #expect(Self.text(.number(.leastNonzeroMagnitude)) == "5e-324")
        #expect(Self.text(.number(.nan)) == "null")
        #expect(Self.text(.number(-.infinity)) == "null")
    }

    @Test func everyControlCharacterRoundTrips() throws {
        let all = String(String.UnicodeScalarView((0..<0x80).compactMap(Unicode.Scalar.init))) + "é€😀\u{10FFFF}"
        #expect(try JSONValue.parse(JSONValue.string(all).serialized()) == .string(all))
    }

    static let roundTrips: [JSONValue] = [
        .null, true, false, 0, -1, .integer(Int.max), .integer(Int.min), 0.5, -2.5e-8, 1e300, "", "x", "\u{0}",
        [], [:], [[[]]], ["a": ["b": ["c": [1, "2", .null, false]]]], ["": "", " ": " "],
    ]

    @Test(arguments: roundTrips)
    func roundTrip(value: JSONValue) throws {
        #expect(try JSONValue.parse(value.serialized()) == value)
    }

    @Test func parsesWhatRFC8259Allows() throws {
        #expect(try JSONValue.parse(" \t\r\n{ \"a\" : [ 1 , 2 ] } \n") == ["a": [1, 2]])
        #expect(try JSONValue.parse(#""\u00e9\ud83d\ude00\/\b\f\n\r\t\"\\""#) == .string("é😀/\u{8}\u{C}\n\r\t\"\\"))
        #expect(try JSONValue.parse("-0") == 0)
        #expect(try JSONValue.parse("-0.0") == .number(-0.0))
        #expect(try JSONValue.parse("0.5e-3") == .number(0.0005))
        #expect(try JSONValue.parse("1E2") == .number(100))
        #expect(try JSONValue.parse("1e+2") == .number(100))
        #expect(try JSONValue.parse("12345678901234567890") == .number(1.2345678901234567e19))
        #expect(try JSONValue.parse("\"é\"") == "é")
        #expect(try JSONValue.parse("\"\u{7F}\"") == "\u{7F}")
        #expect(try JSONValue.parse("null") == .null)
    }

    @Test func accessors() throws {
        let value = try JSONValue.parse(#"{"s":"x","i":3,"d":2.0,"f":2.5,"b":true,"a":[1],"n":null}"#)
        #expect(value["s"]?.stringValue == "x")
        #expect(value["i"]?.intValue == 3)
        #expect(value["d"]?.intValue == 2)
        #expect(value["f"]?.intValue == nil)
        #expect(value["f"]?.doubleValue == 2.5)
        #expect(value["b"]?.boolValue == true)
        #expect(value["a"]?.arrayValue == [1])
        #expect(value["n"]?.isNull == true)
        #expect(value["missing"] == nil)
        #expect(value["s"]?["x"] == nil)
        #expect(value.objectValue?.map(\.key) == ["s", "i", "d", "f", "b", "a", "n"])
    }

    static let rejected: [(String, [UInt8])] = [
        ("empty", []), ("only whitespace", Array("  ".utf8)),
        ("trailing comma in array", Array("[1,]".utf8)), ("trailing comma in object", Array(#"{"a":1,}"#.utf8)),
        ("leading comma", Array("[,1]".utf8)), ("empty member", Array("{,}".utf8)), ("double comma", Array("[1,,2]".utf8)),
        ("line comment", Array("[1]//x".utf8)), ("block comment", Array("/*x*/[1]".utf8)),
        ("single quotes", Array("'a'".utf8)), ("unquoted key", Array("{a:1}".utf8)), ("missing colon", Array(#"{"a" 1}"#.utf8)),
        ("missing value", Array(#"{"a":}"#.utf8)), ("number key", Array("{1:1}".utf8)),
        ("leading zero", Array("01".utf8)), ("plus", Array("+1".utf8)), ("bare dot", Array(".5".utf8)), ("dot end", Array("1.".utf8)),
        ("bare exponent", Array("1e".utf8)), ("exponent sign only", Array("1e+".utf8)), ("minus only", Array("-".utf8)),
        ("hex", Array("0x10".utf8)), ("NaN", Array("NaN".utf8)), ("Infinity", Array("Infinity".utf8)),
        ("out of range", Array("1e400".utf8)), ("negative out of range", Array("-1e400".utf8)),
        ("two values", Array("1 2".utf8)), ("truncated true", Array("tru".utf8)), ("True", Array("True".utf8)),
        ("nul", Array("nul".utf8)), ("unterminated string", Array("\"abc".utf8)), ("unterminated array", Array("[1".utf8)),
        ("unterminated object", Array(#"{"a":1"#.utf8)), ("unclosed", Array("[".utf8)), ("close only", Array("]".utf8)),
        ("raw newline in string", Array("\"a\nb\"".utf8)), ("raw tab in string", Array("\"a\tb\"".utf8)),
        ("raw NUL in string", [0x22, 0x00, 0x22]),
        ("invalid escape", Array(#""\x""#.utf8)), ("short unicode escape", Array(#""\u12""#.utf8)),
        ("non-hex unicode escape", Array(#""\u12g4""#.utf8)), ("upper-case U escape", Array(#""\U0041""#.utf8)),
        ("lone high surrogate", Array(#""\ud800""#.utf8)), ("lone low surrogate", Array(#""\udc00""#.utf8)),
        ("high surrogate then letter", Array(#""\ud800\u0041""#.utf8)), ("high surrogate then text", Array(#""\ud800abc""#.utf8)),
        ("two high surrogates", Array(#""\ud800\ud800""#.utf8)), ("reversed pair", Array(#""\ude00\ud83d""#.utf8)),
        ("invalid UTF-8 byte", [0x22, 0xFF, 0x22]), ("overlong slash", [0x22, 0xC0, 0xAF, 0x22]),
        ("UTF-8 surrogate", [0x22, 0xED, 0xA0, 0x80, 0x22]), ("truncated UTF-8", [0x22, 0xE2, 0x82, 0x22]),
        ("lone continuation byte", [0x22, 0x80, 0x22]), ("above U+10FFFF", [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22]),
        ("lead byte before escape", [0x22, 0xC3] + Array(#"\u00a9""#.utf8)),
        ("BOM", [0xEF, 0xBB, 0xBF] + Array("1".utf8)), ("duplicate key", Array(#"{"a":1,"a":2}"#.utf8)),
        ("too deep", Array((String(repeating: "[", count: 33) + String(repeating: "]", count: 33)).utf8)),
        ("too deep objects", Array((String(repeating: #"{"a":"#, count: 33) + "1" + String(repeating: "}", count: 33)).utf8)),
    ]

    @Test(arguments: 0..<rejected.count)
    func rejects(index: Int) {
        let (name, bytes) = Self.rejected[index]
        #expect(throws: JSONError.self, "\(name)") { try JSONValue.parse(bytes) }
    }

    @Test func depthLimitIsExact() throws {
        let deep = String(repeating: "[", count: 32) + String(repeating: "]", count: 32)
        #expect(throws: Never.self) { try JSONValue.parse(deep) }
        #expect(throws: JSONError.self) { try JSONValue.parse("[" + deep + "]") }
        #expect(throws: Never.self) { try JSONValue.parse("[" + deep + "]", maximumDepth: 33) }
        let wide = "[" + Array(repeating: "[]", count: 1000).joined(separator: ",") + "]"
        #expect(try JSONValue.parse(wide).arrayValue?.count == 1000)
    }

    @Test func errorsSayWhere() {
        #expect(throws: JSONError(offset: 3, reason: "expected , or ]")) { try JSONValue.parse("[1 2]") }
        #expect(throws: JSONError(offset: 7, reason: "duplicate key")) { try JSONValue.parse(#"{"a":1,"a":2}"#) }
    }

    @Test func randomBytesNeverCrash() {
        var rng = SplitMix64(seed: 11)
        let alphabet = Array(#"{}[]",:.-+eE0123456789 \truefalsn\"#.utf8) + [0x80, 0xC3, 0xA9, 0xFF, 0x00]
        var accepted = 0
        for _ in 0..<20_000 {
            let bytes = (0..<Int.random(in: 0...24, using: &rng)).map { _ in alphabet.randomElement(using: &rng) ?? 0 }
            if let value = try? JSONValue.parse(bytes) {
                accepted += 1
                #expect((try? JSONValue.parse(value.serialized())) == value)
            }
        }
        #expect(accepted > 0)
    }
}
