import Foundation
import Testing
import TestSupport

import ControlPort
@testable import ControlAPI
@testable import Crypt
@testable import HTTPServing
@testable import HTTPWire

/// Hashes made outside this code: `openssl passwd -6|-5 -salt ccagentdTest 'correct horse'`;
/// yescrypt and bcrypt by the system's libcrypt through Python's `crypt` module at dev time
/// (Debian's `mkpasswd` was not installed); the `$2a$` one is OpenBSD's published "U*U" vector.
@Suite struct AuthPasswordTests {
    static let vectors: [(scheme: String, password: String, hash: String)] = [
        ("sha512crypt", "correct horse",
         "$6$ccagentdTest$GXCodFlWi4HvvE95RdYigZQFQlVtUj5Ge8lNtxFGoW9e5Qy/nF/zQ9SRVzjjUXf/l7.zgmJHUMnwFdS17z07f/"),
        ("sha256crypt", "correct horse", "$5$ccagentdTest$Q04JkmmDmCBzYSMlD200iLDzM6lJUEx.XEyhWMy63RA"),
        ("yescrypt", "correct horse", "$y$j9T$ccagentdTestSaltYescr/$fiJyxn72VXEPjfrpcvNdVAkb.s1Ui/ltJwHy4P9ncm8"),
        ("bcrypt", "correct horse", "$2b$05$ccagentdTestSaltBcrypuWu.cdJaAeQIpl5uNICVP6.7PpIQDwJi"),
        ("bcrypt (OpenBSD vector)", "U*U", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"),
        ("sha512crypt, UTF-8", "pässwörd ✓",
         "$6$ccagentdUtf8$ZpK1KczugflPVBJKHFnMXuHehwGGdRMvkTs9eRQf3FrOHvUFX50WrTCzknyhXM5ZS00/WXoEiBovo/v3FXGaU1"),
        ("sha512crypt, empty password", "",
         "$6$ccagentdEmpty$i3P2ItjU7NfQLLz8JThFg0PHKlc7gu1hG822haWsUj8b1hq9ApMhISn8r4ziWqRalRwzUYV3iqfQL.yg5Ia2T0"),
    ]

    @Test(arguments: vectors.indices)
    func theRightPasswordVerifies(index: Int) {
        let vector = Self.vectors[index]
        #expect(PasswordCheck.verify(vector.password, against: vector.hash), "\(vector.scheme)")
    }

    @Test(arguments: vectors.indices)
    func anyOtherPasswordDoesNot(index: Int) {
        let vector = Self.vectors[index]
        for wrong in ["", "x", vector.password + " ", " " + vector.password, vector.password.uppercased(), "correct horsE", "demo"]
        where wrong != vector.password {
            #expect(!PasswordCheck.verify(wrong, against: vector.hash), "\(vector.scheme): \(wrong)")
        }
    }

    @Test(arguments: vectors.indices)
    func aHashWithAnyCharacterChangedOrCutDoesNotVerify(index: Int) {
        let vector = Self.vectors[index]
        var bytes = Array(vector.hash.utf8)
        bytes[bytes.count - 1] = bytes[bytes.count - 1] == UInt8(ascii: "a") ? UInt8(ascii: "b") : UInt8(ascii: "a")
        #expect(!PasswordCheck.verify(vector.password, against: String(decoding: bytes, as: UTF8.self)))
        #expect(!PasswordCheck.verify(vector.password, against: String(vector.hash.dropLast())))
        #expect(!PasswordCheck.verify(vector.password, against: vector.hash + "x"))
    }

    @Test func theSampleConfigsDemoUsersHavePasswordDemo() throws {
        let path = Repository.path("Config/ccagentd.conf")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("Every demo password is"))
        let hashes = text.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("password = ") else { return nil }
            return String(line.dropFirst("password = ".count).prefix { $0 != " " })
        }
        #expect(hashes.count == 6)
        for hash in hashes {
            #expect(hash.hasPrefix("$6$"))
            #expect(PasswordCheck.verify("demo", against: hash), "\(hash)")
            #expect(!PasswordCheck.verify("Demo", against: hash))
        }
    }

    static let garbage = [
        "", "*", "!", "!!", "*LK*", "x", "$", "$$", "$6$", "$y$", "$y$j9T$abc", "$7$", "$99$salt$hash", "$2b$99$",
        "!$6$ccagentdTest$GXCodFlWi4HvvE95RdYigZQFQlVtUj5Ge8lNtxFGoW9e5Qy/nF/zQ9SRVzjjUXf/l7.zgmJHUMnwFdS17z07f/",
        "$6$salt\u{0}$x", "correct horse", String(repeating: "$6$", count: 400), "\u{1F600}",
    ]

    @Test(arguments: garbage)
    func garbageHashesAreFalseNeverACrash(hash: String) {
        for password in ["", "correct horse", "*", hash] {
            #expect(!PasswordCheck.verify(password, against: hash))
        }
    }

    @Test func aNULCannotCutThePasswordShort() {
        let hash = Self.vectors[0].hash
        #expect(!PasswordCheck.verify("correct horse\u{0}", against: hash))
        #expect(!PasswordCheck.verify("correct horse\u{0}anything", against: hash))
        #expect(!PasswordCheck.verify("\u{0}", against: Self.vectors[6].hash))
    }

    @Test func aPasswordOverLibcryptsLimitIsFalse() throws {
        let long = String(repeating: "a", count: PasswordHash.maximumBytes + 1)
        #expect(!PasswordCheck.verify(long, against: Self.vectors[0].hash))
        #expect(!PasswordCheck.verify(String(repeating: "a", count: 100_000), against: Self.vectors[0].hash))
    }

    @Test func anUnknownLoginIsRejected() {
        #expect(!PasswordCheck.rejectUnknownLogin("demo"))
        #expect(!PasswordCheck.rejectUnknownLogin(""))
        // Even when the password is the one of the hash it borrows its cost from.
        #expect(!PasswordCheck.rejectUnknownLogin("correct horse", costLike: Self.vectors[2].hash))
        // The decoy must cost a real check: crypt accepts it as a setting.
        #expect((try? CryptCall.hash("demo", setting: PasswordCheck.decoyHash)) != nil)
    }

    @Test func checksRunFromManyThreadsAtOnce() async {
        let results = await withTaskGroup(of: Bool.self) { group in
            for i in 0..<16 {
                let vector = Self.vectors[i % 2 == 0 ? 0 : 1]
                group.addTask { PasswordCheck.verify(i % 4 < 2 ? vector.password : "wrong", against: vector.hash) }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results.filter { $0 }.count == 8)
    }
}
