import Testing
@testable import AMI

@Suite struct MD5Tests {
    // RFC 1321, appendix A.5.
    @Test(arguments: [
        ("", "d41d8cd98f00b204e9800998ecf8427e"),
        ("a", "0cc175b9c0f1b6a831c399e269772661"),
        ("abc", "900150983cd24fb0d6963f7d28e17f72"),
        ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
        ("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
        ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"),
        (String(repeating: "1234567890", count: 8), "57edf4a22be3c955ac49da2e2107b67a"),
    ])
    func matchesTheRFCVectors(input: String, expected: String) {
        #expect(MD5.hex(Array(input.utf8)) == expected)
    }

    @Test func paddingBoundaries() {
        // 55, 56 and 64 bytes straddle the length field; values from coreutils md5sum.
        #expect(MD5.hex(Array(repeating: UInt8(ascii: "a"), count: 55)) == "ef1772b6dff9a122358552954ad0df65")
        #expect(MD5.hex(Array(repeating: UInt8(ascii: "a"), count: 56)) == "3b0c8ac703f828b04c6c197006d17218")
        #expect(MD5.hex(Array(repeating: UInt8(ascii: "a"), count: 64)) == "014842d480b571495a4a0363793f7367")
    }
}

@Suite struct BackoffTests {
    @Test func doublesUpToTheCap() {
        let backoff = Backoff(initial: .milliseconds(500), maximum: .seconds(30))
        #expect(backoff.ceiling(attempt: 0) == .milliseconds(500))
        #expect(backoff.ceiling(attempt: 1) == .seconds(1))
        #expect(backoff.ceiling(attempt: 3) == .seconds(4))
        #expect(backoff.ceiling(attempt: 6) == .seconds(30))
        #expect(backoff.ceiling(attempt: 1000) == .seconds(30))
    }

    @Test func jitterStaysBetweenHalfAndFullCeiling() {
        let backoff = Backoff(initial: .seconds(1), maximum: .seconds(8))
        for attempt in 0..<10 {
            let ceiling = backoff.ceiling(attempt: attempt)
            #expect(backoff.delay(attempt: attempt, unit: 0) == ceiling / 2)
            #expect(backoff.delay(attempt: attempt, unit: 1) == ceiling)
            let random = backoff.delay(attempt: attempt, unit: Double.random(in: 0...1))
            #expect(random >= ceiling / 2 && random <= ceiling)
        }
    }
}
