import Testing
@testable import AMI

/// The same stream decodes to the same frames however the socket happened to cut it.
@Suite struct DecoderChunkingTests {
    /// Transcripts small enough to split at every offset (O(n²) bytes decoded).
    static let small = Fixture.scenarios.filter { ((try? Fixture.bytes("\($0).recv.txt").count) ?? 0) <= 4 * 1024 }
    static let large = Fixture.scenarios.filter { !small.contains($0) }

    @Test(arguments: small)
    func everyTwoChunkSplitOfASmallTranscript(scenario: String) throws {
        let wire = try Fixture.bytes("\(scenario).recv.txt")
        let expected = Decode.whole(wire)
        for offset in 0...wire.count {
            let decoded = Decode.run(wire, boundaries: [offset])
            // A plain comparison: #expect per offset costs more than the decoding it checks.
            if decoded != expected {
                Issue.record("split at \(offset): \(decoded) instead of \(expected)")
                return
            }
        }
    }

    /// A 4 KiB slice of a big transcript, cut on frame boundaries, split at every offset; the whole
    /// file split at every 401st offset (a prime, so the cuts fall everywhere in the lines).
    @Test(arguments: large)
    func twoChunkSplitsOfALargeTranscript(scenario: String) throws {
        let wire = try Fixture.bytes("\(scenario).recv.txt")
        let slice = Self.frameAlignedSlice(of: wire, around: wire.count / 2, length: 4 * 1024)
        let expectedSlice = Decode.whole(slice, expectsBanner: false)
        #expect(Decode.messages(expectedSlice).count > 5)
        for offset in 0...slice.count {
            let decoded = Decode.run(slice, boundaries: [offset], expectsBanner: false)
            // A plain comparison: #expect per offset costs more than the decoding it checks.
            if decoded != expectedSlice {
                Issue.record("slice split at \(offset): \(decoded) instead of \(expectedSlice)")
                return
            }
        }
        let expected = Decode.whole(wire)
        for offset in stride(from: 0, through: wire.count, by: 401) {
            let decoded = Decode.run(wire, boundaries: [offset])
            // A plain comparison: #expect per offset costs more than the decoding it checks.
            if decoded != expected {
                Issue.record("split at \(offset): \(decoded) instead of \(expected)")
                return
            }
        }
    }

    @Test(arguments: Fixture.scenarios)
    func byteByByte(scenario: String) throws {
        let wire = try Fixture.bytes("\(scenario).recv.txt")
        #expect(Decode.chunked(wire, size: 1) == Decode.whole(wire))
        let sent = try Fixture.bytes("\(scenario).sent.txt")
        #expect(Decode.chunked(sent, size: 1, expectsBanner: false) == Decode.whole(sent, expectsBanner: false))
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
        var random = SeededRandom(seed: seed)
        for scenario in Fixture.scenarios {
            let wire = try Fixture.bytes("\(scenario).recv.txt")
            let expected = Decode.whole(wire)
            for _ in 0..<3 {
                let boundaries = Self.randomBoundaries(count: wire.count, using: &random)
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
        var random = SeededRandom(seed: 42)
        let decoded = Decode.run(wire, boundaries: Self.randomBoundaries(count: wire.count, using: &random))
        #expect(decoded.first == .frame(.banner(version: "11.0.0")))
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
            Decode.drain(&decoder, into: &decoded)
        }
        #expect(decoded == Decode.whole(wire))
    }

    // MARK: Helpers

    static func randomBoundaries(count: Int, using random: inout SeededRandom) -> [Int] {
        var boundaries: [Int] = []
        var position = 0
        while position < count {
            // Mostly small reads, sometimes a large one, like a socket under load.
            let size = Bool.random(using: &random) ? Int.random(in: 1...16, using: &random) : Int.random(in: 1...5000, using: &random)
            position += size
            if position < count { boundaries.append(position) }
        }
        return boundaries
    }

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
