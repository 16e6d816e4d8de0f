#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the decoder yields: the greeting line once, then messages.
public enum AMIFrame: Sendable, Equatable {
    /// `Asterisk Call Manager/11.0.0`: the version part.
    case banner(version: String)
    case message(AMIMessage)
}

/// An incremental AMI decoder, fed arbitrary byte chunks. A value that does no I/O: bytes in,
/// frames out, `nil` when it needs more.
///
/// It remembers how far it has scanned, so bytes are never rescanned, and reclaims consumed bytes
/// only when that is cheap. A frame larger than `maximumFrameSize`, or a header line without a
/// colon, is a thrown error that names the stream offset; the decoder then skips to the next
/// frame, so the caller may go on (resync) or drop the connection (reset). It never holds more
/// than about `maximumFrameSize` bytes.
public struct AMIFrameDecoder: Sendable {
    public static let defaultMaximumFrameSize = 1 << 20

    public let maximumFrameSize: Int
    private var buffer: [UInt8] = []
    private var readerIndex = 0
    private var scannedUpTo = 0
    /// Stream offset of `buffer[0]`, for error messages.
    private var discarded = 0
    private var expectsBanner: Bool
    private var skippingOversizedFrame = false
    private var scratch: [AMIMessage.Field] = []

    /// - Parameter expectsBanner: true on the client side, where the first line is Asterisk's
    ///   greeting with no blank line after it; false when reading actions (the simulator).
    public init(expectsBanner: Bool = true, maximumFrameSize: Int = AMIFrameDecoder.defaultMaximumFrameSize) {
        self.expectsBanner = expectsBanner
        // Header offsets inside a message are UInt32.
        self.maximumFrameSize = min(max(64, maximumFrameSize), Int(UInt32.max))
        scratch.reserveCapacity(32)
    }

    /// Bytes held and not yet decoded.
    public var bufferedByteCount: Int { buffer.count - readerIndex }

    /// Total bytes consumed from the stream so far.
    public var streamOffset: Int { discarded + readerIndex }

    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        buffer.append(contentsOf: bytes)
    }

    public mutating func append<Bytes: Sequence>(contentsOf bytes: Bytes) where Bytes.Element == UInt8 {
        buffer.append(contentsOf: bytes)
    }

    /// The next complete frame, or nil when more bytes are needed.
    public mutating func next() throws(AMIError) -> AMIFrame? {
        if skippingOversizedFrame {
            guard skipOversizedFrame() else { return nil }
        }
        if expectsBanner {
            return try banner()
        }
        // Blank lines between frames carry nothing.
        skipLeadingLineEnds()
        guard readerIndex < buffer.count else {
            reclaim()
            return nil
        }
        if startsWithFollows() {
            return try legacyFollows()
        }
        let start = max(scannedUpTo, readerIndex)
        guard let end = buffer.withUnsafeBufferPointer({ Self.endOfFrame(in: $0, from: start) }) else {
            scannedUpTo = max(readerIndex, buffer.count - 2)
            try checkBound()
            return nil
        }
        let frameStart = readerIndex
        readerIndex = end
        scannedUpTo = end
        defer { reclaim() }
        // A frame that arrived whole is held to the same bound as one that arrived in pieces, so
        // the outcome does not depend on how the stream was chunked.
        guard end - frameStart <= maximumFrameSize else {
            throw .frameTooLarge(limit: maximumFrameSize, offset: discarded + frameStart)
        }
        return .message(try parse(frameStart..<end))
    }

    // MARK: Framing

    /// Index just past the blank line that ends the frame, if there is one after `from`.
    @inline(__always)
    static func endOfFrame(in b: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        guard let base = b.baseAddress else { return nil }
        var index = from
        while index < b.count {
            guard let found = memchr(base + index, 0x0A, b.count - index) else { return nil }
            let lf = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
            let next = lf + 1
            if next < b.count {
                if b[next] == 0x0A { return next + 1 }
                if b[next] == 0x0D {
                    if next + 1 < b.count {
                        if b[next + 1] == 0x0A { return next + 2 }
                    } else {
                        return nil  // "\n\r" at the end: wait for the byte that decides
                    }
                }
            }
            index = next
        }
        return nil
    }

    private mutating func skipLeadingLineEnds() {
        while readerIndex < buffer.count {
            let byte = buffer[readerIndex]
            if byte == 0x0A {
                readerIndex += 1
            } else if byte == 0x0D, readerIndex + 1 < buffer.count, buffer[readerIndex + 1] == 0x0A {
                readerIndex += 2
            } else {
                break
            }
        }
        scannedUpTo = max(scannedUpTo, readerIndex)
    }

    private mutating func checkBound() throws(AMIError) {
        guard buffer.count - readerIndex > maximumFrameSize else { return }
        let offset = streamOffset
        // Keep the last two bytes: they may start the blank line that ends this frame.
        let keep = min(2, buffer.count - readerIndex)
        discarded += buffer.count - keep
        buffer.removeFirst(buffer.count - keep)
        readerIndex = 0
        scannedUpTo = 0
        skippingOversizedFrame = true
        throw .frameTooLarge(limit: maximumFrameSize, offset: offset)
    }

    /// Drops bytes until the end of the oversized frame; true once it is behind us.
    private mutating func skipOversizedFrame() -> Bool {
        if let end = buffer.withUnsafeBufferPointer({ Self.endOfFrame(in: $0, from: readerIndex) }) {
            readerIndex = end
            scannedUpTo = end
            skippingOversizedFrame = false
            reclaim()
            return true
        }
        let keep = min(2, buffer.count - readerIndex)
        discarded += buffer.count - keep
        buffer.removeFirst(buffer.count - keep)
        readerIndex = 0
        scannedUpTo = 0
        return false
    }

    private mutating func reclaim() {
        if readerIndex == buffer.count {
            discarded += readerIndex
            buffer.removeAll(keepingCapacity: buffer.capacity <= 4 * 65536)
            readerIndex = 0
            scannedUpTo = 0
        } else if readerIndex >= 2048, readerIndex * 2 >= buffer.count {
            discarded += readerIndex
            buffer.removeFirst(readerIndex)
            scannedUpTo -= readerIndex
            readerIndex = 0
        }
    }

    // MARK: The banner

    /// The first index of `byte` in `from..<to`, or `to`.
    @inline(__always)
    static func index(of byte: UInt8, in b: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Int {
        guard from < to, let base = b.baseAddress, let found = memchr(base + from, Int32(byte), to - from) else { return to }
        return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
    }

    private static let bannerPrefix = Array("Asterisk Call Manager/".utf8)

    private mutating func banner() throws(AMIError) -> AMIFrame? {
        guard let lf = buffer[readerIndex...].firstIndex(of: 0x0A) else {
            try checkBound()
            return nil
        }
        var lineEnd = lf
        if lineEnd > readerIndex, buffer[lineEnd - 1] == 0x0D { lineEnd -= 1 }
        let line = buffer[readerIndex..<lineEnd]
        expectsBanner = false
        guard line.starts(with: Self.bannerPrefix) else {
            // No greeting: read it as an ordinary frame.
            return try next()
        }
        readerIndex = lf + 1
        scannedUpTo = readerIndex
        let version = String(decoding: line.dropFirst(Self.bannerPrefix.count), as: UTF8.self)
        return .banner(version: version)
    }

    // MARK: Parsing one frame

    private mutating func parse(_ range: Range<Int>) throws(AMIError) -> AMIMessage {
        scratch.removeAll(keepingCapacity: true)
        let base = range.lowerBound
        let malformedAt: Int? = buffer.withUnsafeBufferPointer { b in
            var lineStart = range.lowerBound
            while lineStart < range.upperBound {
                // memchr is vectorised: values are long, keys short, so both searches use it.
                var lineEnd = Self.index(of: 0x0A, in: b, from: lineStart, to: range.upperBound)
                let next = lineEnd + 1
                if lineEnd > lineStart, b[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                if lineEnd == lineStart { break }  // the closing blank line
                let colon = Self.index(of: 0x3A, in: b, from: lineStart, to: lineEnd)
                if colon == lineEnd { return lineStart }
                // Asterisk writes exactly one space after the colon; more is part of the value
                // (`Output:    Members:` keeps its indentation), and none is tolerated.
                var valueStart = colon + 1
                if valueStart < lineEnd, b[valueStart] == 0x20 { valueStart += 1 }
                scratch.append(
                    AMIMessage.Field(
                        keyStart: UInt32(lineStart - base), keyEnd: UInt32(colon - base),
                        valueStart: UInt32(valueStart - base), valueEnd: UInt32(lineEnd - base)))
                lineStart = next
            }
            return nil
        }
        if let bad = malformedAt {
            var end = bad
            while end < range.upperBound, buffer[end] != 0x0A, buffer[end] != 0x0D { end += 1 }
            let line = String(decoding: buffer[bad..<min(end, bad + 80)], as: UTF8.self)
            throw .malformedLine(offset: discarded + bad, line: line)
        }
        let bytes = Array(buffer[range])
        // The message takes the scratch storage itself, no copy. When it is gone by the next frame
        // (the hot path) the storage is reused; when it is kept, `removeAll` above allocates anew.
        let fields = scratch
        if scratch.capacity > 64 {
            // One very long frame must not make every later message carry its capacity.
            scratch = []
            scratch.reserveCapacity(32)
        }
        return AMIMessage(bytes: bytes, fields: fields)
    }

    // MARK: Legacy `Response: Follows` … `--END COMMAND--`

    private static let follows = Array("response: follows".utf8)
    private static let endCommand = Array("--END COMMAND--".utf8)
    private static let legacyHeaderKeys: Set<String> = ["privilege", "actionid", "message"]

    private func startsWithFollows() -> Bool {
        guard buffer.count - readerIndex >= Self.follows.count else {
            // Too short to tell: it could still become "Response: Follows".
            return false
        }
        for (i, byte) in Self.follows.enumerated() where AMIMessage.lower(buffer[readerIndex + i]) != byte {
            return false
        }
        return true
    }

    /// Old Asterisk (1.4–1.8) answers `Command` with free text after the headers, ended by
    /// `--END COMMAND--`. Its lines become `Output` headers, as Asterisk 12+ sends them.
    private mutating func legacyFollows() throws(AMIError) -> AMIFrame? {
        let start = max(scannedUpTo, readerIndex)
        var searchFrom = max(readerIndex, start - Self.endCommand.count)
        var markerEnd: Int?
        while searchFrom + Self.endCommand.count <= buffer.count {
            guard let dash = buffer[searchFrom...].firstIndex(of: UInt8(ascii: "-")) else { break }
            if buffer[dash...].starts(with: Self.endCommand) {
                markerEnd = dash + Self.endCommand.count
                break
            }
            searchFrom = dash + 1
        }
        guard let markerEnd, let end = buffer.withUnsafeBufferPointer({ Self.endOfFrame(in: $0, from: markerEnd) })
        else {
            scannedUpTo = max(readerIndex, buffer.count - Self.endCommand.count - 2)
            try checkBound()
            return nil
        }
        let frameStart = readerIndex
        let bodyEnd = markerEnd - Self.endCommand.count
        readerIndex = end
        scannedUpTo = end
        defer { reclaim() }
        guard end - frameStart <= maximumFrameSize else {
            throw .frameTooLarge(limit: maximumFrameSize, offset: discarded + frameStart)
        }
        // Split on bytes: as a `String`, "\r\n" is one Character and would never match "\n".
        var headers: [(String, String)] = []
        var inHeaders = true
        var lineStart = frameStart
        while lineStart < bodyEnd {
            let lf = buffer[lineStart..<bodyEnd].firstIndex(of: 0x0A)
            var lineEnd = lf ?? bodyEnd
            let nextLine = lf.map { $0 + 1 } ?? bodyEnd
            if lineEnd > lineStart, buffer[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            let line = buffer[lineStart..<lineEnd]
            lineStart = nextLine
            if inHeaders, let colon = line.firstIndex(of: UInt8(ascii: ":")) {
                let key = String(decoding: line[..<colon], as: UTF8.self)
                if headers.isEmpty || Self.legacyHeaderKeys.contains(key.lowercased()) {
                    var valueStart = colon + 1
                    if valueStart < lineEnd, buffer[valueStart] == 0x20 { valueStart += 1 }
                    headers.append((key, String(decoding: buffer[valueStart..<lineEnd], as: UTF8.self)))
                    continue
                }
            }
            inHeaders = false
            headers.append(("Output", String(decoding: line, as: UTF8.self)))
        }
        return .message(AMIMessage(headers))
    }
}
