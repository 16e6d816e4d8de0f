import TestSupport
import ControlPort
@testable import ControlAPI
@testable import Crypt
@testable import HTTPServing
@testable import HTTPWire

/// What a decoder made of a stream: the requests, then the error that ended it, if any.
typealias Outcome = DecoderOutput<HTTPRequest, HTTPError>

/// The request decoder as `DecoderVerifier` drives it: an error ends the stream.
struct HTTPRequestStream: VerifiableDecoder {
    var decoder: HTTPRequestDecoder

    mutating func decode(_ bytes: ArraySlice<UInt8>, into outputs: inout [Outcome]) {
        decoder.append(bytes)
        outputs.drain { () throws(HTTPError) in try decoder.next() }
    }
}

enum Decode {
    static func verifier(limits: HTTPLimits = HTTPLimits()) -> DecoderVerifier<HTTPRequestStream> {
        DecoderVerifier { HTTPRequestStream(decoder: HTTPRequestDecoder(limits: limits)) }
    }

    /// Feeds `wire` cut at `boundaries`, draining after each piece.
    static func run(_ wire: [UInt8], boundaries: [Int], limits: HTTPLimits = HTTPLimits()) -> [Outcome] {
        verifier(limits: limits).decode(wire, cuts: boundaries.sorted())
    }

    static func whole(_ wire: [UInt8], limits: HTTPLimits = HTTPLimits()) -> [Outcome] {
        verifier(limits: limits).whole(wire)
    }

    static func chunked(_ wire: [UInt8], size: Int, limits: HTTPLimits = HTTPLimits()) -> [Outcome] {
        verifier(limits: limits).chunked(wire, size: size)
    }

    /// The single outcome of a stream that should hold exactly one request or one error.
    static func one(_ text: String, limits: HTTPLimits = HTTPLimits()) -> Outcome? {
        let outcomes = whole(Array(text.utf8), limits: limits)
        return outcomes.count == 1 ? outcomes[0] : nil
    }

    static func request(_ text: String, limits: HTTPLimits = HTTPLimits()) -> HTTPRequest? {
        one(text, limits: limits)?.message
    }

    static func status(_ text: String, limits: HTTPLimits = HTTPLimits()) -> Int? {
        status(Array(text.utf8), limits: limits)
    }

    /// The status of the error the stream ends in, whatever came before it.
    static func status(_ wire: [UInt8], limits: HTTPLimits = HTTPLimits()) -> Int? {
        whole(wire, limits: limits).last?.failure?.status.code
    }
}
