import SystemSupport
import Testing

/// The one JSON string escaper: API answers, events and log lines.
@Suite struct JSONStringTests {
    @Test func stringEscaping() {
        #expect(JSONString.escape("plain") == "plain")
        #expect(JSONString.escape("\"\\/") == #"\"\\/"#)
        #expect(JSONString.escape("\n\r\t\u{8}\u{C}") == #"\n\r\t\b\f"#)
        #expect(JSONString.escape("\u{0}\u{1F}\u{7F}") == "\\u0000\\u001f\\u007f")
        #expect(JSONString.escape("é€😀\u{2028}\u{2029}") == "é€😀\\u2028\\u2029")
        #expect(JSONString.quoted("a\"b") == #""a\"b""#)
        // Escapes at both ends, side by side, and between multi-byte runs.
        #expect(JSONString.escape("\"ab\\\n") == #"\"ab\\\n"#)
        #expect(JSONString.escape("שלום\"\"мир\u{1}") == "שלום\\\"\\\"мир\\u0001")
        #expect(JSONString.escape("") == "")
    }
}
