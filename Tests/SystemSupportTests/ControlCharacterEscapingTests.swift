import Testing
@testable import SystemSupport

/// Whether `text` holds a C0 control, DEL or a C1 control: what a terminal may act on.
func hasControlCharacters(_ text: String) -> Bool {
    text.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }
}

@Suite struct ControlCharacterEscapingTests {
    @Test(arguments: [
        ("plain text", "plain text"),
        ("a\tb", #"a\tb"#),
        ("line1\r\nline2\n", #"line1\r\nline2\n"#),
        ("\u{1B}[31mred\u{1B}[0m", #"\x1b[31mred\x1b[0m"#),
        ("\u{1B}]0;title\u{07}", #"\x1b]0;title\x07"#),
        ("nul\u{0}byte", #"nul\x00byte"#),
        ("\u{1F}\u{7F}", #"\x1f\x7f"#),
        ("csi\u{9B}2J next\u{85}", #"csi\u{9b}2J next\u{85}"#),
        ("שלום 👋🏽 é\u{A0}x", "שלום 👋🏽 é\u{A0}x"),  // printable, no-break space included
        (#"a literal \x1b stays"#, #"a literal \x1b stays"#),
        ("", ""),
    ])
    func controlsBecomeVisibleEscapes(text: String, expected: String) {
        #expect(text.escapingControlCharacters == expected)
    }

    /// Every scalar up to U+02FF, alone and between letters: no control survives, and nothing else
    /// changes.
    @Test func onlyControlsChange() throws {
        for value in UInt32(0)..<0x300 {
            let scalar = try #require(Unicode.Scalar(value))
            let text = "a" + String(Character(scalar)) + "b"
            let escaped = text.escapingControlCharacters
            #expect(!hasControlCharacters(escaped), "U+\(String(value, radix: 16))")
            if hasControlCharacters(text) {
                #expect(escaped.hasPrefix("a\\") && escaped.hasSuffix("b") && escaped.count > 3)
            } else {
                #expect(escaped == text)
            }
        }
    }
}
