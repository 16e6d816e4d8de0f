import Testing

@testable import Config

@Suite("INI reader")
struct INIReaderTests {
    func read(_ files: [String: String], main: String = "main.conf") -> (document: INIDocument, errors: [ConfigError]) {
        INIReader(fileReader: InMemoryFileReader(files)).read(path: main)
    }

    func section(_ name: String, _ document: INIDocument) -> INISection? { document.sections.first { $0.name == name } }

    func pairs(_ section: INISection?) -> [String] { section?.entries.map { "\($0.key)=\($0.value)" } ?? [] }

    @Test func sectionsKeysAndLines() {
        let (document, errors) = read(["main.conf": "\n[a]\nx = 1\n\n[b]\ny=2\n"])
        #expect(errors.isEmpty)
        #expect(document.sections.map(\.name) == ["a", "b"])
        #expect(section("a", document)?.location == SourceLocation(file: "main.conf", line: 2))
        #expect(section("b", document)?.entries.first?.location.line == 6)
        #expect(pairs(section("b", document)) == ["y=2"])
    }

    @Test func commentsAndEscapedSemicolon() {
        let text = """
            ; a comment
            [a] ; after a header
            x = 1 ; after a value
            y = one\\;two ; an escaped semicolon is kept
            z = \\;;gone
            ;-- a block comment
            w = 3
            --; v = 4
            """
        let (document, errors) = read(["main.conf": text])
        #expect(errors.isEmpty)
        #expect(pairs(section("a", document)) == ["x=1", "y=one;two", "z=;", "v=4"])
    }

    @Test func unclosedBlockCommentIsAnError() {
        let (_, errors) = read(["main.conf": "[a]\nx = 1\n;---------- a rule drawn with dashes\ny = 2\n"])
        #expect(errors.count == 1)
        #expect(errors.first?.line == 3)
        #expect(errors.first?.description.contains("never closed") == true)
    }

    @Test func arrowIsLikeEquals() {
        let (document, errors) = read(["main.conf": "[a]\nexten => 100\nx=>y\nz = a=>b\n"])
        #expect(errors.isEmpty)
        #expect(pairs(section("a", document)) == ["exten=100", "x=y", "z=a=>b"])
    }

    @Test func repeatedKeysAreKeptInOrder() {
        let (document, _) = read(["main.conf": "[a]\nk = 1\nk = 2, 3\nk = 4\n"])
        #expect(section("a", document)?.entries("k").map(\.value) == ["1", "2, 3", "4"])
        #expect(section("a", document)?.last("k")?.value == "4")
    }

    @Test func crlfAndByteOrderMark() {
        let (document, errors) = read(["main.conf": "\u{FEFF}[a]\r\nx = 1\r\n"])
        #expect(errors.isEmpty)
        #expect(pairs(section("a", document)) == ["x=1"])
    }

    @Test func templatesAreNotObjectsAndInheritInOrder() {
        let text = """
            [t1](!)
            a = t1
            list = from-t1
            [t2](!,t1)
            b = t2
            list = from-t2
            [t3](!)
            c = t3
            [child](t2,t3)
            a = own
            list = own
            """
        let (document, errors) = read(["main.conf": text])
        #expect(errors.isEmpty)
        #expect(document.sections.map(\.name) == ["child"])
        #expect(document.templates.map(\.name) == ["t1", "t2", "t3"])
        let child = section("child", document)
        #expect(pairs(child) == ["a=t1", "list=from-t1", "b=t2", "list=from-t2", "c=t3", "a=own", "list=own"])
        #expect(child?.last("a")?.value == "own")
        #expect(child?.entries.first?.inheritedFrom == "t1")
        #expect(child?.entries.first?.location.line == 2)
        #expect(child?.entries.last?.inheritedFrom == nil)
    }

    @Test func unknownTemplateIsAnErrorWithASuggestion() {
        let (_, errors) = read(["main.conf": "[agent-defaults](!)\nx = 1\n[dana](agent-default)\ny = 2\n"])
        #expect(errors.map(\.description) == [
            #"main.conf:3: [dana] unknown template "agent-default"; did you mean "agent-defaults"?"#
        ])
    }

    @Test func inheritanceLoopIsAnError() {
        let (_, errors) = read(["main.conf": "[a](!,b)\n[b](!,a)\n[c](a)\n"])
        #expect(errors.count == 1)
        #expect(errors.first?.description.contains("template inheritance loop: a → b → a") == true)
    }

    @Test func duplicateSectionIsAnError() {
        let (document, errors) = read(["main.conf": "[a]\nx = 1\n[a]\nx = 2\n"])
        #expect(errors.map(\.description) == ["main.conf:3: section [a] is already defined at main.conf:1"])
        #expect(pairs(section("a", document)) == ["x=1"])
    }

    @Test(arguments: [
        ("[a\n", 1), ("[a]\njust words\n", 2), ("x = 1\n", 1), ("[a]\n = value\n", 2), ("[a] junk\n", 1), ("[]\n", 1),
        ("#exec /bin/true\n", 1),
    ])
    func syntaxErrorsNameTheLine(text: String, line: Int) {
        let (_, errors) = read(["main.conf": text])
        #expect(errors.count == 1)
        #expect(errors.first?.location == SourceLocation(file: "main.conf", line: line))
    }

    @Test func syntaxErrorsDoNotQuoteSecrets() {
        let (_, errors) = read(["main.conf": "[a]\npassword: hunter2\nSecret hunter3\n"])
        #expect(errors.map(\.message) == [
            #"cannot read "password …"; expected [section], key = value, a ; comment or #include"#,
            #"cannot read "Secret …"; expected [section], key = value, a ; comment or #include"#,
        ])
    }

    @Test func includeIsRelativeToTheIncludingFile() {
        let files = [
            "etc/main.conf": "[a]\nx = 1\n#include \"conf.d/more.conf\"\ny = 3\n",
            "etc/conf.d/more.conf": "z = 2\n#include ../../shared/last.conf\n",
            "shared/last.conf": "[b]\nw = 4\n",
        ]
        let (document, errors) = read(files, main: "etc/main.conf")
        #expect(errors.isEmpty)
        // An included file continues the section it was included in, as in Asterisk.
        #expect(pairs(section("a", document)) == ["x=1", "z=2"])
        #expect(pairs(section("b", document)) == ["w=4", "y=3"])
        #expect(section("a", document)?.entries[1].location == SourceLocation(file: "etc/conf.d/more.conf", line: 1))
        #expect(document.files == ["etc/main.conf", "etc/conf.d/more.conf", "shared/last.conf"])
    }

    @Test func includeLoopIsCaughtAndNamesTheChain() {
        let files = [
            "main.conf": "[a]\n#include b.conf\n",
            "b.conf": "x = 1\n#include ./c.conf\n",
            "c.conf": "y = 2\n#include main.conf\n",
        ]
        let (document, errors) = read(files)
        #expect(errors.map(\.description) == ["c.conf:2: #include loop: main.conf → b.conf → c.conf → main.conf"])
        #expect(pairs(section("a", document)) == ["x=1", "y=2"])
    }

    @Test func selfIncludeIsCaught() {
        let (_, errors) = read(["main.conf": "#include main.conf\n"])
        #expect(errors.map(\.description) == ["main.conf:1: #include loop: main.conf → main.conf"])
    }

    @Test func missingIncludeIsAnErrorButTryincludeIsNot() {
        let (_, errors) = read(["main.conf": "#include <gone.conf>\n#tryinclude gone-too.conf\n"])
        #expect(errors.map(\.description) == [#"main.conf:1: cannot read "gone.conf": no such file"#])
    }

    @Test func keyBeforeAnySectionIsAnError() {
        let (_, errors) = read(["main.conf": "x = 1\n[a]\n"])
        #expect(errors.map(\.description) == ["main.conf:1: x: a key before the first [section]"])
    }
}
