import ControlPort
import ControlAPI
@testable import Crypt
@testable import HTTPServing
@testable import HTTPWire
import CtlKit
import Foundation
import Testing
import TestSupport

/// Each command in-process against the fake daemon: what it prints, and the exit status for
/// every class of answer.
@Suite(.serialized, .timeLimit(.minutes(1))) struct CommandTests {
    let daemon: FakeDaemon
    var ctl = TestCtl()

    init() throws {
        daemon = try FakeDaemon()
        ctl.environment = ["CCAGENTD_URL": daemon.url, "CCAGENTD_TOKEN": FakeDaemon.adminToken]
    }

    @Test func agentsPrintsATableAndJSONPrintsTheBodyAsSent() {
        #expect(ctl.run(["agents"]) == 0)
        #expect(ctl.output.lines == [
            "LOGIN             NAME       STATUS      SINCE     EXTENSION  QUEUES",
            "dana@example.com  Dana Levi  unassigned  -         -          -",
            "eli@example.com   Eli Cohen  connected   13:00:05  102        sales, support-private",
        ])
        #expect(ctl.error.contents == "")
        let json = TestCtl(environment: ctl.environment)
        #expect(json.run(["agents", "--json"]) == 0)
        #expect(json.output.lines.count == 1)
        #expect(json.output.contents.hasPrefix(#"{"agents":[{"login":"dana@example.com","#))
        #expect(daemon.seen.map(\.target) == ["/v1/agents", "/v1/agents"])
        #expect(daemon.seen.allSatisfy { $0.headers["Authorization"] == "Bearer \(FakeDaemon.adminToken)" })
    }

    @Test func agentAndExtensions() {
        #expect(ctl.run(["agent", "eli@example.com"]) == 0)
        #expect(ctl.output.contents.contains("queues:     sales            penalty 0\n"))
        #expect(ctl.run(["extensions", "dana@example.com"]) == 0)
        #expect(ctl.output.contents.contains("901        virtual   mobile +972501234567  -\n"))
        #expect(ctl.run(["extensions"]) == 0)
        #expect(ctl.output.contents.contains("901        -          -                yes      eli@example.com\n"))
        #expect(daemon.seen.map(\.target) == ["/v1/agents/eli@example.com", "/v1/agents/dana@example.com/extensions", "/v1/extensions"])
    }

    @Test func loginStatusAndLogoutPrintTheNewStateAndWarnings() {
        #expect(ctl.run(["login", "dana@example.com", "101"]) == 0)
        #expect(ctl.output.lines == ["dana@example.com: connected since 14:02:11 at 101 (queues: sales)"])
        #expect(ctl.error.lines == ["warning: Asterisk is not connected: queues follow at reconnect"])
        #expect(ctl.run(["status", "dana@example.com", "break"]) == 0)
        #expect(ctl.run(["logout", "dana@example.com"]) == 0)
        #expect(ctl.output.lines.suffix(2) == ["dana@example.com: break since 14:02:11 at 101 (queues: none)", "dana@example.com: unassigned (queues: none)"])
        let requests = daemon.seen.map { "\($0.method) \($0.target) \($0.body)" }
        #expect(requests == [
            #"POST /v1/agents/dana@example.com/login {"extension":"101"}"#,
            #"PUT /v1/agents/dana@example.com/status {"status":"break"}"#,
            "POST /v1/agents/dana@example.com/logout ",
        ])
    }

    @Test(arguments: [
        (["login", "dana@example.com", "102"], Int32(1), "Error: extension 102 is taken by eli@example.com"),
        (["status", "dana@example.com", "lunch"], 1, "Error: no status lunch"),
        (["agent", "ghost@example.com"], 1, "Error: no agent ghost@example.com"),
        (["status", "nobody@example.com", "break"], 77, "Error: you may not change nobody@example.com"),
        (["agent", "boom@example.com"], 69, "Error: the store failed"),
    ])
    func refusalsExitWithTheirClass(arguments: [String], status: Int32, message: String) {
        #expect(ctl.run(arguments) == status)
        #expect(ctl.error.lines == [message])
        #expect(ctl.output.contents == "")
    }

    @Test func withJSONARefusalAlsoPrintsTheErrorBody() {
        #expect(ctl.run(["login", "dana@example.com", "102", "--json"]) == 1)
        #expect(ctl.output.lines == [#"{"error":{"code":"extension_taken","message":"extension 102 is taken by eli@example.com"}}"#])
    }

    @Test func aMissingOrWrongTokenIs77AndSaysWhereATokenGoes() {
        var noToken = TestCtl()
        noToken.environment = ["CCAGENTD_URL": daemon.url]
        #expect(noToken.run(["agents"]) == 77)
        #expect(noToken.error.lines == ["Error: a valid token is needed (no token was given: use --token, --token-file or CCAGENTD_TOKEN)"])
        let wrong = TestCtl()
        #expect(wrong.run(["agents", "--url", daemon.url, "--token", "wrong"]) == 77)
        #expect(wrong.error.lines == ["Error: a valid token is needed"])
    }

    @Test func theTokenFileIsReadAndTrimmed() throws {
        let directory = try TemporaryDirectory()
        let file = directory.path + "/token"
        try (FakeDaemon.adminToken + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let run = TestCtl()
        #expect(run.run(["agents", "--url", daemon.url, "--token-file", file]) == 0)
        let missing = TestCtl()
        #expect(missing.run(["agents", "--url", daemon.url, "--token-file", directory.path + "/none"]) == 64)
        #expect(missing.error.lines.first == "Error: cannot read the token file \(directory.path)/none: No such file or directory")
    }

    @Test func reloadPrintsNotesOrEveryError() {
        #expect(ctl.run(["reload"]) == 0)
        #expect(ctl.output.lines == ["reloaded", "  2 agents changed skills"])
        daemon.update {
            $0.reloadErrors = [
                "/etc/ccagentd/ccagentd.conf:9: [break] timeout_goto: unknown status \"brake\"",
                ["file": "/etc/ccagentd/ccagentd.conf", "line": 12, "section": "dana@example.com", "key": "skills", "message": "unknown skill \"sails\""],
            ]
        }
        let failed = TestCtl(environment: ctl.environment)
        #expect(failed.run(["reload"]) == 1)
        #expect(failed.output.contents == "")
        #expect(failed.error.lines == [
            "Error: the configuration has 2 errors; the old one stays",
            "/etc/ccagentd/ccagentd.conf:9: [break] timeout_goto: unknown status \"brake\"",
            "/etc/ccagentd/ccagentd.conf:12: [dana@example.com] skills: unknown skill \"sails\"",
        ])
    }

    @Test func unlockSaysWhetherTheLoginWasLocked() {
        #expect(ctl.run(["unlock", "locked@example.com"]) == 0)
        #expect(ctl.run(["unlock", "dana@example.com"]) == 0)
        #expect(ctl.output.lines == ["locked@example.com: unlocked", "dana@example.com: was not locked"])
        let json = TestCtl(environment: ctl.environment)
        #expect(json.run(["unlock", "odd/login@example.com", "--json"]) == 0)
        #expect(json.output.lines == [#"{"login":"odd/login@example.com","was_locked":false}"#])
        #expect(daemon.seen.map { "\($0.method) \($0.target)" } == [
            "DELETE /v1/logins/locked@example.com/lock", "DELETE /v1/logins/dana@example.com/lock",
            "DELETE /v1/logins/odd%2Flogin@example.com/lock",
        ])
        let refused = TestCtl(environment: ctl.environment)
        #expect(refused.run(["unlock", "forbidden@example.com"]) == 77)
        #expect(refused.error.lines == ["Error: only admins may unlock a login"])
    }

    @Test func daemonTextIsEscapedInTablesWarningsAndErrorDetails() {
        daemon.update {
            $0.agents["eve"] = FakeDaemon.agent("eve@example.com", name: "E\u{1B}[31mve", status: "connected", since: nil, extension: nil)
            $0.reloadErrors = [
                "/etc/ccagentd/cc\u{1B}[2J.conf:9: raw\r line",
                ["file": "/etc/x\u{7}.conf", "line": 12, "section": "s\u{1B}[1A", "key": "k\t", "message": "bad\u{0} value"],
            ]
        }
        #expect(ctl.run(["agents"]) == 0)
        #expect(ctl.output.lines.contains { $0.hasPrefix(#"eve@example.com   E\x1b[31mve  connected"#) })
        let failed = TestCtl(environment: ctl.environment)
        #expect(failed.run(["reload"]) == 1)
        #expect(failed.error.lines == [
            "Error: the configuration has 2 errors; the old one stays",
            #"/etc/ccagentd/cc\x1b[2J.conf:9: raw\r line"#,
            #"/etc/x\x07.conf:12: [s\x1b[1A] k\t: bad\x00 value"#,
        ])
        for text in [ctl.output.contents, failed.error.contents] {
            #expect(!hasControlCharacters(text.replacingOccurrences(of: "\n", with: "")))
        }
    }

    @Test func theSocketNeedsNoToken() throws {
        let directory = try TemporaryDirectory()
        let local = try FakeDaemon(socketPath: directory.path + "/ccagentd.sock")
        var run = TestCtl()
        run.environment = ["CCAGENTCTL_SOCKET": directory.path + "/ccagentd.sock"]
        #expect(run.run(["agent", "eli@example.com"]) == 0)
        #expect(local.seen.first?.headers["Authorization"] == nil)
        let flag = TestCtl()
        #expect(flag.run(["agents", "--socket", directory.path + "/ccagentd.sock", "--json"]) == 0)
    }

    @Test func anUnreachableOrSilentDaemonIs69() throws {
        let directory = try TemporaryDirectory()
        let gone = TestCtl()
        #expect(gone.run(["agents", "--socket", directory.path + "/none.sock"]) == 69)
        #expect(gone.error.contents.hasPrefix("Error: cannot connect to \(directory.path)/none.sock: No such file or directory"))
        let slow = TestCtl(environment: ctl.environment)
        #expect(slow.run(["agent", "slow@example.com", "--timeout", "0.3"]) == 69)
        #expect(slow.error.lines == ["Error: no answer from \(daemon.url) within 0.3 s"])
    }

    @Test func aSuccessThatIsNotTheAPIsShapeIs69() throws {
        let proxy = try ScriptedServer { _ in [.send("HTTP/1.1 200 OK\r\nContent-Length: 15\r\n\r\n<html>hi</html>")] }
        let run = TestCtl()
        #expect(run.run(["agents", "--url", proxy.url, "--json"]) == 69)
        #expect(run.error.lines == ["Error: the daemon's answer could not be read: the body is not JSON"])
        let wrongShape = try ScriptedServer { _ in [.send("HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n{\"agents\":1}")] }
        let other = TestCtl()
        #expect(other.run(["agents", "--url", wrongShape.url]) == 69)
        #expect(other.error.lines == ["Error: the daemon's answer could not be read: no \"agents\" list"])
    }

    @Test func anHTTPSURLIsAUsageError() {
        let run = TestCtl(environment: ["CCAGENTD_URL": "https://127.0.0.1:8088"])
        #expect(run.run(["agents"]) == 64)
        #expect(run.error.lines.first == "Error: CCAGENTD_URL: https is not supported: ccagentd serves plain HTTP on loopback (use http://HOST:PORT, or the Unix socket)")
        #expect(run.error.lines.last == "  See 'ccagentctl agents --help' for more information.")
    }

    @Test func helpAndVersionGoToStandardOutput() {
        #expect(ctl.run(["help", "watch"]) == 0)
        #expect(ctl.output.contents.hasPrefix("OVERVIEW: Print status changes"))
        let version = TestCtl()
        #expect(version.run(["--version"]) == 0)
        #expect(version.output.contents == "ccagentctl \(Ctl.version)\n")
        let usage = TestCtl()
        #expect(usage.run(["agent"]) == 64)
        #expect(usage.error.lines.first == "Error: Missing expected argument '<login>'")
        #expect(daemon.seen.isEmpty)
    }
}
