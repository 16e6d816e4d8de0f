#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An incremental HTTP/1.1 (and 1.0) request decoder, fed arbitrary byte chunks. A value that does
/// no I/O: bytes in, requests out, `nil` when it needs more.
///
/// - Request line `METHOD SP request-target SP HTTP/1.1` (or `HTTP/1.0`); empty lines before it are
///   skipped. Lines end in CR LF; a bare LF is accepted, a bare CR is not.
/// - Header fields: obs-fold, whitespace before the colon and control characters are refused (400);
///   HTTP/1.1 needs exactly one `Host`.
/// - Bodies: `Content-Length` (one value, or a list of equal values), or `Transfer-Encoding: chunked`
///   (supported; chunk extensions are checked and ignored, trailers are checked and dropped). Any
///   other transfer coding is a 501; both headers together, or Transfer-Encoding on HTTP/1.0, a 400.
/// - Limits (`HTTPLimits`): header section → 431, header count → 431, body → 413 (a declared length
///   is refused before any body byte arrives), request-target → 414, method longer than 32 → 501,
///   HTTP versions other than 1.0 and 1.1 → 505.
/// - Pipelining: bytes after one request stay buffered for the next `next()`.
///
/// Every limit is checked as bytes arrive, at the position in the stream where it is crossed, so the
/// outcome is the same however the stream was cut. Bytes are never rescanned, and the decoder holds
/// at most about `maximumHeaderBytes + maximumBodyBytes` beyond the last chunk appended.
///
/// An error is final: the stream's framing is lost. `next()` keeps throwing it and appended bytes
/// are dropped; answer with the error's status, `Connection: close`, and close.
public struct HTTPRequestDecoder: Sendable {
    /// The limits enforced (normalized: see `HTTPLimits`).
    public let limits: HTTPLimits

    private var buffer: [UInt8] = []
    private var readerIndex = 0
    /// There is no LF in `readerIndex..<scannedUpTo`.
    private var scannedUpTo = 0
    private var phase: Phase = .requestLine
    private var failure: HTTPError?

    // The request being read.
    private var requestLine = RequestLineScanner()
    private var request = HTTPRequest(method: "", target: "", path: [])
    /// Bytes of the header section (or of the trailer section) so far.
    private var sectionBytes = 0
    private var fieldCount = 0
    /// The decoded chunked body so far.
    private var chunkedBody: [UInt8] = []

    /// The head of a request that sent `Expect: 100-continue` and whose body has not all arrived:
    /// write `HTTP/1.1 100 Continue\r\n\r\n` and call `continueSent()`, or answer with a final status
    /// (417, 401, …) and close. Nil again once the request is complete.
    public private(set) var awaitingContinue: HTTPRequest?

    private enum Phase: Sendable, Equatable {
        case requestLine
        case headers
        case fixedBody(length: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers
    }

    public init(limits: HTTPLimits = HTTPLimits()) {
        self.limits = limits.normalized
    }

    /// Bytes held for requests not yet returned: undecoded input plus a chunked body so far.
    public var bufferedByteCount: Int { buffer.count - readerIndex + chunkedBody.count }

    /// Whether part of a request has arrived (a timeout now is a 408, an EOF a truncated request).
    public var hasPartialRequest: Bool {
        phase != .requestLine || requestLine.index > 0 || readerIndex < buffer.count
    }

    /// Whether the head of the request being read has arrived whole (its body is still coming).
    public var hasHead: Bool {
        switch phase {
        case .requestLine, .headers: false
        case .fixedBody, .chunkSize, .chunkData, .chunkDataEnd, .trailers: true
        }
    }

    public mutating func append(_ bytes: some Collection<UInt8>) {
        guard failure == nil else { return }
        buffer.append(contentsOf: bytes)
    }

    /// The server has written `100 Continue` for `awaitingContinue`.
    public mutating func continueSent() {
        awaitingContinue = nil
    }

    /// The next complete request, or nil when more bytes are needed.
    public mutating func next() throws(HTTPError) -> HTTPRequest? {
        if let failure { throw failure }
        do throws(HTTPError) {
            let request = try step()
            reclaim()
            return request
        } catch {
            failure = error
            buffer = []
            readerIndex = 0
            scannedUpTo = 0
            chunkedBody = []
            awaitingContinue = nil
            throw error
        }
    }

    // MARK: The state machine

    private mutating func step() throws(HTTPError) -> HTTPRequest? {
        while true {
            switch phase {
            case .requestLine:
                if requestLine.index == 0 { skipEmptyLines() }
                guard let lf = findLineFeed() else {
                    let end = buffer.count > readerIndex && buffer[buffer.count - 1] == ASCII.cr ? buffer.count - 1 : buffer.count
                    try scanRequestLine(end: end, complete: false)
                    return nil
                }
                try scanRequestLine(end: contentEnd(lf), complete: true)
                sectionBytes = lf + 1 - readerIndex
                readerIndex = lf + 1
                phase = .headers

            case .headers, .trailers:
                guard let lf = findLineFeed() else {
                    // The LF still to come counts too: the line ends past the bound already.
                    if sectionBytes + (buffer.count - readerIndex) >= limits.maximumHeaderBytes { throw sectionTooLarge }
                    return nil
                }
                let lineLength = lf + 1 - readerIndex
                guard sectionBytes + lineLength <= limits.maximumHeaderBytes else { throw sectionTooLarge }
                sectionBytes += lineLength
                let start = readerIndex
                let end = contentEnd(lf)
                readerIndex = lf + 1
                if start == end {
                    if phase == .trailers { return complete(body: chunkedBody) }
                    if try finishHead() { return complete(body: []) }
                    continue
                }
                guard fieldCount < limits.maximumHeaderCount else {
                    throw HTTPError(.requestHeaderFieldsTooLarge, phase == .headers ? "too many header fields" : "too many trailer fields")
                }
                fieldCount += 1
                let (name, value) = try buffer.withUnsafeBufferPointer { (b) throws(HTTPError) in
                    try Self.field(b, start..<end)
                }
                if phase == .headers { request.headers.add(name: name, value: value) }

            case .fixedBody(let length):
                guard buffer.count - readerIndex >= length else { return nil }
                let body = Array(buffer[readerIndex..<readerIndex + length])
                readerIndex += length
                return complete(body: body)

            case .chunkSize:
                let maximum = min(HTTPLimits.maximumChunkSizeLineLength, limits.maximumHeaderBytes)
                guard let lf = findLineFeed() else {
                    if buffer.count - readerIndex > maximum { throw .badRequest("chunk-size line too long") }
                    return nil
                }
                guard lf - readerIndex <= maximum else { throw .badRequest("chunk-size line too long") }
                let start = readerIndex
                let end = contentEnd(lf)
                let size = try buffer.withUnsafeBufferPointer { (b) throws(HTTPError) in
                    try Self.chunkSize(b, start..<end, cap: limits.maximumBodyBytes)
                }
                readerIndex = lf + 1
                if size == 0 {
                    phase = .trailers
                    sectionBytes = 0
                    fieldCount = 0
                } else {
                    guard size <= limits.maximumBodyBytes - chunkedBody.count else {
                        throw HTTPError(.contentTooLarge, "body too large")
                    }
                    phase = .chunkData(remaining: size)
                }

            case .chunkData(let remaining):
                let available = buffer.count - readerIndex
                guard available > 0 else { return nil }
                let count = min(available, remaining)
                chunkedBody.append(contentsOf: buffer[readerIndex..<readerIndex + count])
                readerIndex += count
                guard count == remaining else {
                    phase = .chunkData(remaining: remaining - count)
                    return nil
                }
                phase = .chunkDataEnd

            case .chunkDataEnd:
                guard readerIndex < buffer.count else { return nil }
                switch buffer[readerIndex] {
                case ASCII.lf:
                    readerIndex += 1
                case ASCII.cr:
                    guard readerIndex + 1 < buffer.count else { return nil }
                    guard buffer[readerIndex + 1] == ASCII.lf else { throw .badRequest("chunk data not followed by CRLF") }
                    readerIndex += 2
                default:
                    throw .badRequest("chunk data not followed by CRLF")
                }
                phase = .chunkSize
            }
        }
    }

    private var sectionTooLarge: HTTPError {
        HTTPError(.requestHeaderFieldsTooLarge, phase == .headers ? "header section too large" : "trailer section too large")
    }

    /// Hands out the request read so far and gets ready for the next one.
    private mutating func complete(body: [UInt8]) -> HTTPRequest {
        var finished = request
        finished.body = body
        request = HTTPRequest(method: "", target: "", path: [])
        requestLine = RequestLineScanner()
        phase = .requestLine
        sectionBytes = 0
        fieldCount = 0
        chunkedBody = []
        awaitingContinue = nil
        return finished
    }

    // MARK: Lines

    /// The index of the next LF at or after the reader index; remembers how far it looked.
    private mutating func findLineFeed() -> Int? {
        let start = max(scannedUpTo, readerIndex)
        let found = buffer.withUnsafeBufferPointer { b -> Int? in
            guard let base = b.baseAddress, start < b.count else { return nil }
            guard let hit = memchr(base + start, Int32(ASCII.lf), b.count - start) else { return nil }
            return UnsafeRawPointer(base).distance(to: UnsafeRawPointer(hit))
        }
        scannedUpTo = found ?? buffer.count
        return found
    }

    /// Where the content of the line ending in the LF at `lf` ends: before a CR that precedes it.
    private func contentEnd(_ lf: Int) -> Int {
        lf > readerIndex && buffer[lf - 1] == ASCII.cr ? lf - 1 : lf
    }

    /// RFC 9112 §2.2: empty lines before a request line are ignored.
    private mutating func skipEmptyLines() {
        while readerIndex < buffer.count {
            if buffer[readerIndex] == ASCII.lf {
                readerIndex += 1
            } else if buffer[readerIndex] == ASCII.cr, readerIndex + 1 < buffer.count, buffer[readerIndex + 1] == ASCII.lf {
                readerIndex += 2
            } else {
                break
            }
        }
    }

    /// Drops consumed bytes when that is cheap.
    private mutating func reclaim() {
        if readerIndex == buffer.count {
            buffer.removeAll(keepingCapacity: buffer.capacity <= 64 * 1024)
        } else if readerIndex >= 2048, readerIndex * 2 >= buffer.count {
            buffer.removeFirst(readerIndex)
        } else {
            return
        }
        scannedUpTo = max(0, scannedUpTo - readerIndex)
        readerIndex = 0
    }

    // MARK: The head

    private mutating func scanRequestLine(end: Int, complete: Bool) throws(HTTPError) {
        let start = readerIndex
        let maximumTargetLength = limits.maximumTargetLength
        var scanner = requestLine
        let version = try buffer.withUnsafeBufferPointer { (b) throws(HTTPError) in
            try scanner.scan(b, lineStart: start, end: end, complete: complete, maximumTargetLength: maximumTargetLength)
        }
        requestLine = scanner
        guard let version else { return }
        let method = String(decoding: buffer[start..<start + scanner.methodEnd], as: UTF8.self)
        let targetRange = start + scanner.targetStart..<start + scanner.targetEnd
        let (path, query) = try buffer.withUnsafeBufferPointer { (b) throws(HTTPError) in
            try Self.targetComponents(UnsafeBufferPointer(rebasing: b[targetRange]), method: method)
        }
        request = HTTPRequest(
            method: method, target: String(decoding: buffer[targetRange], as: UTF8.self), path: path, query: query,
            version: version, keepAlive: version == .http1_1)
    }

    /// One header or trailer field line, `b[range]` without its line end.
    static func field(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) throws(HTTPError) -> (String, String) {
        var index = range.lowerBound
        if b[index] == ASCII.space || b[index] == ASCII.tab { throw .badRequest("obsolete line folding") }
        while index < range.upperBound, b[index] != ASCII.colon {
            let byte = b[index]
            if byte == ASCII.space || byte == ASCII.tab { throw .badRequest("whitespace before colon") }
            guard ASCII.isTokenCharacter(byte) else { throw .badRequest("invalid header name") }
            index += 1
        }
        guard index < range.upperBound else { throw .badRequest("header line without colon") }
        guard index > range.lowerBound else { throw .badRequest("empty header name") }
        let name = String(decoding: UnsafeBufferPointer(rebasing: b[range.lowerBound..<index]), as: UTF8.self)
        var valueStart = index + 1
        var valueEnd = range.upperBound
        while valueStart < valueEnd, b[valueStart] == ASCII.space || b[valueStart] == ASCII.tab { valueStart += 1 }
        while valueEnd > valueStart, b[valueEnd - 1] == ASCII.space || b[valueEnd - 1] == ASCII.tab { valueEnd -= 1 }
        for position in valueStart..<valueEnd where !ASCII.isFieldValueCharacter(b[position]) {
            throw .badRequest("invalid header value")
        }
        let value = String(decoding: UnsafeBufferPointer(rebasing: b[valueStart..<valueEnd]), as: UTF8.self)
        return (name, value)
    }

    /// After the blank line: checks the head and decides how the body is framed. True when the
    /// request has no body and is complete.
    private mutating func finishHead() throws(HTTPError) -> Bool {
        let headers = request.headers
        let version = request.version
        let hosts = headers.values(name: "host").count
        if version == .http1_1, hosts == 0 { throw .badRequest("missing Host header") }
        if hosts > 1 { throw .badRequest("more than one Host header") }

        var bodyLength = 0
        var chunked = false
        let hasContentLength = headers.contains(name: "content-length")
        if headers.contains(name: "transfer-encoding") {
            if hasContentLength { throw .badRequest("both Content-Length and Transfer-Encoding") }
            if version == .http1_0 { throw .badRequest("Transfer-Encoding in an HTTP/1.0 request") }
            let codings = headers.listElements(name: "transfer-encoding")
            guard let last = codings.last, HTTPHeaders.equalIgnoringASCIICase(last, "chunked") else {
                throw .badRequest("Transfer-Encoding does not end in chunked")
            }
            guard codings.count == 1 else { throw HTTPError(.notImplemented, "unsupported transfer coding") }
            chunked = true
        } else if hasContentLength {
            bodyLength = try Self.contentLength(headers.values(name: "content-length"), maximum: limits.maximumBodyBytes)
        }

        let connection = headers.listElements(name: "connection")
        let close = connection.contains { HTTPHeaders.equalIgnoringASCIICase($0, "close") }
        let keepAlive = connection.contains { HTTPHeaders.equalIgnoringASCIICase($0, "keep-alive") }
        request.keepAlive = !close && (version == .http1_1 || keepAlive)

        if headers.contains(name: "expect") {
            let expectations = headers.listElements(name: "expect")
            if expectations.count == 1, HTTPHeaders.equalIgnoringASCIICase(expectations[0], "100-continue") {
                // RFC 9110 §10.1.1: an HTTP/1.0 client's 100-continue is ignored.
                request.expectation = version == .http1_1 ? .continue : nil
            } else {
                request.expectation = .unsupported(headers.values(name: "expect").joined(separator: ", "))
            }
        }
        request.wasChunked = chunked

        if chunked {
            phase = .chunkSize
        } else if bodyLength > 0 {
            phase = .fixedBody(length: bodyLength)
        } else {
            return true
        }
        if request.expectation == .continue { awaitingContinue = request }
        return false
    }

    /// RFC 9110 §8.6: one or more fields, each a list of equal decimal values.
    static func contentLength(_ values: [String], maximum: Int) throws(HTTPError) -> Int {
        var canonical: Substring?
        for value in values {
            for element in value.split(separator: ",", omittingEmptySubsequences: false) {
                let digits = element.trimmingOWS()
                guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
                    throw .badRequest("invalid Content-Length")
                }
                let significant = digits.drop { $0 == "0" }
                if let canonical, canonical != significant { throw .badRequest("conflicting Content-Length values") }
                canonical = significant
            }
        }
        guard let canonical else { throw .badRequest("invalid Content-Length") }
        guard canonical.utf8.count <= 18, let length = Int(canonical.isEmpty ? "0" : canonical), length <= maximum else {
            throw HTTPError(.contentTooLarge, "body too large")
        }
        return length
    }

    /// `1*HEXDIG [ BWS ";" chunk-ext ]`; values above `cap` come back as `cap + 1`.
    static func chunkSize(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, cap: Int) throws(HTTPError) -> Int {
        var index = range.lowerBound
        var size = 0
        while index < range.upperBound, let digit = ASCII.hexValue(b[index]) {
            if size <= cap { size = size * 16 + Int(digit) }
            index += 1
        }
        guard index > range.lowerBound else { throw .badRequest("invalid chunk size") }
        while index < range.upperBound, b[index] == ASCII.space || b[index] == ASCII.tab { index += 1 }
        if index < range.upperBound {
            guard b[index] == 0x3B else { throw .badRequest("invalid chunk size") }
            for position in index..<range.upperBound where !ASCII.isFieldValueCharacter(b[position]) {
                throw .badRequest("invalid chunk extension")
            }
        }
        return min(size, cap + 1)
    }
}

/// Checks a request line left to right as its bytes arrive, so each error is decided at the byte
/// that causes it, whatever the chunking; it resumes where it stopped.
struct RequestLineScanner: Sendable {
    enum Part: Sendable { case method, target, version }

    var part = Part.method
    /// The next byte to look at, from the line's start.
    var index = 0
    var methodEnd = 0
    var targetStart = 0
    var targetEnd = 0
    var versionStart = 0

    private static let httpSlash: [UInt8] = Array("HTTP/".utf8)

    /// Scans `b[lineStart + index ..< end]`: `end` is before any CR that may end the line. Returns
    /// the version once `complete` (the LF follows `end`) and the line is valid.
    mutating func scan(
        _ b: UnsafeBufferPointer<UInt8>, lineStart: Int, end: Int, complete: Bool, maximumTargetLength: Int
    ) throws(HTTPError) -> HTTPVersion? {
        let length = end - lineStart
        while index < length {
            let byte = b[lineStart + index]
            switch part {
            case .method:
                if byte == ASCII.space, index > 0 {
                    methodEnd = index
                    targetStart = index + 1
                    part = .target
                } else {
                    guard index < HTTPLimits.maximumMethodLength else { throw HTTPError(.notImplemented, "method too long") }
                    guard ASCII.isTokenCharacter(byte) else { throw .badRequest("invalid method") }
                }
            case .target:
                if byte == ASCII.space {
                    guard index > targetStart else { throw .badRequest("empty request target") }
                    targetEnd = index
                    versionStart = index + 1
                    part = .version
                } else {
                    guard index - targetStart < maximumTargetLength else { throw HTTPError(.uriTooLong, "request target too long") }
                    guard byte > 0x20, byte < 0x7F, byte != 0x23 else { throw .badRequest("invalid request target") }
                }
            case .version:
                let offset = index - versionStart
                let valid =
                    switch offset {
                    case 0..<5: byte == Self.httpSlash[offset]
                    case 5, 7: byte >= 0x30 && byte <= 0x39
                    case 6: byte == 0x2E
                    default: false
                    }
                guard valid else { throw .badRequest("invalid HTTP version") }
            }
            index += 1
        }
        guard complete else { return nil }
        guard part == .version, index - versionStart == 8 else { throw .badRequest("malformed request line") }
        switch (b[lineStart + versionStart + 5], b[lineStart + versionStart + 7]) {
        case (0x31, 0x31): return .http1_1
        case (0x31, 0x30): return .http1_0
        default: throw HTTPError(.httpVersionNotSupported, "HTTP version not supported")
        }
    }
}
