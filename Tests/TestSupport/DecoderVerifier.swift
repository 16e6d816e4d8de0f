public import Testing

/// What a decoder made of a stream: a message, or the failure it threw.
public enum DecoderOutput<Message: Equatable, Failure: Error & Equatable>: Equatable, CustomStringConvertible {
    case message(Message)
    case failure(Failure)

    public var message: Message? { if case .message(let message) = self { message } else { nil } }
    public var failure: Failure? { if case .failure(let failure) = self { failure } else { nil } }

    public var description: String {
        switch self {
        case .message(let message): "\(message)"
        case .failure(let failure): "failure(\(failure))"
        }
    }
}

/// A decoder as `DecoderVerifier` drives it: bytes in, outputs out, no I/O. Each decoder's tests
/// make it conform (or wrap it) in a few lines.
public protocol VerifiableDecoder {
    associatedtype Message: Equatable
    associatedtype Failure: Error & Equatable
    typealias Output = DecoderOutput<Message, Failure>

    /// Whether a failure ends the stream (most decoders), or decoding goes on past it (a decoder
    /// that resynchronises).
    static var failureEndsTheStream: Bool { get }

    /// Takes the next bytes of the stream; appends what they complete to `outputs`.
    mutating func decode(_ bytes: ArraySlice<UInt8>, into outputs: inout [Output])

    /// The stream ended (the peer closed); appends what that completes. Nothing by default.
    mutating func finish(into outputs: inout [Output])
}

extension VerifiableDecoder {
    public static var failureEndsTheStream: Bool { true }

    public mutating func finish(into outputs: inout [Output]) {}
}

extension Array {
    /// Calls `next` until it returns nil, appending each message, or each failure (stopping at the
    /// first when `stopAtFailure`). Gives up after a million outputs from one call: only a
    /// decoder that makes no progress gets there.
    public mutating func drain<Message, Failure>(
        stopAtFailure: Bool = true, _ next: () throws(Failure) -> Message?
    ) where Element == DecoderOutput<Message, Failure> {
        for _ in 0..<1_000_000 {
            do {
                guard let message = try next() else { return }
                append(.message(message))
            } catch {
                append(.failure(error))
                if stopAtFailure { return }
            }
        }
    }
}

/// Feeds one byte stream to fresh decoders cut in different ways, in the spirit of swift-nio's
/// `ByteToMessageDecoderVerifier`: whole, byte by byte and in random cuts, the same stream must
/// give the same messages (and the same failure), since a socket may cut it anywhere.
public struct DecoderVerifier<Decoder: VerifiableDecoder>: Sendable {
    public typealias Output = DecoderOutput<Decoder.Message, Decoder.Failure>

    private let makeDecoder: @Sendable () -> Decoder

    public init(_ makeDecoder: @escaping @Sendable () -> Decoder) {
        self.makeDecoder = makeDecoder
    }

    /// Feeds `wire` cut at the offsets `cuts` (in order), then ends the stream. `afterEachPiece`
    /// sees the decoder after each piece is decoded (to check what it holds).
    public func decode(_ wire: [UInt8], cuts: [Int], afterEachPiece: (Decoder) -> Void = { _ in }) -> [Output] {
        var decoder = makeDecoder()
        var outputs: [Output] = []
        var start = 0
        for end in cuts + [wire.count] where end >= start && end <= wire.count {
            decoder.decode(wire[start..<end], into: &outputs)
            afterEachPiece(decoder)
            start = end
            if Decoder.failureEndsTheStream, outputs.contains(where: { $0.failure != nil }) { return outputs }
        }
        decoder.finish(into: &outputs)
        return outputs
    }

    public func whole(_ wire: [UInt8]) -> [Output] { decode(wire, cuts: []) }

    /// `size` bytes at a time.
    public func chunked(_ wire: [UInt8], size: Int) -> [Output] {
        decode(wire, cuts: Array(stride(from: size, to: wire.count, by: size)))
    }

    /// Offsets that cut `count` bytes into pieces as a socket under load would: mostly small
    /// ones (1 to 16 bytes), sometimes up to `largest`.
    public static func randomCuts(count: Int, largest: Int = 5000, using random: inout SplitMix64) -> [Int] {
        var cuts: [Int] = []
        var position = 0
        while position < count {
            let small = Bool.random(using: &random)
            position += Int.random(in: 1...(small ? min(16, largest) : largest), using: &random)
            if position < count { cuts.append(position) }
        }
        return cuts
    }

    /// The check every decoder's tests make: `wire` fed whole, byte by byte, in pieces of a few
    /// odd sizes and in `randomCuttings` random cuts (from `seed`) gives the same outputs, and
    /// `expected` when given. Records one issue, naming the first cutting that differs; returns
    /// the outputs of the whole stream.
    @discardableResult
    public func verify(
        _ wire: [UInt8], expecting expected: [Output]? = nil, randomCuttings: Int = 8, seed: UInt64 = 1,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> [Output] {
        let whole = whole(wire)
        if let expected, whole != expected {
            Issue.record("the whole stream gave \(whole) instead of \(expected)", sourceLocation: sourceLocation)
            return whole
        }
        var random = SplitMix64(seed: seed)
        let cuttings: [(String, [Int])] =
            [1, 2, 3, 7, 64].map { size in ("\(size) bytes at a time", Array(stride(from: size, to: wire.count, by: size))) }
            + (0..<randomCuttings).map { index in
                let cuts = Self.randomCuts(count: wire.count, using: &random)
                return ("random cutting \(index) of seed \(seed) at \(cuts)", cuts)
            }
        for (name, cuts) in cuttings {
            let decoded = decode(wire, cuts: cuts)
            // A plain comparison: #expect per cutting costs more than the decoding it checks.
            if decoded != whole {
                Issue.record("\(name): \(decoded) instead of \(whole)", sourceLocation: sourceLocation)
                break
            }
        }
        return whole
    }

    /// `wire` split in two at every offset (then in three at every pair of offsets when
    /// `threeWays`: O(n²) decodes, for short streams) gives what the whole stream gives, and
    /// `expected` when given. Records one issue, at the first split that differs.
    @discardableResult
    public func verifyEverySplit(
        _ wire: [UInt8], expecting expected: [Output]? = nil, threeWays: Bool = false, every step: Int = 1,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> Bool {
        let whole = whole(wire)
        if let expected, whole != expected {
            Issue.record("the whole stream gave \(whole) instead of \(expected)", sourceLocation: sourceLocation)
            return false
        }
        for first in stride(from: 0, through: wire.count, by: step) {
            let splits = threeWays ? (first...wire.count).map { [first, $0] } : [[first]]
            for cuts in splits where decode(wire, cuts: cuts) != whole {
                Issue.record("split at \(cuts): \(decode(wire, cuts: cuts)) instead of \(whole)", sourceLocation: sourceLocation)
                return false
            }
        }
        return true
    }
}
