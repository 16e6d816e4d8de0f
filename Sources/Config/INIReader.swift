/// One `key = value` line, with where it was written.
public struct INIEntry: Sendable, Equatable {
    public var key: String
    public var value: String
    public var location: SourceLocation
    /// The section this entry was written in when it came through a template; nil for the
    /// section's own entries.
    public var inheritedFrom: String?

    public init(key: String, value: String, location: SourceLocation, inheritedFrom: String? = nil) {
        self.key = key
        self.value = value
        self.location = location
        self.inheritedFrom = inheritedFrom
    }
}

/// A `[name]` section with its entries in order: those inherited from its templates first (in
/// the order the templates are listed), then its own.
public struct INISection: Sendable, Equatable {
    public var name: String
    /// The line of the `[name]` header.
    public var location: SourceLocation
    /// `[name](!)`: a template only, not itself an object.
    public var isTemplate: Bool
    /// `[name](a,b)`: the sections it inherits from, in order.
    public var templates: [String]
    public var entries: [INIEntry]

    public init(name: String, location: SourceLocation, isTemplate: Bool = false, templates: [String] = [], entries: [INIEntry] = []) {
        self.name = name
        self.location = location
        self.isTemplate = isTemplate
        self.templates = templates
        self.entries = entries
    }

    /// Every entry for `key`, in order.
    public func entries(_ key: String) -> [INIEntry] { entries.filter { $0.key == key } }

    /// The last entry for `key`: a section's own value overrides an inherited one.
    public func last(_ key: String) -> INIEntry? { entries.last { $0.key == key } }
}

/// A whole configuration after includes and templates: the objects in file order.
public struct INIDocument: Sendable, Equatable {
    /// Every section that is not a template, with inherited entries resolved.
    public var sections: [INISection]
    /// The `(!)` templates, resolved too (for tools that want to show them).
    public var templates: [INISection]
    /// Every file read, the main one first.
    public var files: [String]

    public init(sections: [INISection] = [], templates: [INISection] = [], files: [String] = []) {
        self.sections = sections
        self.templates = templates
        self.files = files
    }
}

/// Reads Asterisk-style INI text, the way admins write `pjsip.conf`:
///
/// - `[name]` sections; `[name](!)` templates; `[name](a,b)` inherits every entry of `a`, then of
///   `b`, then its own; `[name](!,a)` is a template that inherits.
/// - `key = value` and `key => value`; a repeated key is kept as many entries (lists).
/// - `;` starts a comment to the end of the line, `;-- … --;` is a block comment; `\;` is a
///   literal `;` in a value.
/// - `#include file` or `#include "file"` inserts a file, relative to the including one;
///   `#tryinclude` does the same and says nothing when the file is missing. A file that includes
///   itself, directly or not, is an error naming the chain. At most `maximumIncludeDepth` levels
///   of `#include` and `maximumFiles` reads per load (a file may be included twice; it counts twice).
///
/// Errors are collected, never thrown: a bad line is reported and skipped.
public struct INIReader: Sendable {
    public var fileReader: any ConfigFileReader
    /// Longest line accepted, in bytes.
    public var maximumLineLength: Int
    /// Levels of `#include` below the main file.
    public var maximumIncludeDepth: Int
    /// Files read per load, the main one included; a file read twice counts twice.
    public var maximumFiles: Int

    public init(
        fileReader: any ConfigFileReader = DiskFileReader(), maximumLineLength: Int = 8192, maximumIncludeDepth: Int = 16,
        maximumFiles: Int = 256
    ) {
        self.fileReader = fileReader
        self.maximumLineLength = maximumLineLength
        self.maximumIncludeDepth = maximumIncludeDepth
        self.maximumFiles = maximumFiles
    }

    public func read(path: String) -> (document: INIDocument, errors: [ConfigError]) {
        var tokens = TokenStream()
        readFile(ConfigPath.normalize(path), stack: [], includedAt: nil, optional: false, into: &tokens)
        var document = INIDocument(files: tokens.files)
        var errors = tokens.errors
        var builder = SectionBuilder()
        builder.build(tokens.tokens, errors: &errors)
        var resolver = Resolver(sections: builder.sections)
        for section in builder.sections {
            var resolved = section
            resolved.entries = resolver.entries(of: section, chain: [], errors: &errors)
            if section.isTemplate { document.templates.append(resolved) } else { document.sections.append(resolved) }
        }
        return (document, errors)
    }

    // MARK: - Files and lines

    enum Token {
        case header(name: String, options: [String], location: SourceLocation)
        case entry(key: String, value: String, location: SourceLocation)
    }

    struct TokenStream {
        var tokens: [Token] = []
        var errors: [ConfigError] = []
        var files: [String] = []
        /// Files read so far, a file read twice counting twice.
        var reads = 0
        /// `#include` lines refused for their depth, each said once however often its file is read.
        var tooDeep: Set<SourceLocation> = []
        var saidTooManyFiles = false
    }

    /// The limits are checked before anything is read, so the recursion is at most
    /// `maximumIncludeDepth` deep and a fan-out stops after `maximumFiles` reads.
    private func readFile(_ path: String, stack: [String], includedAt: SourceLocation?, optional: Bool, into stream: inout TokenStream) {
        if stack.contains(path) {
            stream.errors.append(ConfigError(.includeLoop(chain: stack + [path]), at: includedAt))
            return
        }
        if stack.count > maximumIncludeDepth {
            if let includedAt, stream.tooDeep.insert(includedAt).inserted {
                stream.errors.append(ConfigError(.includeTooDeep(path: path, depth: stack.count, limit: maximumIncludeDepth), at: includedAt))
            }
            return
        }
        if stream.reads >= maximumFiles {
            if !stream.saidTooManyFiles {
                stream.saidTooManyFiles = true
                stream.errors.append(ConfigError(.tooManyFiles(path: path, limit: maximumFiles), at: includedAt))
            }
            return
        }
        let bytes: [UInt8]
        do {
            bytes = try fileReader.contents(of: path)
        } catch {
            if !optional { stream.errors.append(ConfigError(.unreadable(path: path, reason: error.reason), at: includedAt)) }
            return
        }
        stream.reads += 1
        if !stream.files.contains(path) { stream.files.append(path) }
        let stack = stack + [path]
        var inBlockComment = false
        var blockCommentStart: SourceLocation?
        var lineNumber = 0
        var start = 0
        // Skip a UTF-8 byte order mark.
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { start = 3 }
        while start < bytes.count {
            lineNumber += 1
            var end = start
            while end < bytes.count, bytes[end] != UInt8(ascii: "\n") { end += 1 }
            let next = end + 1
            if end > start, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            let location = SourceLocation(file: path, line: lineNumber)
            if end - start > maximumLineLength {
                stream.errors.append(ConfigError(.notAllowed("line longer than \(maximumLineLength) bytes"), at: location))
            } else {
                let wasInBlockComment = inBlockComment
                let content = Self.stripComment(bytes, start..<end, inBlockComment: &inBlockComment)
                if inBlockComment, !wasInBlockComment { blockCommentStart = location }
                parseLine(content, at: location, stack: stack, into: &stream)
            }
            start = next
        }
        if inBlockComment, let blockCommentStart {
            stream.errors.append(ConfigError(
                .notAllowed("block comment opened by \";--\" is never closed with \"--;\"; write \"; --\" for a plain comment"),
                at: blockCommentStart))
        }
    }

    /// The line without its comment, `\;` unescaped, trimmed.
    static func stripComment(_ bytes: [UInt8], _ range: Range<Int>, inBlockComment: inout Bool) -> ArraySlice<UInt8> {
        let semicolon = UInt8(ascii: ";"), dash = UInt8(ascii: "-"), backslash = UInt8(ascii: "\\")
        var out: [UInt8] = []
        out.reserveCapacity(range.count)
        var i = range.lowerBound
        let end = range.upperBound
        while i < end {
            let byte = bytes[i]
            if inBlockComment {
                if byte == dash, i + 2 < end, bytes[i + 1] == dash, bytes[i + 2] == semicolon {
                    inBlockComment = false
                    i += 3
                } else {
                    i += 1
                }
                continue
            }
            if byte == backslash, i + 1 < end, bytes[i + 1] == semicolon {
                out.append(semicolon)
                i += 2
                continue
            }
            if byte == semicolon {
                if i + 2 < end, bytes[i + 1] == dash, bytes[i + 2] == dash {
                    inBlockComment = true
                    i += 3
                    continue
                }
                break
            }
            out.append(byte)
            i += 1
        }
        return trim(out[...])
    }

    static func isSpace(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }

    static func trim(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var lower = bytes.startIndex, upper = bytes.endIndex
        while lower < upper, isSpace(bytes[lower]) { lower += 1 }
        while upper > lower, isSpace(bytes[upper - 1]) { upper -= 1 }
        return bytes[lower..<upper]
    }

    static func string(_ bytes: ArraySlice<UInt8>) -> String { String(decoding: bytes, as: UTF8.self) }

    /// A line to quote in a syntax error, without what follows `password` or `secret`: a line
    /// like `password: hunter2` must not end up in a log.
    static func redacted(_ line: ArraySlice<UInt8>) -> String {
        let text = string(line)
        let lowered = text.lowercased()
        for word in ControlByte.secretWords {
            if let range = lowered.firstRange(of: word) {
                let end = text.index(text.startIndex, offsetBy: lowered.distance(from: lowered.startIndex, to: range.upperBound))
                return text[..<end] + " …"
            }
        }
        return text
    }

    private func parseLine(_ line: ArraySlice<UInt8>, at location: SourceLocation, stack: [String], into stream: inout TokenStream) {
        guard let first = line.first else { return }
        switch first {
        case UInt8(ascii: "#"):
            parseDirective(line, at: location, stack: stack, into: &stream)
        case UInt8(ascii: "["):
            guard let close = line.firstIndex(of: UInt8(ascii: "]")) else {
                stream.errors.append(ConfigError(.syntax(Self.redacted(line)), at: location))
                return
            }
            let name = Self.string(Self.trim(line[(line.startIndex + 1)..<close]))
            let rest = Self.trim(line[(close + 1)...])
            var options: [String] = []
            if !rest.isEmpty {
                guard rest.first == UInt8(ascii: "("), rest.last == UInt8(ascii: ")"), rest.count >= 2 else {
                    stream.errors.append(ConfigError(.syntax(Self.redacted(line)), at: location))
                    return
                }
                options = rest.dropFirst().dropLast().split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
                    .map { Self.string(Self.trim($0)) }
            }
            if name.isEmpty {
                stream.errors.append(ConfigError(.syntax(Self.redacted(line)), at: location))
                return
            }
            stream.tokens.append(.header(name: name, options: options, location: location))
        default:
            guard let equals = line.firstIndex(of: UInt8(ascii: "=")) else {
                stream.errors.append(ConfigError(.syntax(Self.redacted(line)), at: location))
                return
            }
            let key = Self.string(Self.trim(line[..<equals]))
            var valueStart = equals + 1
            if valueStart < line.endIndex, line[valueStart] == UInt8(ascii: ">") { valueStart += 1 }
            let value = Self.string(Self.trim(line[valueStart...]))
            if key.isEmpty {
                stream.errors.append(ConfigError(.syntax(Self.redacted(line)), at: location))
                return
            }
            stream.tokens.append(.entry(key: key, value: value, location: location))
        }
    }

    private func parseDirective(_ line: ArraySlice<UInt8>, at location: SourceLocation, stack: [String], into stream: inout TokenStream) {
        var nameEnd = line.startIndex
        while nameEnd < line.endIndex, !Self.isSpace(line[nameEnd]), line[nameEnd] != UInt8(ascii: "\"") { nameEnd += 1 }
        let directive = Self.string(line[line.startIndex..<nameEnd])
        guard directive == "#include" || directive == "#tryinclude" else {
            stream.errors.append(ConfigError(.unsupportedDirective(Self.string(line)), at: location))
            return
        }
        var argument = Self.trim(line[nameEnd...])
        if argument.count >= 2,
            (argument.first == UInt8(ascii: "\"") && argument.last == UInt8(ascii: "\""))
                || (argument.first == UInt8(ascii: "<") && argument.last == UInt8(ascii: ">"))
        {
            argument = Self.trim(argument.dropFirst().dropLast())
        }
        guard !argument.isEmpty else {
            stream.errors.append(ConfigError(.syntax(Self.redacted(line)), at: location))
            return
        }
        let path = ConfigPath.resolve(Self.string(argument), relativeTo: location.file)
        readFile(path, stack: stack, includedAt: location, optional: directive == "#tryinclude", into: &stream)
    }

    // MARK: - Sections and templates

    struct SectionBuilder {
        var sections: [INISection] = []

        mutating func build(_ tokens: [Token], errors: inout [ConfigError]) {
            var index: [String: Int] = [:]
            // nil before the first header, and after a header that was refused (its keys are dropped).
            var current: Int?
            var skipping = false
            for token in tokens {
                switch token {
                case .header(let name, let options, let location):
                    var section = INISection(name: name, location: location)
                    for option in options {
                        switch option {
                        case "!": section.isTemplate = true
                        case "+":
                            errors.append(ConfigError(
                                .notAllowed("[\(name)](+) (adding to an earlier section) is not supported; write the keys in one section"),
                                at: location, section: name))
                        case "": errors.append(ConfigError(.syntax("[\(name)](\(options.joined(separator: ",")))"), at: location))
                        default: section.templates.append(option)
                        }
                    }
                    if let first = index[name] {
                        errors.append(ConfigError(.duplicateSection(name: name, first: sections[first].location), at: location))
                        current = nil
                        skipping = true
                    } else {
                        index[name] = sections.count
                        current = sections.count
                        skipping = false
                        sections.append(section)
                    }
                case .entry(let key, let value, let location):
                    if let current {
                        if let problem = ControlByte.problem(in: key, value) {
                            errors.append(ConfigError(problem, at: location, section: sections[current].name, key: key))
                        }
                        sections[current].entries.append(INIEntry(key: key, value: value, location: location))
                    } else if !skipping {
                        errors.append(ConfigError(.entryOutsideSection, at: location, key: key))
                    }
                }
            }
        }
    }

    struct Resolver {
        let byName: [String: INISection]
        let templateNames: [String]
        var resolved: [String: [INIEntry]] = [:]
        var reportedLoops: Set<String> = []

        init(sections: [INISection]) {
            var byName: [String: INISection] = [:]
            for section in sections where byName[section.name] == nil { byName[section.name] = section }
            self.byName = byName
            templateNames = sections.filter(\.isTemplate).map(\.name)
        }

        mutating func entries(of section: INISection, chain: [String], errors: inout [ConfigError]) -> [INIEntry] {
            if let done = resolved[section.name] { return done }
            let chain = chain + [section.name]
            var entries: [INIEntry] = []
            for template in section.templates {
                guard let parent = byName[template] else {
                    let suggestion = Suggestion.closest(to: template, among: templateNames.isEmpty ? Array(byName.keys).sorted() : templateNames)
                    errors.append(ConfigError(.unknownReference(.template, template, suggestion: suggestion), at: section.location, section: section.name))
                    continue
                }
                if chain.contains(template) {
                    let loop = chain + [template]
                    if reportedLoops.insert(Set(loop).sorted().joined(separator: "\u{0}")).inserted {
                        errors.append(ConfigError(.inheritanceLoop(chain: loop), at: section.location, section: section.name))
                    }
                    continue
                }
                for entry in self.entries(of: parent, chain: chain, errors: &errors) {
                    var inherited = entry
                    if inherited.inheritedFrom == nil { inherited.inheritedFrom = parent.name }
                    entries.append(inherited)
                }
            }
            entries += section.entries
            resolved[section.name] = entries
            return entries
        }
    }
}
