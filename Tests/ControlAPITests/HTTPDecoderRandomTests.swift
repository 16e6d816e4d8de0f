import Testing
import TestSupport
import ControlPort
@testable import ControlAPI
@testable import Crypt
@testable import HTTPServing
@testable import HTTPWire

/// Random and mutated streams: no crash, the same outcome however they are cut, and never more
/// held than the limits allow.
@Suite struct HTTPDecoderRandomTests {
    static let limits = HTTPLimits(maximumHeaderBytes: 256, maximumHeaderCount: 8, maximumBodyBytes: 64, maximumTargetLength: 32)
    static var bound: Int { limits.maximumHeaderBytes + limits.maximumBodyBytes }

    static let pieces: [[UInt8]] = [
        "GET ", "POST ", " ", "/", "/a", "%2F", "%", "?x=1", "&", "..", "HTTP/1.1", "HTTP/1.0", "\r\n", "\r\n\r\n", "\r", "\n",
        ":", " : ", "Host: x\r\n", "Content-Length: ", "0", "1", "7", "64", "65", ", ", "Transfer-Encoding: chunked\r\n",
        "Expect: 100-continue\r\n", "Connection: close\r\n", "a\r\n", "0\r\n\r\n", "3\r\nabc\r\n", ";e=1", "\t", "\0", "é",
    ].map { Array($0.utf8) }

    static func pick(_ choices: [String], _ rng: inout SplitMix64) -> String {
        choices[Int.random(in: 0..<choices.count, using: &rng)]
    }

    /// Requests that are mostly well-formed, with a wrong part now and then.
    static func randomStream(_ rng: inout SplitMix64) -> [UInt8] {
        var text = ""
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            let eol = pick(["\r\n", "\r\n", "\r\n", "\n", "\r"], &rng)
            text += pick(["", "", "", "\r\n"], &rng)
            text += pick(["GET", "POST", "PUT", "DELETE", "OPTIONS", "G@T", String(repeating: "M", count: 33)], &rng) + " "
            text += "/" + (0..<Int.random(in: 0...3, using: &rng)).map { _ in
                pick(["a", "b", "%2F", "..", "x%zz", "é", String(repeating: "t", count: 12)], &rng)
            }.joined(separator: "/")
            text += pick(["", "", "?q=1&r", "?x=%41+b", "*"], &rng)
            text += " " + pick(["HTTP/1.1", "HTTP/1.1", "HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "HTTP/1.1 "], &rng) + eol
            var chunked = false
            for _ in 0..<Int.random(in: 0...6, using: &rng) {
                var line = pick(
                    [
                        "Host: x", "Host: x", "Host: y", "Content-Length: \(Int.random(in: 0...90, using: &rng))",
                        "Transfer-Encoding: chunked", "Connection: close", "Expect: 100-continue", "X: v", "X : v",
                        " folded", "Content-Length: -1", "X: " + String(repeating: "v", count: Int.random(in: 0...250, using: &rng)),
                    ], &rng)
                if line.hasPrefix("Transfer") { chunked = true }
                if line.hasPrefix("Host"), text.contains("Host") { line = "X-Host: x" }
                text += line + eol
            }
            text += eol
            if chunked {
                for _ in 0..<Int.random(in: 0...4, using: &rng) {
                    let size = Int.random(in: 1...30, using: &rng)
                    text += String(size, radix: 16) + pick(["", ";e=1"], &rng) + eol + String(repeating: "c", count: size) + eol
                }
                text += "0" + eol + pick(["", "T: 1" + eol], &rng) + eol
            } else {
                text += String(repeating: "b", count: Int.random(in: 0...70, using: &rng))
            }
        }
        var wire = Array(text.utf8)
        if !wire.isEmpty, Int.random(in: 0..<4, using: &rng) == 0 {
            wire[Int.random(in: 0..<wire.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
        }
        return wire
    }

    static func mutated(_ wire: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        var bytes = wire
        for _ in 0..<Int.random(in: 1...4, using: &rng) where !bytes.isEmpty {
            let at = Int.random(in: 0..<bytes.count, using: &rng)
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: bytes[at] = UInt8.random(in: 0...255, using: &rng)
            case 1: bytes.remove(at: at)
            case 2: bytes.insert(contentsOf: pieces[Int.random(in: 0..<pieces.count, using: &rng)], at: at)
            default: bytes.insert(bytes[at], at: at)
            }
        }
        return bytes
    }

    /// Decodes in random pieces of up to 40 bytes, checking the bound after every drain.
    static func decodeRandomlyCut(_ wire: [UInt8], _ rng: inout SplitMix64) -> (outcomes: [Outcome], maximumHeld: Int) {
        var maximumHeld = 0
        let cuts = DecoderVerifier<HTTPRequestStream>.randomCuts(count: wire.count, largest: 40, using: &rng)
        let outcomes = Decode.verifier(limits: limits).decode(wire, cuts: cuts) { stream in
            maximumHeld = max(maximumHeld, stream.decoder.bufferedByteCount)
        }
        return (outcomes, maximumHeld)
    }

    /// The outcomes, or nil after recording an issue.
    static func check(_ wire: [UInt8], _ rng: inout SplitMix64) -> [Outcome]? {
        let whole = Decode.whole(wire, limits: limits)
        let (cut, held) = decodeRandomlyCut(wire, &rng)
        if cut != whole {
            Issue.record("cut differently: \(wire) → \(cut) instead of \(whole)")
            return nil
        }
        if held > bound {
            Issue.record("held \(held) bytes: \(wire)")
            return nil
        }
        return whole
    }

    @Test(arguments: [1, 2, 3, 4])
    func randomStreams(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        var requests = 0
        var statuses = Set<Int>()
        for _ in 0..<1500 {
            guard let outcomes = Self.check(Self.randomStream(&rng), &rng) else { return }
            for outcome in outcomes {
                switch outcome {
                case .message: requests += 1
                case .failure(let error): statuses.insert(error.status.code)
                }
            }
        }
        // The streams reach past the request line: some decode, and many kinds of refusal occur.
        #expect(requests > 0)
        #expect(statuses.isSuperset(of: [400, 413, 431]), "\(statuses.sorted())")
    }

    @Test(arguments: [5, 6, 7, 8])
    func mutatedValidStreams(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        let valid = Array(
            ("GET /a?b=c HTTP/1.1\r\nHost: x\r\n\r\nPOST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
                + "PUT /q HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nT: 1\r\n\r\n"
                + "GET / HTTP/1.0\r\n\r\n").utf8)
        #expect(Decode.whole(valid, limits: Self.limits).count == 4)
        for _ in 0..<1500 where Self.check(Self.mutated(valid, &rng), &rng) != nil {}
    }

    @Test func uniformlyRandomBytes() {
        var rng = SplitMix64(seed: 9)
        for _ in 0..<500 {
            let wire = (0..<Int.random(in: 0...600, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            if Self.check(wire, &rng) == nil { return }
        }
    }

    @Test func slowDripOfAnEndlessHeaderStaysBounded() throws {
        var decoder = HTTPRequestDecoder(limits: Self.limits)
        decoder.append(Array("GET / HTTP/1.1\r\nX: ".utf8))
        var thrown: HTTPError?
        for _ in 0..<10_000 where thrown == nil {
            decoder.append([0x61])
            do { _ = try decoder.next() } catch { thrown = error }
            #expect(decoder.bufferedByteCount <= Self.limits.maximumHeaderBytes)
        }
        #expect(thrown?.status == .requestHeaderFieldsTooLarge)
    }

    @Test func endlessChunkedBodyStopsAtTheLimit() {
        var decoder = HTTPRequestDecoder(limits: Self.limits)
        decoder.append(Array("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n".utf8))
        var thrown: HTTPError?
        for _ in 0..<100 where thrown == nil {
            decoder.append(Array("a\r\n0123456789\r\n".utf8))
            do { _ = try decoder.next() } catch { thrown = error }
            #expect(decoder.bufferedByteCount <= Self.bound)
        }
        #expect(thrown?.status == .contentTooLarge)
    }
}
