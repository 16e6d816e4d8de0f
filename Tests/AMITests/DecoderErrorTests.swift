import Testing
import TestSupport
@testable import AMI

/// Bad input is a typed error naming the offset, the decoder goes on with the next frame, and
/// nothing makes it hold more than its bound.
@Suite struct DecoderErrorTests {
    static let good1 = Array("Event: One\r\nA: 1\r\n\r\n".utf8)
    static let good2 = Array("Event: Two\r\nB: 2\r\n\r\n".utf8)

    static func bigFrame(bytes: Int) -> [UInt8] {
        var frame = Array("Event: Huge\r\n".utf8)
        var n = 0
        while frame.count < bytes {
            frame += Array("Line\(n): \(String(repeating: "x", count: 60))\r\n".utf8)
            n += 1
        }
        return frame + [0x0D, 0x0A]
    }

    @Test(arguments: [1, 2, 3, 100, 1024, 4096, 1 << 20])
    func oversizedFrameIsSkipped(chunkSize: Int) {
        let limit = 1024
        let big = Self.bigFrame(bytes: 5000)
        let wire = Self.good1 + big + Self.good2 + big + Self.good1
        let decoded = Decode.chunked(wire, size: chunkSize, expectsBanner: false, maximumFrameSize: limit)
        let secondBig = Self.good1.count + big.count + Self.good2.count
        #expect(
            decoded == [
                .message(.message(AMIMessage([("Event", "One"), ("A", "1")]))),
                .failure(.frameTooLarge(limit: limit, offset: Self.good1.count)),
                .message(.message(AMIMessage([("Event", "Two"), ("B", "2")]))),
                .failure(.frameTooLarge(limit: limit, offset: secondBig)),
                .message(.message(AMIMessage([("Event", "One"), ("A", "1")]))),
            ])
    }

    @Test func frameAtTheBoundIsAccepted() throws {
        let limit = 4096
        var frame = Self.bigFrame(bytes: 3000)
        // Pad one value so the frame, blank line included, is exactly `limit` bytes.
        let pad = limit - frame.count
        frame.insert(contentsOf: Array("P: \(String(repeating: "p", count: pad - 5))\r\n".utf8), at: 13)
        #expect(frame.count == limit)
        for size in [1, 7, 4096, 10000] {
            let decoded = Decode.chunked(frame + Self.good2, size: size, expectsBanner: false, maximumFrameSize: limit)
            #expect(decoded.count == 2)
            #expect(Decode.messages(decoded).first?.name == "Huge")
            let over = Decode.chunked(frame + Self.good2, size: size, expectsBanner: false, maximumFrameSize: limit - 1)
            #expect(over.first == .failure(.frameTooLarge(limit: limit - 1, offset: 0)))
            #expect(Decode.messages(over).map(\.name) == ["Two"])
        }
    }

    @Test func frameTooLargeWhenItNeverEnds() throws {
        var decoder = AMIFrameDecoder(expectsBanner: false, maximumFrameSize: 1000)
        decoder.append(contentsOf: Self.good1)
        #expect(try decoder.next()?.message?.name == "One")
        let line = Array("Output: \(String(repeating: "y", count: 90))\r\n".utf8)
        var thrown: AMIError?
        for _ in 0..<100 {
            decoder.append(contentsOf: line)
            do { _ = try decoder.next() } catch { thrown = error; break }
            #expect(decoder.bufferedByteCount <= 1000)
        }
        #expect(thrown == .frameTooLarge(limit: 1000, offset: Self.good1.count))
        #expect(decoder.bufferedByteCount <= 2)
        // Still inside the huge frame: its lines are dropped until the blank line.
        for _ in 0..<50 {
            decoder.append(contentsOf: line)
            #expect(try decoder.next() == nil)
            #expect(decoder.bufferedByteCount <= 2)
        }
        decoder.append(contentsOf: [0x0D, 0x0A] + Self.good2)
        #expect(try decoder.next()?.message?.name == "Two")
        #expect(decoder.bufferedByteCount == 0)
    }

    @Test func bannerWithoutLineEndIsBounded() {
        let decoded = Decode.chunked(Array(repeating: UInt8(ascii: "A"), count: 5000) + Array("\r\n\r\n".utf8) + Self.good2, size: 100, maximumFrameSize: 1000)
        #expect(decoded.first == .failure(.frameTooLarge(limit: 1000, offset: 0)))
        #expect(Decode.messages(decoded).map(\.name) == ["Two"])
    }

    @Test(arguments: [1, 5, 1 << 16])
    func lineWithoutColonNamesItsOffset(chunkSize: Int) {
        let bad = Array("Event: Bad\r\nno colon here\r\nKey: v\r\n\r\n".utf8)
        let banner = Array("Asterisk Call Manager/11.0.0\r\n".utf8)
        let wire = banner + Self.good1 + bad + Self.good2
        let offset = banner.count + Self.good1.count + "Event: Bad\r\n".utf8.count
        #expect(
            Decode.chunked(wire, size: chunkSize) == [
                .message(.banner(version: "11.0.0")),
                .message(.message(AMIMessage([("Event", "One"), ("A", "1")]))),
                .failure(.malformedLine(offset: offset, line: "no colon here")),
                .message(.message(AMIMessage([("Event", "Two"), ("B", "2")]))),
            ])
    }

    @Test func malformedOffsetsStayRightAfterTheBufferIsReclaimed() throws {
        // Many frames first, so the decoder has dropped consumed bytes before the bad line.
        let filler = try Fixture.bytes("06-inbound-call-queue.recv.txt")
        let bad = Array("Event: X\r\n\u{FF}garbage line\r\n\r\n".utf8)
        let wire = filler + bad + Self.good2
        for size in [1, 1000, 65536] {
            let decoded = Decode.chunked(wire, size: size)
            let errors = decoded.filter { if case .failure = $0 { true } else { false } }
            #expect(errors == [.failure(.malformedLine(offset: filler.count + 10, line: "\u{FF}garbage line"))])
            #expect(Decode.messages(decoded).last?.name == "Two")
        }
    }

    @Test func errorDescriptionsNameTheOffset() {
        #expect(AMIError.frameTooLarge(limit: 1024, offset: 77).description.contains("77"))
        #expect(AMIError.malformedLine(offset: 12, line: "oops").description.contains("12"))
    }

    // MARK: Random input

    enum Noise: String, CaseIterable, Sendable { case uniform, amiAlphabet, corruptedTranscript }

    static func noise(_ kind: Noise, bytes count: Int, using random: inout SplitMix64, transcript: [UInt8]) -> [UInt8] {
        switch kind {
        case .uniform:
            return (0..<count).map { _ in UInt8.random(in: 0...255, using: &random) }
        case .amiAlphabet:
            // The bytes the decoder branches on, so every path is taken often.
            let alphabet = Array("\r\n\r\n::  -Aa".utf8) + [0x00, 0xFF, 0xC3, 0xA9]
            let words = ["Response: Follows\r\n", "--END COMMAND--", "Asterisk Call Manager/", "Event: X\r\n", "\r\n\r\n"].map { Array($0.utf8) }
            var out: [UInt8] = []
            out.reserveCapacity(count)
            while out.count < count {
                if Int.random(in: 0..<20, using: &random) == 0 {
                    out += words[Int.random(in: 0..<words.count, using: &random)]
                } else {
                    out.append(alphabet[Int.random(in: 0..<alphabet.count, using: &random)])
                }
            }
            return out
        case .corruptedTranscript:
            var out: [UInt8] = []
            out.reserveCapacity(count)
            while out.count < count { out += transcript }
            for _ in 0..<(count / 200) {
                out[Int.random(in: 0..<out.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
            }
            return out
        }
    }

    @Test(arguments: Noise.allCases, [1 as UInt64, 2])
    func randomBytesNeverCrashOrOverfill(kind: Noise, seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        let transcript = try Fixture.bytes("10-redirect-transfer.recv.txt")
        let limits = [64, 1000, 16 * 1024]
        for round in 0..<6 {
            let bytes = Self.noise(kind, bytes: 256 * 1024, using: &random, transcript: transcript)
            let limit = limits[round % limits.count]
            var decoder = AMIFrameDecoder(expectsBanner: round % 2 == 0, maximumFrameSize: limit)
            var position = 0
            var frames = 0
            var errors = 0
            while position < bytes.count {
                let size = min(Int.random(in: 1...3000, using: &random), bytes.count - position)
                decoder.append(contentsOf: bytes[position..<(position + size)])
                position += size
                #expect(decoder.bufferedByteCount <= decoder.maximumFrameSize + size)
                var progress = 0
                while progress < 100_000 {
                    progress += 1
                    do {
                        guard try decoder.next() != nil else { break }
                        frames += 1
                    } catch {
                        errors += 1
                        switch error {
                        case .frameTooLarge(_, let offset), .malformedLine(let offset, _):
                            #expect(offset >= 0 && offset < position)
                        default:
                            Issue.record("unexpected error \(error)")
                        }
                    }
                }
                #expect(progress < 100_000, "the decoder stopped making progress")
                #expect(decoder.bufferedByteCount <= decoder.maximumFrameSize)
                #expect(decoder.streamOffset + decoder.bufferedByteCount == position)
            }
            #expect(frames + errors > 0)
        }
    }
}
