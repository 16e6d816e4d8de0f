import Testing

@testable import Config

/// Whether `text` holds a C0 control, DEL or a C1 control: what a terminal may act on.
func hasControlCharacters(_ text: String) -> Bool {
    text.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }
}

/// A configuration file is text an admin may have pasted from anywhere: what it says about it
/// (check-config, start-up, a refused reload) must not carry its control characters to a terminal.
@Suite("Config errors and summary escape control characters")
struct ControlCharacterTests {
    /// Control characters in a section name, a key, values and a line that is not INI at all.
    static let hostile = """
        [gen\u{1B}[31mred]
        type = status
        timeout = 5\r\u{0}
        co\u{1B}[2Jlor = blue
        max_agents = \u{9B}9\u{7F}
        [ok]
        type = status
        timeout_goto = br\u{1B}[1Aeak\u{7}
        timeout = 1\u{9B}
        \u{0} junk \u{1B}[1A

        """

    @Test func everyErrorNamesTheFileLineSectionAndKeyWithoutRawControls() {
        let found = errors(Self.hostile).map(\.description)
        let at = { (needle: String) in "ccagentd.conf:\(line(of: needle, in: Self.hostile)): " }
        let why = "; a value may hold tabs but no other control character (no CR, LF, NUL, ESC or DEL): Asterisk, the logs and terminals cannot carry them"
        #expect(found.contains(at("timeout = 5") + #"[gen\x1b[31mred] timeout: "5\r\x00" holds the control character \r at character 2"# + why))
        #expect(found.contains(at("blue") + #"[gen\x1b[31mred] co\x1b[2Jlor: unknown key "co\x1b[2Jlor" for type = status"#))
        #expect(found.contains(at("max_agents") + #"[gen\x1b[31mred] max_agents: "\u{9b}9\x7f" holds the control character \x7f at character 3"# + why))
        #expect(found.contains(at("timeout_goto") + #"[ok] timeout_goto: "br\x1b[1Aeak\x07" holds the control character \x1b at character 3"# + why))
        // C1 controls pass the reader (AMI carries them) and are escaped where a message quotes them.
        #expect(found.contains(at("timeout = 1") + #"[ok] timeout: "1\u{9b}" is not a whole number from 1 to 86400 seconds"#))
        #expect(found.contains(at("junk") + #"cannot read "\x00 junk \x1b[1A"; expected [section], key = value, a ; comment or #include"#))
        #expect(found.count >= 6)
        for error in found { #expect(!hasControlCharacters(error), "\(error)") }
    }

    @Test func messagesAndIncludedPathsAreEscapedToo() throws {
        let found = errors("#include \"ev\u{1B}[0mil.conf\"\n")
        let error = try #require(found.first)
        #expect(error.message == #"cannot read "ev\x1b[0mil.conf": no such file"#)
        #expect(!hasControlCharacters(error.description))
        // The error keeps the name as written: only what is shown is escaped.
        #expect(error.kind == .unreadable(path: "ev\u{1B}[0mil.conf", reason: "no such file"))
    }

    @Test func theSummaryEscapesNamesFromTheFile() throws {
        let configuration = try #require(loaded("""
            [sa\u{1B}[5mles]
            type = skill
            queues = sales
            [101]
            type = extension
            interface = PJSIP/101
            [dana@example.com]
            type = user
            extension = 101
            group = team\u{9B}31m

            """))
        let summary = configuration.summaryLines.joined(separator: "\n")
        #expect(summary.contains(#"skills:     1: sa\x1b[5mles"#))
        #expect(summary.contains(#"groups:     1: team\u{9b}31m"#))
        for line in configuration.summaryLines { #expect(!hasControlCharacters(line), "\(line)") }
    }
}
