import Testing
import TestSupport
@testable import AMI

/// The same stream decodes to the same frames however the socket happened to cut it.
@Suite struct DecoderChunkingTests {
    /// Transcripts small enough to split at every offset (O(n²) bytes decoded).
    static let small = Fixture.scenarios.filter { ((try? Fixture.bytes("\($0).recv.txt").count) ?? 0) <= 4 * 1024 }
    static let large = Fixture.scenarios.filter { !small.contains($0) }

    @Test(arguments: small)
    func everyTwoChunkSplitOfASmallTranscript(scenario: String) throws {
        Decode.verifier().verifyEverySplit(try Fixture.bytes("\(scenario).recv.txt"))
    }

    /// A 4 KiB slice of a big transcript, cut on frame boundaries, split at every offset; the whole
    /// file split at every 401st offset (a prime, so the cuts fall everywhere in the lines).
    @Test(arguments: large)
    func twoChunkSplitsOfALargeTranscript(scenario: String) throws {
        let wire = try Fixture.bytes("\(scenario).recv.txt")
        let slice = Self.frameAlignedSlice(of: wire, around: wire.count / 2, length: 4 * 1024)
        #expect(Decode.messages(Decode.whole(slice, expectsBanner: false)).count > 5)
        Decode.verifier(expectsBanner: false).verifyEverySplit(slice)
        Decode.verifier().verifyEverySplit(wire, every: 401)
    }

    /// Whole, byte by byte, in odd sizes and in random cuts: the same frames. The sent side too.
    @Test(arguments: Fixture.scenarios)
    func byteByByte(scenario: String) throws {
        let wire = try Fixture.bytes("\(scenario).recv.txt")
        #expect(Decode.chunked(wire, size: 1) == Decode.whole(wire))
        Decode.verifier().verify(wire)
        let sent = try Fixture.bytes("\(scenario).sent.txt")
        Decode.verifier(expectsBanner: false).verify(sent)
    }

    @Test(arguments: [2, 3, 7, 64, 1000, 4096, 65536])
    func fixedChunkSizes(chunkSize: Int) throws {
        for scenario in Fixture.scenarios {
            let wire = try Fixture.bytes("\(scenario).recv.txt")
            #expect(Decode.chunked(wire, size: chunkSize) == Decode.whole(wire), "\(scenario)")
        }
    }

    @Test(arguments: [1 as UInt64, 2, 3, 0xA57E_215C])
    func randomChunkings(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        for scenario in Fixture.scenarios {
            let wire = try Fixture.bytes("\(scenario).recv.txt")
            let expected = Decode.whole(wire)
            for _ in 0..<3 {
                let boundaries = DecoderVerifier<AMIFrameStream>.randomCuts(count: wire.count, using: &random)
                #expect(Decode.run(wire, boundaries: boundaries) == expected, "\(scenario) seed \(seed)")
            }
        }
    }

    /// All transcripts back to back, as one long-lived connection would see them, in random chunks.
    @Test func concatenatedTranscriptsInRandomChunks() throws {
        var wire = Array("Asterisk Call Manager/11.0.0\r\n".utf8)
        var expectedMessages: [AMIMessage] = []
        for scenario in Fixture.scenarios {
            let bytes = try Fixture.bytes("\(scenario).recv.txt")
            let body = Array(bytes.drop { $0 != 0x0A }.dropFirst())  // without its banner
            wire += body
            expectedMessages += NaiveAMI.parse(body, expectsBanner: false).messages.map { AMIMessage($0.map { ($0.key, $0.value) }) }
        }
        var random = SplitMix64(seed: 42)
        let decoded = Decode.run(wire, boundaries: DecoderVerifier<AMIFrameStream>.randomCuts(count: wire.count, using: &random))
        #expect(decoded.first == .message(.banner(version: "11.0.0")))
        #expect(Decode.messages(decoded) == expectedMessages)
        #expect(decoded.count == expectedMessages.count + 1)
    }

    @Test func streamOffsetCountsEveryByte() throws {
        let wire = try Fixture.bytes("06-inbound-call-queue.recv.txt")
        var decoder = AMIFrameDecoder()
        var fed = 0
        for start in stride(from: 0, to: wire.count, by: 1500) {
            let chunk = wire[start..<min(start + 1500, wire.count)]
            decoder.append(contentsOf: chunk)
            fed += chunk.count
            while try decoder.next() != nil {}
            #expect(decoder.streamOffset + decoder.bufferedByteCount == fed)
        }
        #expect(decoder.bufferedByteCount == 0)
        #expect(decoder.streamOffset == wire.count)
    }

    @Test func appendFromARawBufferIsTheSame() throws {
        let wire = try Fixture.bytes("04-queue-member-actions.recv.txt")
        var decoder = AMIFrameDecoder()
        var decoded: [Decoded] = []
        for start in stride(from: 0, to: wire.count, by: 333) {
            wire[start..<min(start + 333, wire.count)].withUnsafeBytes { decoder.append($0) }
            decoded.drain(stopAtFailure: false) { () throws(AMIError) in try decoder.next() }
        }
        #expect(decoded == Decode.whole(wire))
    }

    // MARK: Helpers

    /// About `length` bytes starting and ending on a frame boundary near `around`.
    static func frameAlignedSlice(of wire: [UInt8], around: Int, length: Int) -> [UInt8] {
        let terminator: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A]
        func nextBoundary(after index: Int) -> Int {
            var i = index
            while i + 4 <= wire.count {
                if wire[i..<(i + 4)].elementsEqual(terminator) { return i + 4 }
                i += 1
            }
            return wire.count
        }
        let start = nextBoundary(after: around)
        let end = nextBoundary(after: min(start + length, wire.count))
        return Array(wire[start..<min(end, wire.count)])
    }
}
