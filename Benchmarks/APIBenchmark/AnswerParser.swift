/// A whole answer: its status code and body.
struct HTTPAnswer {
    var status: Int
    var body: [UInt8]
    /// The server said `Connection: close`: the next request needs a new connection.
    var closes: Bool
}

/// Finds one whole answer at the start of the bytes read: the head up to its blank line, the
/// status code, `Content-Length` and `Connection`, then that many body bytes.
enum AnswerParser {
    /// The answer and how many bytes it took; nil while more bytes are needed.
    static func parse(_ bytes: [UInt8]) throws(ExchangeError) -> (HTTPAnswer, Int)? {
        guard let headEnd = endOfHead(bytes) else {
            if bytes.count > 64 << 10 { throw .malformed("no end of head in \(bytes.count) bytes") }
            return nil
        }
        let head = String(decoding: bytes[0..<headEnd], as: UTF8.self)
        let lines = head.split(separator: "\r\n", omittingEmptySubsequences: true)
        guard let statusLine = lines.first, statusLine.hasPrefix("HTTP/1.1 "),
            let status = Int(statusLine.dropFirst(9).prefix(3))
        else { throw .malformed("status line '\(lines.first ?? "")'") }
        var length = 0
        var closes = false
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingSpaces
            if name == "content-length" {
                guard let parsed = Int(value), parsed >= 0 else { throw .malformed("Content-Length '\(value)'") }
                length = parsed
            } else if name == "connection" {
                closes = value.lowercased() == "close"
            }
        }
        let bodyStart = headEnd + 4
        guard bytes.count >= bodyStart + length else { return nil }
        return (HTTPAnswer(status: status, body: Array(bytes[bodyStart..<bodyStart + length]), closes: closes), bodyStart + length)
    }

    /// The index of the `\r\n\r\n` that ends the head.
    private static func endOfHead(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4)
        where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            return index
        }
        return nil
    }
}

extension Substring {
    var trimmingSpaces: Substring {
        var trimmed = self
        while let first = trimmed.first, first == " " || first == "\t" { trimmed.removeFirst() }
        while let last = trimmed.last, last == " " || last == "\t" { trimmed.removeLast() }
        return trimmed
    }
}
