@testable import ControlAPI

/// What a decoder made of a stream: the requests, then the error that ended it, if any.
enum Outcome: Equatable, CustomStringConvertible {
    case request(HTTPRequest)
    case error(HTTPError)

    var description: String {
        switch self {
        case .request(let r): "request(\(r.method) \(r.target) body=\(r.body.count))"
        case .error(let e): "error(\(e))"
        }
    }
}

enum Decode {
    /// Feeds `wire` cut at `boundaries`, draining after each piece.
    static func run(_ wire: [UInt8], boundaries: [Int], limits: HTTPLimits = HTTPLimits()) -> [Outcome] {
        var decoder = HTTPRequestDecoder(limits: limits)
        var outcomes: [Outcome] = []
        var start = 0
        for end in boundaries.sorted() + [wire.count] where end >= start {
            decoder.append(wire[start..<end])
            start = end
            if drain(&decoder, into: &outcomes) { return outcomes }
        }
        return outcomes
    }

    static func whole(_ wire: [UInt8], limits: HTTPLimits = HTTPLimits()) -> [Outcome] {
        run(wire, boundaries: [], limits: limits)
    }

    static func chunked(_ wire: [UInt8], size: Int, limits: HTTPLimits = HTTPLimits()) -> [Outcome] {
        run(wire, boundaries: Array(stride(from: size, to: wire.count, by: size)), limits: limits)
    }

    /// True once the decoder has failed.
    @discardableResult
    static func drain(_ decoder: inout HTTPRequestDecoder, into outcomes: inout [Outcome]) -> Bool {
        do {
            while let request = try decoder.next() { outcomes.append(.request(request)) }
            return false
        } catch {
            outcomes.append(.error(error))
            return true
        }
    }

    /// The single outcome of a stream that should hold exactly one request or one error.
    static func one(_ text: String, limits: HTTPLimits = HTTPLimits()) -> Outcome? {
        let outcomes = whole(Array(text.utf8), limits: limits)
        return outcomes.count == 1 ? outcomes[0] : nil
    }

    static func request(_ text: String, limits: HTTPLimits = HTTPLimits()) -> HTTPRequest? {
        if case .request(let request) = one(text, limits: limits) { request } else { nil }
    }

    static func status(_ text: String, limits: HTTPLimits = HTTPLimits()) -> Int? {
        status(Array(text.utf8), limits: limits)
    }

    /// The status of the error the stream ends in, whatever came before it.
    static func status(_ wire: [UInt8], limits: HTTPLimits = HTTPLimits()) -> Int? {
        if case .error(let error) = whole(wire, limits: limits).last { error.status.code } else { nil }
    }
}

/// A seeded generator, so a failing random case can be replayed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
