import Testing
import TestSupport
import ControlPort
@testable import ControlAPI
@testable import Crypt
@testable import HTTPServing
@testable import HTTPWire

/// The same stream decodes to the same requests (and the same error) however the socket cut it.
@Suite struct HTTPDecoderChunkingTests {
    static let pipelined = Array(
        (
            "\r\n"  // an empty line before a request is ignored
            + "GET /agents?state=paused&q=a%20b+c HTTP/1.1\r\nHost: pbx\r\nAccept: */*\r\n\r\n"
            + "POST /agents/1001/pause HTTP/1.1\r\nHost: pbx\r\nContent-Type: application/json\r\n"
            + "Content-Length: 17\r\n\r\n{\"reason\":\"tea\"}\n"
            + "PUT /queues/sales%2Fnorth/members/1001 HTTP/1.1\r\nHost: pbx\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5\r\nhello\r\n1;ext=\"v\"\r\n \r\n6\r\nworld!\r\n0\r\nX-Trailer: t\r\n\r\n"
            + "GET /health HTTP/1.0\nX-Bare-LF: yes\n\n"
            + "DELETE /sessions/abc HTTP/1.1\r\nHost: pbx\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
        ).utf8)

    static let expected: [HTTPRequest] = [
        HTTPRequest(
            method: "GET", target: "/agents?state=paused&q=a%20b+c", path: ["agents"],
            query: [HTTPQueryItem(name: "state", value: "paused"), HTTPQueryItem(name: "q", value: "a b c")],
            headers: ["Host": "pbx", "Accept": "*/*"]),
        HTTPRequest(
            method: "POST", target: "/agents/1001/pause", path: ["agents", "1001", "pause"],
            headers: ["Host": "pbx", "Content-Type": "application/json", "Content-Length": "17"],
            body: Array("{\"reason\":\"tea\"}\n".utf8)),
        HTTPRequest(
            method: "PUT", target: "/queues/sales%2Fnorth/members/1001", path: ["queues", "sales/north", "members", "1001"],
            headers: ["Host": "pbx", "Transfer-Encoding": "chunked"], body: Array("hello world!".utf8), wasChunked: true),
        HTTPRequest(
            method: "GET", target: "/health", path: ["health"], version: .http1_0, headers: ["X-Bare-LF": "yes"],
            keepAlive: false),
        HTTPRequest(
            method: "DELETE", target: "/sessions/abc", path: ["sessions", "abc"],
            headers: ["Host": "pbx", "Connection": "close", "Content-Length": "0"], keepAlive: false),
    ]

    @Test func wholeStreamDecodesToThePipelinedRequests() {
        #expect(Decode.whole(Self.pipelined) == Self.expected.map(Outcome.message))
    }

    @Test func everyTwoChunkSplit() {
        Decode.verifier().verifyEverySplit(Self.pipelined, expecting: Self.expected.map(Outcome.message))
    }

    @Test(arguments: [1, 2, 3, 5, 7, 64, 4096])
    func fixedChunkSizes(size: Int) {
        #expect(Decode.chunked(Self.pipelined, size: size) == Self.expected.map(Outcome.message))
    }

    @Test(arguments: [1 as UInt64, 2, 3])
    func randomCuts(seed: UInt64) {
        Decode.verifier().verify(Self.pipelined, expecting: Self.expected.map(Outcome.message), randomCuttings: 16, seed: seed)
    }

    @Test func everyThreeChunkSplitOfTheChunkedRequest() {
        let wire = Array("PUT /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;a=b\r\nde\r\n0\r\n\r\n".utf8)
        #expect(Decode.whole(wire).count == 1)
        Decode.verifier().verifyEverySplit(wire, threeWays: true)
    }

    /// Streams that end in an error: the error, and whatever came before it, does not depend on
    /// the cuts. Limits are small so that they are crossed mid-line and mid-chunk.
    static let small = HTTPLimits(maximumHeaderBytes: 200, maximumHeaderCount: 4, maximumBodyBytes: 16, maximumTargetLength: 40)
    static let failing: [(String, Int)] = [
        ("GET /\(String(repeating: "a", count: 60)) HTTP/1.1\r\nHost: h\r\n\r\n", 414),
        ("GET / HTTP/1.1\r\nHost: h\r\nX: \(String(repeating: "v", count: 300))\r\n\r\n", 431),
        ("GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n", 431),
        ("GET / HTTP/1.1\r\nHost: h\r\nBad Name: 1\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 17\r\n\r\n", 413),
        ("GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n9\r\n123456789\r\n9\r\n", 413),
        ("GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX", 400),
        ("GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\(String(repeating: "T", count: 250))", 431),
        ("GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n\(String(repeating: "0", count: 1100))", 400),
        ("GETTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTT / HTTP/1.1\r\n\r\n", 501),
        ("GET / HTTP/1.1\r\r\nHost: h\r\n\r\n", 400),
        ("GET / HTTP/1.1 \r\nHost: h\r\n\r\n", 400),
        ("GET / HTTP/3.0\r\nHost: h\r\n\r\n", 505),
        ("G\rET / HTTP/1.1\r\n", 400),
        ("\r\r\n", 400),
    ]

    @Test(arguments: 0..<failing.count)
    func errorsDoNotDependOnTheCuts(index: Int) {
        let (text, status) = Self.failing[index]
        let wire = Array(("GET /ok HTTP/1.1\r\nHost: h\r\n\r\n" + text + "GET /never HTTP/1.1\r\nHost: h\r\n\r\n").utf8)
        let expected = Decode.whole(wire, limits: Self.small)
        guard case .failure(let error) = expected.last, expected.count == 2 else {
            Issue.record("\(text.debugDescription): \(expected)")
            return
        }
        #expect(error.status.code == status, "\(text.debugDescription): \(error)")
        Decode.verifier(limits: Self.small).verifyEverySplit(wire)
        Decode.verifier(limits: Self.small).verify(wire)
    }
}
