import Foundation
import TestSupport
@testable import AMI

/// Reads the recorded Asterisk 22 transcripts copied from `../shared/ami-transcripts/`.
enum Fixture {
    static var directory: URL {
        // The resource bundle is built with the test target; without it nothing here can run.
        Bundle.module.resourceURL!.appendingPathComponent("Fixtures")
    }

    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    /// Scenario names, e.g. `06-inbound-call-queue`.
    static var scenarios: [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return files.filter { $0.hasSuffix(".recv.txt") }.map { String($0.dropLast(".recv.txt".count)) }.sorted()
    }

    /// One socket read or write of the capture, from `NN-name.order.tsv`.
    struct OrderRow: Sendable {
        var milliseconds: Int
        var direction: String
        var offset: Int
        var length: Int
    }

    static func order(_ scenario: String) throws -> [OrderRow] {
        let text = String(decoding: try bytes("\(scenario).order.tsv"), as: UTF8.self)
        return text.split(separator: "\n").compactMap { line in
            guard !line.hasPrefix("#") else { return nil }
            let cells = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard cells.count >= 2, let ms = Int(cells[0]) else { return nil }
            let offset = cells.count > 2 ? Int(cells[2]) ?? 0 : 0
            let length = cells.count > 3 ? Int(cells[3]) ?? 0 : 0
            return OrderRow(milliseconds: ms, direction: cells[1], offset: offset, length: length)
        }
    }
}

/// A header as plain strings, for comparing with the reference parser.
struct Header: Hashable, Sendable, CustomStringConvertible {
    var key: String
    var value: String
    init(_ key: String, _ value: String) {
        self.key = key
        self.value = value
    }
    var description: String { "\(key): \(value)" }
}

/// A deliberately naive reference parser, the oracle for the decoder: work on a `String`, make the
/// line ends LF, take the banner line off, split on blank lines, split each line on its first ':'
/// and drop the one space Asterisk writes after it. Slow and obvious, sharing no code with the decoder.
enum NaiveAMI {
    static func parse(_ bytes: [UInt8], expectsBanner: Bool = true) -> (banner: String?, messages: [[Header]]) {
        var text = String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
        var banner: String?
        let prefix = "Asterisk Call Manager/"
        if expectsBanner, text.hasPrefix(prefix), let lf = text.firstIndex(of: "\n") {
            banner = String(text[text.index(text.startIndex, offsetBy: prefix.count)..<lf])
            text = String(text[text.index(after: lf)...])
        }
        let blocks = text.components(separatedBy: "\n\n").filter { !$0.isEmpty }
        let messages = blocks.map { block in
            block.split(separator: "\n").map { line -> Header in
                let colon = line.firstIndex(of: ":") ?? line.endIndex
                var value = line[colon...].dropFirst()
                if value.first == " " { value = value.dropFirst() }
                return Header(String(line[..<colon]), String(value))
            }
        }
        return (banner, messages)
    }
}

extension AMIMessage {
    var pairs: [Header] { headers.map { Header($0.key, $0.value) } }
}

extension AMIFrame {
    var message: AMIMessage? {
        if case .message(let message) = self { return message }
        return nil
    }
}

/// What a decoding run produced, errors included, so two runs can be compared whole.
typealias Decoded = DecoderOutput<AMIFrame, AMIError>

/// The frame decoder as `DecoderVerifier` drives it: it resynchronises after a bad frame, so a
/// failure does not end the stream.
struct AMIFrameStream: VerifiableDecoder {
    static var failureEndsTheStream: Bool { false }

    var decoder: AMIFrameDecoder

    mutating func decode(_ bytes: ArraySlice<UInt8>, into outputs: inout [Decoded]) {
        decoder.append(contentsOf: bytes)
        outputs.drain(stopAtFailure: false) { () throws(AMIError) in try decoder.next() }
    }
}

enum Decode {
    static func verifier(
        expectsBanner: Bool = true, maximumFrameSize: Int = AMIFrameDecoder.defaultMaximumFrameSize
    ) -> DecoderVerifier<AMIFrameStream> {
        DecoderVerifier { AMIFrameStream(decoder: AMIFrameDecoder(expectsBanner: expectsBanner, maximumFrameSize: maximumFrameSize)) }
    }

    /// Feeds `bytes` split at `boundaries` (sorted offsets), draining the decoder after each chunk.
    static func run(
        _ bytes: [UInt8], boundaries: [Int], expectsBanner: Bool = true,
        maximumFrameSize: Int = AMIFrameDecoder.defaultMaximumFrameSize
    ) -> [Decoded] {
        verifier(expectsBanner: expectsBanner, maximumFrameSize: maximumFrameSize).decode(bytes, cuts: boundaries)
    }

    static func whole(_ bytes: [UInt8], expectsBanner: Bool = true) -> [Decoded] {
        verifier(expectsBanner: expectsBanner).whole(bytes)
    }

    static func chunked(_ bytes: [UInt8], size: Int, expectsBanner: Bool = true, maximumFrameSize: Int = AMIFrameDecoder.defaultMaximumFrameSize) -> [Decoded] {
        verifier(expectsBanner: expectsBanner, maximumFrameSize: maximumFrameSize).chunked(bytes, size: size)
    }

    static func messages(_ decoded: [Decoded]) -> [AMIMessage] {
        decoded.compactMap { $0.message?.message }
    }
}
