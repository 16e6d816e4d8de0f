import Testing
import ControlPort
@testable import ControlAPI
@testable import Crypt
@testable import HTTPServing
@testable import HTTPWire

/// What a decoded request says: target parts, headers, keep-alive, expectations.
@Suite struct HTTPRequestTests {
    @Test func pathSegmentsAreSplitBeforeDecoding() throws {
        let request = try #require(Decode.request("GET /queues/sales%2Fnorth/members/%E2%82%AC/ HTTP/1.1\r\nHost: x\r\n\r\n"))
        #expect(request.path == ["queues", "sales/north", "members", "€", ""])
        #expect(request.target == "/queues/sales%2Fnorth/members/%E2%82%AC/")
        #expect(Decode.request("GET / HTTP/1.1\r\nHost: x\r\n\r\n")?.path == [])
        #expect(Decode.request("GET //a HTTP/1.1\r\nHost: x\r\n\r\n")?.path == ["", "a"])
        #expect(Decode.request("GET /a+b HTTP/1.1\r\nHost: x\r\n\r\n")?.path == ["a+b"])
        #expect(Decode.request("GET /..a/b.. HTTP/1.1\r\nHost: x\r\n\r\n")?.path == ["..a", "b.."])
    }

    @Test func queryItemsAreDecoded() throws {
        let request = try #require(Decode.request("GET /a?x=1&&flag&y=&z=a%26b%3Dc+d&x=2 HTTP/1.1\r\nHost: x\r\n\r\n"))
        #expect(
            request.query == [
                HTTPQueryItem(name: "x", value: "1"), HTTPQueryItem(name: "flag", value: ""), HTTPQueryItem(name: "y", value: ""),
                HTTPQueryItem(name: "z", value: "a&b=c d"), HTTPQueryItem(name: "x", value: "2"),
            ])
        #expect(request.queryValue("x") == "1")
        #expect(request.queryValue("nope") == nil)
        #expect(Decode.request("GET /?a=b=c HTTP/1.1\r\nHost: x\r\n\r\n")?.query == [HTTPQueryItem(name: "a", value: "b=c")])
        #expect(Decode.request("GET /a? HTTP/1.1\r\nHost: x\r\n\r\n")?.query == [])
    }

    @Test func absoluteAndAsteriskForms() throws {
        let absolute = try #require(Decode.request("GET HTTP://pbx:8080/agents?x=1 HTTP/1.1\r\nHost: pbx:8080\r\n\r\n"))
        #expect(absolute.path == ["agents"])
        #expect(absolute.query == [HTTPQueryItem(name: "x", value: "1")])
        #expect(Decode.request("GET https://pbx HTTP/1.1\r\nHost: pbx\r\n\r\n")?.path == [])
        #expect(Decode.request("GET http://pbx?x=1 HTTP/1.1\r\nHost: pbx\r\n\r\n")?.query == [HTTPQueryItem(name: "x", value: "1")])
        #expect(Decode.request("OPTIONS * HTTP/1.1\r\nHost: pbx\r\n\r\n")?.path == [])
    }

    @Test func headersKeepOrderAndRepeatsAndIgnoreCase() throws {
        let request = try #require(
            Decode.request("GET / HTTP/1.1\r\nhOsT: pbx\r\nX-Tag: a\r\nx-tag:b\r\nX-Empty:\r\nX-Pad: \t v  w \t\r\nX-Obs: caf\u{E9}\r\n\r\n"))
        #expect(request.headers["host"] == "pbx")
        #expect(request.headers["HOST"] == "pbx")
        #expect(request.headers.values(name: "X-TAG") == ["a", "b"])
        #expect(request.headers["x-empty"] == "")
        #expect(request.headers["x-pad"] == "v  w")
        #expect(request.headers["x-obs"] == "caf\u{E9}")
        #expect(request.headers["missing"] == nil)
        #expect(request.headers.fields.map(\.name) == ["hOsT", "X-Tag", "x-tag", "X-Empty", "X-Pad", "X-Obs"])
    }

    @Test(arguments: [
        ("GET / HTTP/1.1\r\nHost: x\r\n\r\n", true),
        ("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", false),
        ("GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, CLOSE\r\n\r\n", false),
        ("GET / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n", true),
        ("GET / HTTP/1.0\r\n\r\n", false),
        ("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", true),
        ("GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n", false),
    ])
    func keepAlive(text: String, keepAlive: Bool) {
        #expect(Decode.request(text)?.keepAlive == keepAlive)
    }

    @Test func contentLengthListsOfEqualValuesAreOneLength() {
        let text = "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3, 003\r\nContent-Length: 3\r\n\r\nabc"
        #expect(Decode.request(text)?.body == Array("abc".utf8))
        #expect(Decode.request("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0000\r\n\r\n")?.body == [])
    }

    @Test func chunkedBodyWithExtensionsAndTrailers() throws {
        let text =
            "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\n\r\n"
            + "A ; name=value;x=\"q\"\r\n0123456789\r\n00001\n!\n0\r\nTrailer-One: 1\r\nTrailer-Two: 2\r\n\r\n"
        let request = try #require(Decode.request(text))
        #expect(request.body == Array("0123456789!".utf8))
        #expect(request.wasChunked)
        #expect(request.headers["trailer-one"] == nil)
    }

    @Test func expectContinueIsAnnouncedBeforeTheBody() throws {
        var decoder = HTTPRequestDecoder()
        decoder.append(Array("POST /a HTTP/1.1\r\nHost: x\r\nExpect: 100-Continue\r\nContent-Length: 3\r\n\r\n".utf8))
        #expect(try decoder.next() == nil)
        let head = try #require(decoder.awaitingContinue)
        #expect(head.path == ["a"])
        #expect(head.expectation == .continue)
        #expect(head.body.isEmpty)
        decoder.continueSent()
        #expect(decoder.awaitingContinue == nil)
        decoder.append(Array("abc".utf8))
        let request = try #require(try decoder.next())
        #expect(request.body == Array("abc".utf8))
        #expect(request.expectation == .continue)
        #expect(decoder.awaitingContinue == nil)
        #expect(!decoder.hasPartialRequest)
    }

    @Test func expectContinueWithTheBodyAlreadyThereNeedsNoInterimAnswer() throws {
        var decoder = HTTPRequestDecoder()
        decoder.append(Array("POST /a HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nz".utf8))
        #expect(try decoder.next()?.body == [0x7A])
        #expect(decoder.awaitingContinue == nil)
    }

    @Test func otherExpectationsAreReportedForA417() {
        #expect(Decode.request("POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue, foo\r\n\r\n")?.expectation == .unsupported("100-continue, foo"))
        #expect(Decode.request("POST / HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\n\r\n")?.expectation == .unsupported("teapot"))
        #expect(Decode.request("POST / HTTP/1.0\r\nExpect: 100-continue\r\n\r\n")?.expectation == nil)
        #expect(Decode.request("POST / HTTP/1.1\r\nHost: x\r\n\r\n")?.expectation == nil)
    }

    @Test func partialRequestIsVisible() throws {
        var decoder = HTTPRequestDecoder()
        #expect(!decoder.hasPartialRequest)
        decoder.append(Array("GE".utf8))
        #expect(try decoder.next() == nil)
        #expect(decoder.hasPartialRequest)
        decoder.append(Array("T / HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
        #expect(try decoder.next()?.path == [])
        #expect(decoder.hasPartialRequest)
        #expect(try decoder.next()?.path == ["b"])
        #expect(!decoder.hasPartialRequest)
        #expect(try decoder.next() == nil)
        #expect(decoder.bufferedByteCount == 0)
    }

    @Test func manyPipelinedRequestsInOneRead() throws {
        let one = "POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nbody"
        var decoder = HTTPRequestDecoder()
        decoder.append(Array(String(repeating: one, count: 1000).utf8))
        var count = 0
        while let request = try decoder.next() {
            #expect(request.body == Array("body".utf8))
            count += 1
        }
        #expect(count == 1000)
        #expect(decoder.bufferedByteCount == 0)
    }
}
