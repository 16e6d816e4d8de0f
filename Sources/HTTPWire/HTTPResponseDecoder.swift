import SystemSupport

/// The status line and header fields of an answer.
public struct HTTPResponseHead: Sendable, Equatable {
    public var status: Int
    public var reason: String
    public var headers: HTTPHeaders

    public init(status: Int, reason: String, headers: HTTPHeaders) {
        self.status = status
        self.reason = reason
        self.headers = headers
    }
}

/// Decodes one HTTP/1.1 response from bytes as they arrive, doing no I/O: the head, then the
/// body in pieces (Content-Length, chunked, or up to the end of the connection), then `.end`.
/// Interim 1xx heads are skipped. Bounded: a head over `maximumHeadSize` or a chunk-size line
/// over 1 KiB is malformed.
public struct HTTPResponseDecoder: Sendable {
    public enum Part: Sendable, Equatable {
        case head(HTTPResponseHead)
        case body([UInt8])
        case end
    }

    /// What went wrong: the answer is not HTTP, or it stopped before it was whole.
    public enum Failure: Error, Sendable, Equatable {
        case malformed(String)
        case truncated(String)
    }

    private enum State: Sendable, Equatable {
        case head
        case fixed(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers
        case untilClose
        case done
    }

    public let maximumHeadSize: Int
    private var state = State.head
    private var buffer: [UInt8] = []
    private var readerIndex = 0
    /// Where the search for a line end resumes, so bytes are not rescanned.
    private var scannedUpTo = 0

    public init(maximumHeadSize: Int = 64 << 10) {
        self.maximumHeadSize = maximumHeadSize
    }

    public mutating func append(_ bytes: some Sequence<UInt8>) {
        buffer.append(contentsOf: bytes)
    }

    /// The next part, or nil when more bytes are needed.
    public mutating func next() throws(Failure) -> Part? {
        defer { compact() }
        while true {
            switch state {
            case .head:
                guard let head = try nextHead() else { return nil }
                if (100..<200).contains(head.status) { continue }  // 100 Continue and the like: the answer follows
                state = try Self.bodyState(for: head)
                return .head(head)
            case .fixed(let remaining):
                if remaining == 0 {
                    state = .done
                    return .end
                }
                guard readerIndex < buffer.count else { return nil }
                let count = min(remaining, buffer.count - readerIndex)
                state = .fixed(remaining: remaining - count)
                return .body(take(count))
            case .chunkSize:
                guard let line = try nextLine(limit: 1024, what: "chunk size line") else { return nil }
                let size = try Self.chunkSize(line)
                state = size == 0 ? .trailers : .chunkData(remaining: size)
            case .chunkData(let remaining):
                guard readerIndex < buffer.count else { return nil }
                let count = min(remaining, buffer.count - readerIndex)
                state = remaining == count ? .chunkDataEnd : .chunkData(remaining: remaining - count)
                return .body(take(count))
            case .chunkDataEnd:
                guard let line = try nextLine(limit: 2, what: "chunk end") else { return nil }
                guard line.isEmpty else { throw .malformed("a chunk is longer than its size") }
                state = .chunkSize
            case .trailers:
                guard let line = try nextLine(limit: 8 << 10, what: "trailer") else { return nil }
                if line.isEmpty {
                    state = .done
                    return .end
                }
            case .untilClose:
                guard readerIndex < buffer.count else { return nil }
                return .body(take(buffer.count - readerIndex))
            case .done:
                return nil
            }
        }
    }

    /// The connection ended: `.end` for a body that runs to the close; nil when the answer was
    /// already whole; otherwise the answer was cut short.
    public mutating func finish() throws(Failure) -> Part? {
        switch state {
        case .untilClose:
            state = .done
            return .end
        case .done:
            return nil
        case .head:
            throw .truncated(buffer.count == readerIndex ? "the connection closed without an answer" : "the connection closed in the middle of the answer's head")
        default:
            throw .truncated("the connection closed before the whole answer arrived")
        }
    }

    // MARK: Head

    private mutating func nextHead() throws(Failure) -> HTTPResponseHead? {
        guard let end = endOfHead() else {
            if buffer.count - readerIndex > maximumHeadSize { throw .malformed("the answer's head is larger than \(maximumHeadSize) bytes") }
            return nil
        }
        guard end - readerIndex <= maximumHeadSize else { throw .malformed("the answer's head is larger than \(maximumHeadSize) bytes") }
        var lines = buffer[readerIndex..<end].split(separator: 0x0A, omittingEmptySubsequences: false).map { line in
            line.last == 0x0D ? line.dropLast() : line
        }
        readerIndex = end
        scannedUpTo = end
        while lines.last?.isEmpty == true { lines.removeLast() }
        guard let statusLine = lines.first, !statusLine.isEmpty else { throw .malformed("an empty line where the status line should be") }
        let (status, reason) = try Self.statusLine(Array(statusLine))
        var headers = HTTPHeaders()
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: 0x3A), colon > line.startIndex else {
                throw .malformed("a header line without a name and colon")
            }
            let name = String(decoding: line[..<colon], as: UTF8.self)
            let value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimming(scalarsIn: " \t")
            headers.add(name: name, value: value)
        }
        return HTTPResponseHead(status: status, reason: reason, headers: headers)
    }

    /// Just past the blank line that ends the head (CR LF or bare LF), or nil until it arrives.
    /// Each line end is looked at once: what has been scanned held no blank line.
    private mutating func endOfHead() -> Int? {
        var index = max(scannedUpTo, readerIndex)
        while let lf = buffer[index...].firstIndex(of: 0x0A) {
            var before = lf - 1
            if before >= readerIndex, buffer[before] == 0x0D { before -= 1 }
            if before < readerIndex || buffer[before] == 0x0A { return lf + 1 }
            index = lf + 1
        }
        scannedUpTo = buffer.count
        return nil
    }

    private static func statusLine(_ line: [UInt8]) throws(Failure) -> (Int, String) {
        let text = String(decoding: line, as: UTF8.self)
        let parts = text.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0] == "HTTP/1.1" || parts[0] == "HTTP/1.0", parts[1].utf8.count == 3,
            let status = Int(parts[1]), (100...599).contains(status)
        else {
            let shown = (text.count > 60 ? String(text.prefix(60)) + "…" : text).escapingControlCharacters  // whatever answered
            throw .malformed("not an HTTP answer (\"\(shown)\")")
        }
        return (status, parts.count > 2 ? String(parts[2]) : "")
    }

    /// RFC 9112 §6.3: no body for 204 and 304; chunked when it is the last coding; else
    /// Content-Length; else until the server closes.
    private static func bodyState(for head: HTTPResponseHead) throws(Failure) -> State {
        if head.status == 204 || head.status == 304 { return .fixed(remaining: 0) }
        let codings = head.headers.values(name: "Transfer-Encoding").flatMap { $0.split(separator: ",") }
            .map { $0.trimming(scalarsIn: " \t").lowercased() }
        if let last = codings.last {
            return last == "chunked" ? .chunkSize : .untilClose
        }
        let lengths = Set(head.headers.values(name: "Content-Length").flatMap { $0.split(separator: ",") }.map { $0.trimming(scalarsIn: " \t") })
        guard let text = lengths.first else { return .untilClose }
        guard lengths.count == 1, !text.isEmpty, text.utf8.count <= 18, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let length = Int(text) else {
            throw .malformed("an invalid Content-Length")
        }
        return .fixed(remaining: length)
    }

    /// Hex digits, then an optional `;extension`.
    private static func chunkSize(_ line: [UInt8]) throws(Failure) -> Int {
        var size = 0
        var digits = 0
        for byte in line {
            if byte == 0x3B || byte == 0x20 || byte == 0x09 { break }
            guard let digit = hexValue(byte), digits < 15 else { throw .malformed("an invalid chunk size") }
            size = size << 4 | Int(digit)
            digits += 1
        }
        guard digits > 0 else { throw .malformed("an invalid chunk size") }
        return size
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }

    // MARK: Buffer

    /// The next line without its CR LF (a bare LF is taken too), or nil until one is whole.
    private mutating func nextLine(limit: Int, what: String) throws(Failure) -> [UInt8]? {
        let from = max(scannedUpTo, readerIndex)
        guard let lf = buffer[from...].firstIndex(of: 0x0A) else {
            scannedUpTo = buffer.count
            if buffer.count - readerIndex > limit + 2 { throw .malformed("a \(what) longer than \(limit) bytes") }
            return nil
        }
        var end = lf
        if end > readerIndex, buffer[end - 1] == 0x0D { end -= 1 }
        guard end - readerIndex <= limit else { throw .malformed("a \(what) longer than \(limit) bytes") }
        let line = Array(buffer[readerIndex..<end])
        readerIndex = lf + 1
        scannedUpTo = readerIndex
        return line
    }

    private mutating func take(_ count: Int) -> [UInt8] {
        let bytes = Array(buffer[readerIndex..<readerIndex + count])
        readerIndex += count
        scannedUpTo = max(scannedUpTo, readerIndex)
        return bytes
    }

    /// Drops consumed bytes when that is cheap: most of the buffer is behind the reader.
    private mutating func compact() {
        guard readerIndex > 0, readerIndex * 2 >= buffer.count || readerIndex == buffer.count else { return }
        buffer.removeFirst(readerIndex)
        scannedUpTo -= readerIndex
        readerIndex = 0
    }
}
