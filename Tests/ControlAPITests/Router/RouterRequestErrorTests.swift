import HTTPWire
import Testing
import TestSupport

/// Requests the router cannot act on: each gets a 4xx whose code and message say what was wrong.
@Suite(.timeLimit(.minutes(1))) struct RouterRequestErrorTests {
    @Test(arguments: [
        (#"{"status""#, "invalid_json", "the body is not valid JSON: "),
        (String(repeating: "[", count: 200), "invalid_json", "the body is not valid JSON: "),
        (#""break""#, "invalid_json", "the body must be a JSON object"),
        (#"{"state": "break"}"#, "missing_field", #"the body needs "status""#),
        (#"{"status": null}"#, "missing_field", #"the body needs "status""#),
        (#"{"status": 3}"#, "invalid_field", #""status" must be a string"#),
        (#"{"status": ""}"#, "invalid_field", #""status" must be 1 to 1024 bytes long"#),
        (#"{"status": ""# + String(repeating: "x", count: 1025) + #""}"#, "invalid_field", #""status" must be 1 to 1024 bytes long"#),
    ])
    func aBadCommandBodyIsA400NamingWhatIsWrong(body: String, code: String, message: String) throws {
        let api = try RouterFixture()
        let answer = try api.call(RouterRequest("PUT", "/v1/agents/dana@example.com/status", raw: body), overSocket: true)
        #expect(answer.status == 400 && answer.errorCode == code, "\(answer)")
        #expect(answer.errorMessage?.hasPrefix(message) == true, "\(answer)")
        #expect(api.daemon.submissions.isEmpty, "a bad body never bothers the daemon")
    }

    @Test func aLoginWithoutAnExtensionSaysSo() throws {
        let api = try RouterFixture()
        let answer = try api.call(RouterRequest("POST", "/v1/agents/dana@example.com/login", raw: ""), overSocket: true)
        #expect(answer.status == 400 && answer.errorMessage == #"the body needs "extension""#, "\(answer)")
        // A logout needs no body at all.
        #expect(try api.call(RouterRequest("POST", "/v1/agents/dana@example.com/logout"), overSocket: true).errorCode == "not_logged_in")
    }

    @Test func aBodyOverTheLimitIsA413() throws {
        let api = try RouterFixture()
        // Declared too large: answered before a byte of the body is read.
        let connection = try LoopbackConnection(socketPath: api.socketPath)
        let head = "PUT /v1/agents/dana@example.com/status HTTP/1.1\r\nHost: x\r\nContent-Length: \((1 << 20) + 1)\r\n\r\n"
        let answer = try RouterAnswer.exchange(Array(head.utf8), on: connection)
        #expect(answer.status == 413 && answer.errorCode == "content_too_large", "\(answer)")
        #expect(api.daemon.submissions.isEmpty)
    }

    @Test func unknownRoutesAndWrongMethods() throws {
        let api = try RouterFixture()
        let unknown = try api.call("GET", "/v1/nothing", overSocket: true)
        #expect(unknown.status == 404 && unknown.errorCode == "not_found" && unknown.errorMessage == "no such route: /v1/nothing")
        let wrong = try api.call("DELETE", "/v1/agents/dana@example.com", overSocket: true)
        #expect(wrong.status == 405 && wrong.errorCode == "method_not_allowed" && wrong.headers["Allow"] == "GET", "\(wrong)")
        #expect(try api.call("GET", "/v1/agents/", overSocket: true).status == 200, "a trailing slash is tolerated")
        // Before authentication: an unknown route is 404 to anyone.
        #expect(try api.call("GET", "/v1/nothing").status == 404)
    }

    @Test(arguments: ["Basic ZGFuYTpkZW1v", "Bearer", "Bearer a b", "Bearer " + String(repeating: "a", count: 600), "Token abc"])
    func anAuthorizationThatIsNoBearerTokenIs401EvenOnTheSocket(field: String) throws {
        let api = try RouterFixture()
        let answer = try api.call("GET", "/v1/agents", overSocket: true, headers: [("Authorization", field)])
        #expect(answer.status == 401 && answer.errorCode == "unauthorized", "\(field): \(answer)")
    }
}
