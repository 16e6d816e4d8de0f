public import Foundation

/// A man(7) page read just far enough to hold it against the code: the `.TH` fields, and every
/// `.TP` entry with the section and subsection it is in, its tag and its paragraph as plain text.
/// (A copy lives in Tests/CcagentctlTests: test targets share no sources.)
public struct ManPage: Sendable {
    public struct Entry: Sendable {
        /// The `.SH` title, e.g. `SECTIONS`.
        public var section: String
        /// The `.SS` title, e.g. `type = general`; nil before the first one of the section.
        public var subsection: String?
        /// The tag line as it renders, e.g. `log_format = json | text`.
        public var tag: String
        /// The paragraph under the tag, up to the next entry, paragraph or indent.
        public var body: String
        /// The tag of the entry this one is indented under (`.RS` … `.RE`), if any.
        public var parent: String?

        /// The first word of the tag: the key, command or option it documents.
        public var name: String { String(tag.split(separator: " ").first ?? "") }
    }

    public var header: [String] = []
    public var entries: [Entry] = []

    public init(contentsOf url: URL) throws {
        self.init(text: try String(contentsOf: url, encoding: .utf8))
    }

    public init(text: String) {
        var section = "", subsection: String?
        var depth = 0
        var parent: String?
        var current: Int?
        var expectingTag = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix(".\\\"") { continue }
            if expectingTag {
                expectingTag = false
                let entry = Entry(section: section, subsection: subsection, tag: Self.plain(line), body: "", parent: depth > 0 ? parent : nil)
                entries.append(entry)
                if depth == 0 { parent = entries.last?.tag }
                current = entries.count - 1
                continue
            }
            let (macro, arguments) = Self.macro(line)
            switch macro {
            case "TH": header = arguments
            case "SH", "SS":
                if macro == "SH" { section = arguments.joined(separator: " ") }
                subsection = macro == "SS" ? arguments.joined(separator: " ") : nil
                (depth, parent, current) = (0, nil, nil)
            case "TP": expectingTag = true
            case "RS": (depth, current) = (depth + 1, nil)
            case "RE": (depth, current) = (max(0, depth - 1), nil)
            case "PP", "P", "LP", "EX", "EE", "nf", "fi": current = nil
            default:
                guard let index = current else { continue }
                let text = Self.plain(line)
                entries[index].body += entries[index].body.isEmpty || text.isEmpty ? text : " " + text
            }
        }
    }

    public func entries(in section: String) -> [Entry] { entries.filter { $0.section == section } }

    // MARK: - roff to text

    /// A request's name and its arguments (double quotes group words); nil for a text line.
    public static func macro(_ line: String) -> (name: String?, arguments: [String]) {
        guard line.hasPrefix(".") else { return (nil, []) }
        var arguments: [String] = []
        var word = "", quoted = false, started = false
        for character in line.dropFirst() {
            if character == "\"" {
                quoted.toggle()
                started = true
            } else if character == " ", !quoted {
                if started { arguments.append(word) }
                (word, started) = ("", false)
            } else {
                word.append(character)
                started = true
            }
        }
        if started { arguments.append(word) }
        guard let name = arguments.first else { return ("", []) }
        return (name, Array(arguments.dropFirst()))
    }

    /// A line as it renders: font requests applied (their arguments joined, with spaces for `.B`
    /// and `.I`, without for the alternating ones), escapes replaced, font changes dropped.
    public static func plain(_ line: String) -> String {
        let (name, arguments) = macro(line)
        let text: String
        switch name {
        case nil: text = line
        case "B", "I", "SM", "SB": text = arguments.joined(separator: " ")
        case "BR", "BI", "IB", "IR", "RB", "RI": text = arguments.joined()
        default: text = ""
        }
        return unescaped(text)
    }

    public static func unescaped(_ text: String) -> String {
        let named = ["aq": "'", "ti": "~", "lq": "\"", "rq": "\"", "em": "--", "en": "-"]
        var out = ""
        var characters = text[...]
        while let character = characters.popFirst() {
            guard character == "\\", let escape = characters.popFirst() else {
                out.append(character)
                continue
            }
            switch escape {
            case "f":
                // \fB, \f(CW, \f[CB]
                if characters.first == "(" {
                    characters = characters.dropFirst(3)
                } else if characters.first == "[" {
                    characters = characters.drop { $0 != "]" }.dropFirst()
                } else {
                    characters = characters.dropFirst()
                }
            case "(":
                out += named[String(characters.prefix(2))] ?? ""
                characters = characters.dropFirst(2)
            case "-": out.append("-")
            case "e": out.append("\\")
            case " ": out.append(" ")
            case "&", "c": break
            default: out.append(escape)
            }
        }
        return out
    }
}
