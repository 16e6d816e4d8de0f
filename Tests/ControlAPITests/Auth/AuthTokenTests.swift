import Testing

import ControlPort
@testable import ControlAPI
@testable import Crypt
@testable import HTTPServing
@testable import HTTPWire

@Suite struct AuthTokenTests {
    @Test func constantTimeEqualsAnswersLikeEquality() {
        let cases: [([UInt8], [UInt8])] = [
            ([], []), ([0], [0]), ([0], [1]), ([1, 2, 3], [1, 2, 3]), ([1, 2, 3], [1, 2, 4]), ([9, 2, 3], [1, 2, 3]),
            ([1, 2], [1, 2, 3]), ([1, 2, 3], [1, 2]), ([], [0]), ([0x80], [0x00]), ([0xff, 0xff], [0xff, 0xfe]),
        ]
        for (a, b) in cases {
            #expect(constantTimeEquals(a, b) == (a == b), "\(a) vs \(b)")
        }
        // Every single-bit difference at every position is seen.
        let base = [UInt8](repeating: 0x5a, count: 64)
        for position in base.indices {
            for bit in 0..<8 {
                var other = base
                other[position] ^= 1 << bit
                #expect(!constantTimeEquals(base, other))
            }
        }
    }

    @Test func constantTimeEqualsTakesAnyByteCollections() {
        #expect(constantTimeEquals("abc".utf8, [0x61, 0x62, 0x63]))
        #expect(constantTimeEquals("abc".utf8, "abc".utf8.dropFirst(0)))
        #expect(!constantTimeEquals("abc".utf8, "abcd".utf8.prefix(4)))
        #expect(constantTimeEquals("é".utf8, [0xc3, 0xa9]))
    }

    @Test func randomBytesAreRandomAndAnyCount() throws {
        #expect(try RandomBytes.generate(count: 0).isEmpty)
        #expect(try RandomBytes.generate(count: -1).isEmpty)
        // More than the 256 bytes getrandom(2) promises in one go.
        let big = try RandomBytes.generate(count: 100_000)
        #expect(big.count == 100_000)
        var histogram = [Int](repeating: 0, count: 256)
        for byte in big { histogram[Int(byte)] += 1 }
        // Each value expected ~390 times; a stuck or biased source would be far off.
        #expect(histogram.allSatisfy { (250...550).contains($0) })
        #expect(try RandomBytes.generate(count: 32) != RandomBytes.generate(count: 32))
    }

    @Test func sessionTokensAre64LowercaseHexDigits() throws {
        for _ in 0..<100 {
            let token = try SessionToken.generate()
            #expect(token.utf8.count == 64)
            #expect(token.allSatisfy { "0123456789abcdef".contains($0) })
            #expect(SessionToken.isWellFormed(token))
        }
    }

    @Test func sessionTokensDoNotRepeatOverManyGenerations() throws {
        var seen = Set<String>()
        var prefixes = Set<Substring>()
        for _ in 0..<20_000 {
            let token = try SessionToken.generate()
            seen.insert(token)
            prefixes.insert(token.prefix(16))
        }
        #expect(seen.count == 20_000)
        #expect(prefixes.count == 20_000)
    }

    @Test func everyHexDigitTurnsUpInEveryPosition() throws {
        var digitsAt = [Set<Character>](repeating: [], count: 64)
        for _ in 0..<2000 {
            for (position, digit) in try SessionToken.generate().enumerated() { digitsAt[position].insert(digit) }
        }
        #expect(digitsAt.allSatisfy { $0.count == 16 })
    }

    @Test func malformedTokensAreRecognised() {
        let good = String(repeating: "0123456789abcdef", count: 4)
        #expect(SessionToken.isWellFormed(good))
        for bad in ["", String(good.dropLast()), good + "0", good.uppercased(), String(good.dropLast()) + "g",
                    String(good.dropLast()) + " ", String(good.dropLast(2)) + "é"] {
            #expect(!SessionToken.isWellFormed(bad), "\(bad)")
        }
    }

    @Test func theIndexKeyIsTheFirst16HexDigits() {
        #expect(SessionStore.indexKey(String(repeating: "0123456789abcdef", count: 4)) == 0x0123_4567_89ab_cdef)
        #expect(SessionStore.indexKey("ffffffffffffffff" + String(repeating: "0", count: 48)) == UInt64.max)
        #expect(SessionStore.indexKey("not a token") == nil)
    }

    @Test func adminTokensMatchByNameInFull() {
        let tokens = AdminTokens([
            AdminToken(name: "deploy", token: "d" + String(repeating: "1", count: 40)),
            AdminToken(name: "backup", token: "b" + String(repeating: "1", count: 40)),
        ])
        #expect(tokens.match("d" + String(repeating: "1", count: 40)) == "deploy")
        #expect(tokens.match("b" + String(repeating: "1", count: 40)) == "backup")
        #expect(tokens.match("d" + String(repeating: "1", count: 39)) == nil)
        #expect(tokens.match("d" + String(repeating: "1", count: 41)) == nil)
        #expect(tokens.match("x" + String(repeating: "1", count: 40)) == nil)
        #expect(tokens.match("") == nil)
        #expect(AdminTokens().match("") == nil)
    }

    @Test func printingAnAdminTokenNeverShowsTheSecret() {
        let secret = "s3cr3t-" + String(repeating: "x", count: 32)
        let token = AdminToken(name: "deploy", token: secret)
        let tokens = AdminTokens([token])
        for text in ["\(token)", String(reflecting: token), "\(tokens)", String(reflecting: tokens), "\([token])", "\(Optional(token) as Any)"] {
            #expect(!text.contains(secret), "\(text)")
            #expect(text.contains("deploy"), "\(text)")
        }
    }
}
