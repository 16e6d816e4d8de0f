import CtlKit
@testable import Crypt
@testable import HTTPServing
@testable import HTTPWire
import Testing

@Suite struct HashPasswordTests {
    /// Records what it was asked to hash.
    struct FakeHasher: PasswordHasher {
        func hash(_ password: String, method: HashMethod) throws -> String { "$\(method.rawValue)$\(password)" }
    }

    static func ctl(terminal: Bool, lines: [String]) -> TestCtl {
        var test = TestCtl()
        test.input = ScriptedInput(isTerminal: terminal, lines: lines)
        test.hasher = FakeHasher()
        return test
    }

    @Test func aTerminalIsAskedTwice() {
        let test = Self.ctl(terminal: true, lines: ["s3cret pass", "s3cret pass"])
        #expect(test.run(["hash-password"]) == 0)
        #expect(test.output.contents == "$yescrypt$s3cret pass\n")
        #expect(test.input.prompts.contents == "Password: Again: ")
    }

    @Test func twoDifferentEntriesFail() {
        let test = Self.ctl(terminal: true, lines: ["one", "two"])
        #expect(test.run(["hash-password", "--method", "sha512"]) == 1)
        #expect(test.error.contents == "Error: the passwords do not match\n")
        #expect(test.output.contents == "")
    }

    @Test func stdinReadsOneLineForScripts() {
        let test = Self.ctl(terminal: false, lines: ["from a pipe", "ignored"])
        #expect(test.run(["hash-password", "--stdin", "--method", "sha512"]) == 0)
        #expect(test.output.contents == "$sha512$from a pipe\n")
        #expect(test.input.prompts.contents == "")
    }

    @Test func aPipeWithoutStdinIsAUsageErrorAndEmptyIsRefused() {
        let piped = Self.ctl(terminal: false, lines: ["x"])
        #expect(piped.run(["hash-password"]) == 64)
        #expect(piped.error.lines.first == "Error: standard input is not a terminal: pass --stdin to read the password from it")
        let empty = Self.ctl(terminal: false, lines: [""])
        #expect(empty.run(["hash-password", "--stdin"]) == 1)
        #expect(empty.error.contents == "Error: the password is empty\n")
        let nothing = Self.ctl(terminal: false, lines: [])
        #expect(nothing.run(["hash-password", "--stdin"]) == 1)
        #expect(nothing.error.contents == "Error: no password on standard input\n")
    }
}
