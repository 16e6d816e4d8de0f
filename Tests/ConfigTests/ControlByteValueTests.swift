import Foundation
import Testing
import TestSupport

@testable import Config

/// A control byte in a value would reach Asterisk (where the AMI encoder refuses it, so the agent
/// never joins a queue or the AMI login retries for ever), the logs or a terminal. Every value is
/// checked when the file is read: tabs are allowed, no other C0 control and no DEL.
@Suite("Values with control bytes are refused at load", .timeLimit(.minutes(2)))
struct ControlByteValueTests {
    /// Every C0 control a line can hold (LF ends it), and DEL; not TAB.
    static let controls: [UInt8] = Array(0x00...0x08) + [0x0B, 0x0C, 0x0D] + Array(0x0E...0x1F) + [0x7F]

    /// Where a value goes: the section around it and the key.
    struct Place: Sendable, CustomTestStringConvertible {
        var section: String
        var key: String
        var before: String
        var after: String
        var secret: Bool
        var testDescription: String { "[\(section)] \(key)" }
    }

    static let places: [Place] = [
        Place(section: "dana@example.com", key: "name", before: "[dana@example.com]\ntype = user\n", after: "\n", secret: false),
        Place(section: "pbx", key: "username", before: "[pbx]\ntype = ami\nsecret = change-me\n", after: "\n", secret: false),
        Place(section: "pbx", key: "secret", before: "[pbx]\ntype = ami\nusername = ccagentd\n", after: "\n", secret: true),
        Place(
            section: "dana@example.com", key: "password", before: "[dana@example.com]\ntype = user\n", after: "\n", secret: true),
        Place(section: "break", key: "label", before: "[break]\ntype = status\n", after: "\n", secret: false),
        Place(section: "101", key: "interface", before: "[101]\ntype = extension\n", after: "\n", secret: false),
        Place(section: "sales", key: "queues", before: "[sales]\ntype = skill\n", after: "\n", secret: false),
        Place(section: "general", key: "database", before: "[general]\ntype = general\n", after: "\n", secret: false),
    ]

    /// The text of a whole file with `value` at `place`, and an AMI section when the place is not one.
    static func file(_ place: Place, value: String) -> String {
        let pbx = place.section == "pbx" ? "" : baseConfig
        return pbx + place.before + "\(place.key) = \(value)" + place.after
    }

    static func fileErrors(_ text: String) -> [ConfigError] {
        switch ConfigLoader.load(text: text) {
        case .success: []
        case .failure(let list): list.errors
        }
    }

    @Test(arguments: places, controls)
    func aControlByteInAnyValueIsRefusedWithItsLineSectionAndKey(place: Place, byte: UInt8) throws {
        let value = "ab" + String(UnicodeScalar(byte)) + "cd"
        let text = Self.file(place, value: value)
        let found = Self.fileErrors(text)
        let lineNumber = line(of: "\(place.key) = ab", in: text, base: "")
        let error = try #require(found.first { $0.location?.line == lineNumber && $0.key == place.key }, "\(found)")
        let shown = String(UnicodeScalar(byte)).escapingControlCharacters
        let what = place.secret ? "the value (not shown: it is a secret)" : "\"ab\(shown)cd\""
        #expect(
            error.description
                == "ccagentd.conf:\(lineNumber): [\(place.section)] \(place.key): \(what) holds the control character \(shown) "
                + "at character 3; a value may hold tabs but no other control character (no CR, LF, NUL, ESC or DEL): Asterisk, "
                + "the logs and terminals cannot carry them")
        // Reported once: what else the value would be refused for is not said as well.
        #expect(found.filter { $0.location?.line == lineNumber }.count == 1, "\(found)")
        for error in found { #expect(!hasControlCharacters(error.description), "\(error)") }
    }

    @Test(arguments: places.filter(\.secret))
    func aSecretIsNeverRepeated(place: Place) {
        let text = Self.file(place, value: "hunter2\u{1B}[2Jhunter3")
        let found = Self.fileErrors(text)
        let atKey = found.filter { $0.key == place.key }.map(\.description)
        #expect(atKey.count == 1, "\(found)")
        for error in atKey { #expect(error.contains("value (not shown: it is a secret) holds the control character \\x1b at character 8")) }
        for error in found { #expect(!error.description.contains("hunter"), "\(error)") }
    }

    @Test func aTabInsideAValueIsKept() throws {
        let configuration = try #require(loaded("[101]\ntype = extension\ninterface = PJSIP/101\n[dana@example.com]\ntype = user\nname = Dana\tLevi\nextension = 101\n"))
        #expect(configuration.core.users.values.first?.name == "Dana\tLevi")
    }

    @Test func aLoneCarriageReturnInsideALineIsRefusedButCRLFLineEndsAreNot() {
        #expect(Self.fileErrors(baseConfig.replacingOccurrences(of: "\n", with: "\r\n")).isEmpty)
        let found = Self.fileErrors(baseConfig + "[general]\r\ntype = general\r\ndatabase = /var/lib/x\r.sqlite\r\n")
        #expect(found.map(\.key) == ["database"], "\(found)")
    }

    @Test func aControlByteInATemplateIsReportedOnceAtTheTemplatesLine() {
        let text = "[t](!)\ntype = status\nlabel = Bre\u{7}ak\n[break](t)\n[lunch](t)\n"
        let found = errors(text)
        #expect(found.map(\.description) == [
            "ccagentd.conf:\(line(of: "label", in: text)): [t] label: \"Bre\\x07ak\" holds the control character \\x07 at character 4; "
                + "a value may hold tabs but no other control character (no CR, LF, NUL, ESC or DEL): Asterisk, the logs and terminals cannot carry them"
        ])
    }

    @Test func checkConfigRefusesAControlByteInAName() throws {
        let directory = try TemporaryDirectory(prefix: "ccagentd-ctl")
        let path = directory.file("ccagentd.conf")
        let text = baseConfig + "[101]\ntype = extension\ninterface = PJSIP/101\n[dana@example.com]\ntype = user\nname = Dana\rLevi\nextension = 101\n"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let result = try CheckConfigCommandTests().run(["check-config", path])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("\(path):\(line(of: "name = Dana", in: text, base: "")): [dana@example.com] name: \"Dana\\rLevi\" holds the control character \\r"))
        #expect(!hasControlCharacters(result.stderr.replacingOccurrences(of: "\n", with: "")))
    }
}
