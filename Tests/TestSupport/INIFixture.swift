/// An Asterisk-style INI file (`[name]`, `[name](!)` templates, `[name](parent)` inheritance,
/// `key = value`) built section by section, so a test changes one key, adds or drops a section
/// of a shared configuration by name instead of editing text.
public struct INIFixture: Sendable, CustomStringConvertible {
    public struct Section: Sendable {
        public var name: String
        public var isTemplate: Bool
        public var parents: [String]
        public var entries: [(key: String, value: String)]

        public var header: String {
            let marks = (isTemplate ? ["!"] : []) + parents
            return "[\(name)]" + (marks.isEmpty ? "" : "(\(marks.joined(separator: ",")))")
        }
    }

    public private(set) var sections: [Section] = []
    /// Lines before the first section (comments) and after the last (whatever a test appends).
    private var leading: [String] = []
    private var trailing: [String] = []

    public init(comment: String? = nil) {
        if let comment { leading = ["; " + comment] }
    }

    /// With a section added at the end.
    public func section(
        _ name: String, template: Bool = false, inherits parents: [String] = [], _ entries: KeyValuePairs<String, String> = [:]
    ) -> INIFixture {
        var copy = self
        copy.sections.append(Section(name: name, isTemplate: template, parents: parents, entries: entries.map { ($0.key, $0.value) }))
        return copy
    }

    /// With each of `other`'s sections added at the end.
    public func appending(_ other: INIFixture) -> INIFixture {
        var copy = self
        copy.sections += other.sections
        copy.trailing += other.trailing
        return copy
    }

    /// With `text` added verbatim after the last section.
    public func appending(_ text: String) -> INIFixture {
        var copy = self
        if !text.isEmpty { copy.trailing.append(text) }
        return copy
    }

    /// With `key` set to `value` in section `name` (replacing the key where it is, else added);
    /// nil removes the key. Nothing changes when there is no such section.
    public func setting(_ key: String, to value: String?, in name: String) -> INIFixture {
        var copy = self
        for index in copy.sections.indices where copy.sections[index].name == name {
            if let at = copy.sections[index].entries.firstIndex(where: { $0.key == key }) {
                if let value { copy.sections[index].entries[at].value = value } else { copy.sections[index].entries.remove(at: at) }
            } else if let value {
                copy.sections[index].entries.append((key, value))
            }
        }
        return copy
    }

    /// Without the sections called `name`.
    public func removing(_ name: String) -> INIFixture {
        var copy = self
        copy.sections.removeAll { $0.name == name }
        return copy
    }

    /// The file's text: sections separated by a blank line.
    public var text: String {
        let blocks = sections.map { section in
            ([section.header] + section.entries.map { "\($0.key) = \($0.value)" }).joined(separator: "\n")
        }
        return (leading + blocks + trailing).joined(separator: "\n\n") + "\n"
    }

    public var description: String { text }
}
