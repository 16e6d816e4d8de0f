import Testing
import TestSupport
import ControlPort
@testable import ControlAPI
@testable import Crypt
@testable import HTTPServing
@testable import HTTPWire

/// Every limit and every malformed request gets its status, and the decoder stays failed.
@Suite struct HTTPDecoderErrorTests {
    static let host = "Host: pbx\r\n"

    static let malformed: [(String, String, Int)] = [
        // Request line
        ("no version", "GET /\r\n\r\n", 400),
        ("lower-case version", "GET / http/1.1\r\n\r\n", 400),
        ("two spaces", "GET  / HTTP/1.1\r\n\(host)\r\n", 400),
        ("leading space", " GET / HTTP/1.1\r\n\(host)\r\n", 400),
        ("tab separator", "GET\t/ HTTP/1.1\r\n\(host)\r\n", 400),
        ("trailing space", "GET / HTTP/1.1 \r\n\(host)\r\n", 400),
        ("method with slash", "GE/T / HTTP/1.1\r\n\(host)\r\n", 400),
        ("method too long", "\(String(repeating: "M", count: 33)) / HTTP/1.1\r\n\(host)\r\n", 501),
        ("HTTP/2.0", "GET / HTTP/2.0\r\n\(host)\r\n", 505),
        ("HTTP/1.2", "GET / HTTP/1.2\r\n\(host)\r\n", 505),
        ("HTTP/1.10", "GET / HTTP/1.10\r\n\(host)\r\n", 400),
        ("bare CR in line", "GET /\r HTTP/1.1\r\n\(host)\r\n", 400),
        ("NUL in target", "GET /a\0b HTTP/1.1\r\n\(host)\r\n", 400),
        ("fragment in target", "GET /a#b HTTP/1.1\r\n\(host)\r\n", 400),
        ("non-ASCII target", "GET /é HTTP/1.1\r\n\(host)\r\n", 400),
        ("relative target", "GET agents HTTP/1.1\r\n\(host)\r\n", 400),
        ("asterisk outside OPTIONS", "GET * HTTP/1.1\r\n\(host)\r\n", 400),
        ("dot-dot segment", "GET /a/../etc HTTP/1.1\r\n\(host)\r\n", 400),
        ("encoded dot-dot", "GET /a/%2e%2E/etc HTTP/1.1\r\n\(host)\r\n", 400),
        ("dot segment", "GET /a/./b HTTP/1.1\r\n\(host)\r\n", 400),
        ("bad escape", "GET /a%zz HTTP/1.1\r\n\(host)\r\n", 400),
        ("truncated escape", "GET /a%4 HTTP/1.1\r\n\(host)\r\n", 400),
        ("escape at end of segment", "GET /a%/b HTTP/1.1\r\n\(host)\r\n", 400),
        ("encoded NUL", "GET /a%00 HTTP/1.1\r\n\(host)\r\n", 400),
        ("invalid UTF-8 in path", "GET /a%ff HTTP/1.1\r\n\(host)\r\n", 400),
        ("invalid UTF-8 in query", "GET /a?x=%c3%28 HTTP/1.1\r\n\(host)\r\n", 400),
        ("overlong UTF-8", "GET /%c0%af HTTP/1.1\r\n\(host)\r\n", 400),
        ("absolute-form without host", "GET http:///a HTTP/1.1\r\n\(host)\r\n", 400),
        ("target too long", "GET /\(String(repeating: "a", count: 8 * 1024)) HTTP/1.1\r\n\(host)\r\n", 414),
        // Header fields
        ("obs-fold", "GET / HTTP/1.1\r\n\(host)X: a\r\n b\r\n\r\n", 400),
        ("obs-fold with tab", "GET / HTTP/1.1\r\n\(host)X: a\r\n\tb\r\n\r\n", 400),
        ("space before colon", "GET / HTTP/1.1\r\nHost : pbx\r\n\r\n", 400),
        ("tab before colon", "GET / HTTP/1.1\r\nHost\t: pbx\r\n\r\n", 400),
        ("no colon", "GET / HTTP/1.1\r\n\(host)Nonsense\r\n\r\n", 400),
        ("empty name", "GET / HTTP/1.1\r\n\(host): v\r\n\r\n", 400),
        ("bare CR in value", "GET / HTTP/1.1\r\n\(host)X: a\rb\r\n\r\n", 400),
        ("NUL in value", "GET / HTTP/1.1\r\n\(host)X: a\0b\r\n\r\n", 400),
        ("DEL in value", "GET / HTTP/1.1\r\n\(host)X: a\u{7F}b\r\n\r\n", 400),
        ("header name with slash", "GET / HTTP/1.1\r\n\(host)X/Y: 1\r\n\r\n", 400),
        ("missing Host on 1.1", "GET / HTTP/1.1\r\n\r\n", 400),
        ("two Host fields", "GET / HTTP/1.1\r\n\(host)\(host)\r\n", 400),
        ("two Host fields on 1.0", "GET / HTTP/1.0\r\n\(host)\(host)\r\n", 400),
        // Content-Length
        ("negative length", "POST / HTTP/1.1\r\n\(host)Content-Length: -1\r\n\r\n", 400),
        ("plus sign", "POST / HTTP/1.1\r\n\(host)Content-Length: +1\r\n\r\n", 400),
        ("hex length", "POST / HTTP/1.1\r\n\(host)Content-Length: 0x10\r\n\r\n", 400),
        ("empty length", "POST / HTTP/1.1\r\n\(host)Content-Length: \r\n\r\n", 400),
        ("length with space inside", "POST / HTTP/1.1\r\n\(host)Content-Length: 1 2\r\n\r\n", 400),
        ("differing lengths", "POST / HTTP/1.1\r\n\(host)Content-Length: 1\r\nContent-Length: 2\r\n\r\nab", 400),
        ("differing list", "POST / HTTP/1.1\r\n\(host)Content-Length: 1, 2\r\n\r\nab", 400),
        ("empty list element", "POST / HTTP/1.1\r\n\(host)Content-Length: 1,\r\n\r\na", 400),
        ("length over the limit", "POST / HTTP/1.1\r\n\(host)Content-Length: 1048577\r\n\r\n", 413),
        ("huge length", "POST / HTTP/1.1\r\n\(host)Content-Length: 99999999999999999999999\r\n\r\n", 413),
        // Transfer-Encoding
        ("length and chunked", "POST / HTTP/1.1\r\n\(host)Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
        ("chunked on 1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
        ("gzip only", "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: gzip\r\n\r\n", 400),
        ("gzip then chunked", "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: gzip, chunked\r\n\r\n", 501),
        ("chunked twice", "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", 501),
        ("empty coding", "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: \r\n\r\n", 400),
        ("chunk size not hex", "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\n\r\nzz\r\n", 400),
        ("chunk size negative", "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\n\r\n-1\r\n", 400),
        ("chunk size empty", "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\n\r\n\r\n", 400),
        ("chunk size junk", "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\n\r\n5x\r\n", 400),
        ("chunk extension with CR", "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\n\r\n5;a\rb\r\n", 400),
        ("chunk longer than said", "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n", 400),
        ("chunk over the limit", "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\n\r\n100001\r\n", 413),
        ("huge chunk", "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\n\r\nffffffffffffffffffffffff\r\n", 413),
        ("bad trailer", "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\n\r\n0\r\nBad Trailer: x\r\n\r\n", 400),
        // Limits
        ("header section too large", "GET / HTTP/1.1\r\n\(host)X: \(String(repeating: "v", count: 16 * 1024))\r\n\r\n", 431),
        ("header section too large, unterminated", "GET / HTTP/1.1\r\n\(host)X: \(String(repeating: "v", count: 16 * 1024))", 431),
        (
            "too many fields",
            "GET / HTTP/1.1\r\n\(host)" + (1...100).map { "X-\($0): v\r\n" }.joined() + "\r\n", 431
        ),
        (
            "too many trailers",
            "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\n\r\n0\r\n" + (1...101).map { "T\($0): v\r\n" }.joined(), 431
        ),
        ("unterminated long target", "GET /\(String(repeating: "a", count: 9000))", 414),
        ("unterminated long method", String(repeating: "M", count: 40), 501),
    ]

    @Test(arguments: 0..<malformed.count)
    func malformedRequestGetsItsStatus(index: Int) {
        let (name, text, status) = Self.malformed[index]
        let outcomes = Decode.whole(Array(text.utf8))
        guard case .failure(let error) = outcomes.last else {
            Issue.record("\(name): \(outcomes)")
            return
        }
        #expect(error.status.code == status, "\(name): \(error)")
        #expect(outcomes.count == 1, "\(name)")
        #expect(Decode.chunked(Array(text.utf8), size: 1) == outcomes, "\(name) byte by byte")
    }

    @Test func exactlyAtTheLimitsIsAccepted() {
        let limits = HTTPLimits(maximumHeaderBytes: 256, maximumHeaderCount: 3, maximumBodyBytes: 5, maximumTargetLength: 8)
        let head = "POST /1234567 HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n"
        let filler = "X: " + String(repeating: "v", count: 256 - head.utf8.count - 2 - 5) + "\r\n"
        let text = head + filler + "\r\n" + "abcde"
        #expect(Decode.request(text, limits: limits)?.body == Array("abcde".utf8))
        let oneMore = head + "X: v" + filler.dropFirst(3) + "\r\n" + "abcde"
        #expect(Decode.status(oneMore, limits: limits) == 431)
        #expect(Decode.status("GET /12345678 HTTP/1.1\r\nHost: h\r\n\r\n", limits: limits) == 414)
        #expect(Decode.status("GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", limits: limits) == 431)
        #expect(Decode.status("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 6\r\n\r\n", limits: limits) == 413)
        let chunked = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n"
        #expect(Decode.request(chunked + "0\r\n\r\n", limits: limits)?.body == Array("abcde".utf8))
        #expect(Decode.status(chunked + "1\r\n", limits: limits) == 413)
    }

    @Test func failureIsFinalAndHoldsNothing() {
        var decoder = HTTPRequestDecoder()
        decoder.append(Array("GET / HTTP/1.1\r\nHost : x\r\n\r\n".utf8))
        #expect(throws: HTTPError(.badRequest, "whitespace before colon")) { try decoder.next() }
        decoder.append(Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
        #expect(decoder.bufferedByteCount == 0)
        #expect(throws: HTTPError(.badRequest, "whitespace before colon")) { try decoder.next() }
    }

    @Test func aDeclaredBodyOverTheLimitIsRefusedBeforeItArrives() throws {
        var decoder = HTTPRequestDecoder()
        decoder.append(Array("PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n".utf8))
        #expect(throws: HTTPError(.contentTooLarge, "body too large")) { try decoder.next() }
    }

    @Test func errorResponsesNameTheStatus() {
        let response = HTTPResponse.error(HTTPError(.requestHeaderFieldsTooLarge, "too many header fields"))
        #expect(response.status.code == 431)
        #expect(
            String(decoding: response.body, as: UTF8.self)
                == #"{"error":{"code":"request_header_fields_too_large","message":"too many header fields"}}"#)
    }
}
