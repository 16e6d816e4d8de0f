import Testing

import ControlPort
@testable import ControlAPI
@testable import Crypt
@testable import HTTPServing
@testable import HTTPWire

@Suite struct AuthPasswordHashTests {
    @Test(arguments: PasswordHash.Method.allCases)
    func aMadeHashVerifiesItsPasswordOnly(method: PasswordHash.Method) throws {
        let hash = try PasswordHash.make("correct horse", method: method)
        #expect(hash.hasPrefix(method == .yescrypt ? "$y$" : "$6$"))
        #expect(PasswordCheck.verify("correct horse", against: hash))
        #expect(!PasswordCheck.verify("correct horsf", against: hash))
        #expect(!PasswordCheck.verify("", against: hash))
    }

    @Test func theDefaultIsYescrypt() throws {
        #expect(try PasswordHash.make("x").hasPrefix("$y$"))
    }

    @Test(arguments: PasswordHash.Method.allCases)
    func everyHashHasAFreshSalt(method: PasswordHash.Method) throws {
        let hashes = try (0..<4).map { _ in try PasswordHash.make("same", method: method) }
        #expect(Set(hashes).count == 4)
        let salts = hashes.map { $0.split(separator: "$").dropLast().joined(separator: "$") }
        #expect(Set(salts).count == 4)
    }

    @Test func theConfigAcceptsWhatItMakes() throws {
        // The shape Config's isCryptHash accepts: `$id$…$…` with no spaces.
        for method in PasswordHash.Method.allCases {
            let hash = try PasswordHash.make("a b;c=d#e", method: method)
            #expect(!hash.contains(where: \.isWhitespace) && !hash.contains(";"))
            #expect(PasswordCheck.verify("a b;c=d#e", against: hash))
        }
    }

    @Test func refusesAnEmptyPassword() {
        #expect(throws: PasswordHashError.empty) { try PasswordHash.make("") }
    }

    @Test func refusesANUL() {
        #expect(throws: PasswordHashError.containsNUL) { try PasswordHash.make("secret\u{0}more") }
        #expect(throws: PasswordHashError.containsNUL) { try PasswordHash.make("\u{0}") }
    }

    @Test func refusesWhatLibcryptWouldNotHash() throws {
        let limit = PasswordHash.maximumBytes
        #expect(limit == 511)
        #expect(PasswordCheck.verify(String(repeating: "é", count: 255) + "a", against: try PasswordHash.make(String(repeating: "é", count: 255) + "a", method: .sha512)))
        #expect(throws: PasswordHashError.tooLong(bytes: 512, maximum: 511)) { try PasswordHash.make(String(repeating: "é", count: 256)) }
        #expect(throws: PasswordHashError.tooLong(bytes: 2000, maximum: 511)) { try PasswordHash.make(String(repeating: "a", count: 2000)) }
    }

    @Test func errorsSayWhatIsWrongWithoutThePassword() {
        #expect(PasswordHashError.containsNUL.description == "the password contains a NUL byte")
        #expect(PasswordHashError.tooLong(bytes: 600, maximum: 511).description == "the password is 600 bytes long; libcrypt takes at most 511")
        #expect(PasswordHashError.empty.description == "the password is empty")
    }
}
