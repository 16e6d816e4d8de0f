import AgentCore
import Testing
import ControlPort
@testable import ControlAPI
@testable import Crypt
@testable import HTTPServing
@testable import HTTPWire

@Suite struct APIRouteTests {
    static func route(_ method: String, _ path: String) -> Result<APIRoute, APIFailure> {
        APIRoute.match(method: method, path: path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(String.init))
    }

    @Test func everyRouteOfTheContract() throws {
        let cases: [(String, String, APIRoute)] = [
            ("POST", "/v1/sessions", .createSession), ("DELETE", "/v1/sessions/current", .deleteSession),
            ("GET", "/v1/agents", .agents), ("GET", "/v1/agents/dana@example.com", .agent("dana@example.com")),
            ("GET", "/v1/agents/dana/extensions", .extensionOffer("dana")), ("POST", "/v1/agents/dana/login", .login("dana")),
            ("POST", "/v1/agents/dana/logout", .logout("dana")), ("PUT", "/v1/agents/dana/status", .setStatus("dana")),
            ("GET", "/v1/statuses", .statuses), ("GET", "/v1/skills", .skills), ("GET", "/v1/extensions", .extensions),
            ("POST", "/v1/reload", .reload), ("GET", "/v1/events", .events), ("GET", "/healthz", .health),
            ("GET", "/metrics", .metrics), ("GET", "/v1/agents/", .agents),
            ("GET", "/v1/reports/time-in-status", .timeInStatusReport),
            ("DELETE", "/v1/logins/dana@example.com/lock", .unlockLogin("dana@example.com")),
        ]
        for (method, path, expected) in cases {
            #expect(try Self.route(method, path).get() == expected, "\(method) \(path)")
        }
    }

    @Test func unknownPathsAre404() {
        for path in [
            "/", "/v1", "/v2/agents", "/v1/agents/dana/status/extra", "/v1/agents//status", "/v1/nope", "/healthz/x", "/v1/logins/dana",
            "/v1/logins//lock", "/v1/logins/dana/locked",
        ] {
            guard case .failure(let failure) = Self.route("GET", path) else {
                Issue.record("\(path) matched")
                continue
            }
            #expect(failure.status == .notFound && failure.code == "not_found", "\(path)")
        }
    }

    @Test func wrongMethodIs405WithAllow() {
        guard case .failure(let failure) = Self.route("GET", "/v1/agents/dana/status") else {
            Issue.record("GET on status matched")
            return
        }
        #expect(failure.status == .methodNotAllowed)
        #expect(failure.headers.first { $0.0 == "Allow" }?.1 == "PUT")
        #expect(failure.response.headers["Allow"] == "PUT")
        guard case .failure(let head) = Self.route("HEAD", "/healthz") else {
            Issue.record("HEAD matched")
            return
        }
        #expect(head.status == .methodNotAllowed)
    }

    @Test func bearerTokens() {
        #expect(APIRouter.bearerToken("Bearer abc123") == "abc123")
        #expect(APIRouter.bearerToken("bearer   abc123  ") == "abc123")
        #expect(APIRouter.bearerToken("Basic abc123") == nil)
        #expect(APIRouter.bearerToken("Bearer") == nil)
        #expect(APIRouter.bearerToken("Bearer a b") == nil)
        #expect(APIRouter.bearerToken("Bearer " + String(repeating: "a", count: 513)) == nil)
        #expect(APIRouter.bearerToken("Bearer tök") == nil)
        #expect(APIRouter.bearerToken(nil) == nil)
    }

    @Test func commandBodies() throws {
        #expect(try RequestBody.parse(Array(#"{"status":"break"}"#.utf8)).get().string("status").get() == "break")
        #expect(try RequestBody.parse([]).get().value == .object([]))
        #expect(try RequestBody.parse(Array("  \r\n".utf8)).get().value == .object([]))
        let failures: [(String, String)] = [
            ("{", "invalid_json"), ("[1]", "invalid_json"), (#""x""#, "invalid_json"),
        ]
        for (text, code) in failures {
            guard case .failure(let failure) = RequestBody.parse(Array(text.utf8)) else {
                Issue.record("\(text) parsed")
                continue
            }
            #expect(failure.code == code && failure.status == .badRequest)
        }
        let body = try RequestBody.parse(Array(#"{"a":1,"b":"","c":null}"#.utf8)).get()
        for (key, code) in [("a", "invalid_field"), ("b", "invalid_field"), ("c", "missing_field"), ("d", "missing_field")] {
            guard case .failure(let failure) = body.string(key) else {
                Issue.record("\(key) accepted")
                continue
            }
            #expect(failure.code == code, "\(key)")
        }
    }

    @Test func refusalsMapToStatusAndCode() {
        let cases: [(CommandError, Int, String)] = [
            (.unknownAgent("x"), 404, "unknown_agent"), (.unknownStatus("x"), 404, "unknown_status"),
            (.unknownExtension("x"), 404, "unknown_extension"), (.forbidden(actor: .user("a"), agent: "b"), 403, "forbidden"),
            (.extensionTaken("101", by: "a"), 409, "extension_taken"), (.limitReached("break", limit: 3), 409, "limit_reached"),
            (.notLoggedIn("a"), 409, "not_logged_in"), (.alreadyLoggedIn("a", at: "101"), 409, "already_logged_in"),
        ]
        for (error, status, code) in cases {
            let failure = APIFailure.refused(error)
            #expect(failure.status.code == status && failure.code == code && failure.message == error.description)
        }
    }

    @Test func prometheusText() {
        var out = PrometheusText()
        out.family("x_total", "counter", "Things.")
        out.sample("x_total", labels: [("action", "a\"b\\c\nd")], 3)
        out.sample("y", double: 0.25)
        out.sample("z", double: .infinity)
        #expect(
            out.text == """
                # HELP x_total Things.
                # TYPE x_total counter
                x_total{action="a\\"b\\\\c\\nd"} 3
                y 0.25
                z +Inf

                """)
    }
}
