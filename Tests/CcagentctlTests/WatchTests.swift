import ControlPort
import ControlAPI
@testable import Crypt
@testable import HTTPServing
@testable import HTTPWire
import CtlKit
import Foundation
import Synchronization
import Testing
import TestSupport

/// `watch` in-process: live lines, reconnects with Last-Event-ID, and a clean stop.
@Suite(.serialized, .timeLimit(.minutes(1))) struct WatchTests {
    /// Runs `arguments` on a thread of its own; `finish` cancels (unless told not to) and returns the status.
    final class Background: Sendable {
        let test: TestCtl
        private let status = Mutex<Int32?>(nil)
        private let done = DispatchSemaphore(value: 0)

        init(_ test: TestCtl, _ arguments: [String]) {
            self.test = test
            let ctl = test.ctl
            Thread { [self] in
                let result = ctl.run(arguments)
                status.withLock { $0 = result }
                done.signal()
            }.start()
        }

        /// The exit status once it ends by itself, or nil after `seconds`.
        func exit(within seconds: Double) -> Int32? {
            guard done.wait(timeout: .now() + seconds) == .success else { return nil }
            return status.withLock { $0 }
        }

        func stop() -> Int32? {
            test.cancellation?.cancel()
            return exit(within: 5)
        }
    }

    static func watcher(_ environment: [String: String], idleLimit: Duration = .seconds(5)) throws -> TestCtl {
        var test = TestCtl(environment: environment)
        let cancellation = try #require(Cancellation())
        test.cancellation = cancellation
        test.watchTiming.idleLimit = idleLimit
        return test
    }

    static func event(_ id: Int, _ agent: String, _ to: String) -> [UInt8] {
        let data: JSONValue = ["agent": .string(agent), "from": "connected", "to": .string(to), "at": .string("2026-05-01T14:02:1\(id)Z"), "cause": "agent", "actor": "admin:local", "note": .null]
        return ServerSentEvent(id: String(id), event: "status", data: data.description).serialized()
    }

    @Test func eventsPrintLiveAndADropResumesAfterTheLastID() throws {
        let lastIDs = Mutex<[String?]>([])
        let daemon = try FakeDaemon { connection, lastID, stream in
            lastIDs.withLock { $0.append(lastID) }
            if connection == 1 {
                stream.send(ServerSentEvent.comment("hello") + Array("retry: 30\n\n".utf8))
                stream.send(Self.event(1, "dana@example.com", "break") + Self.event(2, "eli@example.com", "paperwork"))
                stream.close()
            } else {
                stream.send(Self.event(3, "dana@example.com", "connected"))
            }
        }
        let watch = Background(try Self.watcher(["CCAGENTD_URL": daemon.url, "CCAGENTD_TOKEN": FakeDaemon.adminToken]), ["watch"])
        #expect(eventually { watch.test.output.lines.count >= 3 })
        #expect(watch.stop() == 0)
        #expect(watch.test.output.lines == [
            "14:02:11 dana@example.com: connected -> break (agent, by admin:local)",
            "14:02:12 eli@example.com: connected -> paperwork (agent, by admin:local)",
            "14:02:13 dana@example.com: connected -> connected (agent, by admin:local)",
        ])
        #expect(watch.test.error.lines == [
            "ccagentctl: the event stream was lost: the daemon closed it; reconnecting in 0.03 s (resuming after event 2)",
            "ccagentctl: reconnected",
        ])
        #expect(lastIDs.withLock { $0 } == [nil, "2"])
        #expect(daemon.seen.allSatisfy { $0.headers["Accept"] == "text/event-stream" })
    }

    @Test func jsonIsOneObjectPerEvent() throws {
        let daemon = try FakeDaemon { _, _, stream in
            stream.send(Self.event(1, "dana@example.com", "break") + ServerSentEvent(id: "2", event: "reload", data: "{}").serialized())
        }
        let watch = Background(try Self.watcher(["CCAGENTD_URL": daemon.url, "CCAGENTD_TOKEN": FakeDaemon.adminToken]), ["watch", "--json"])
        #expect(eventually { watch.test.output.lines.count >= 2 })
        #expect(watch.stop() == 0)
        #expect(watch.test.output.lines == [
            #"{"id":"1","event":"status","data":{"agent":"dana@example.com","from":"connected","to":"break","at":"2026-05-01T14:02:11Z","cause":"agent","actor":"admin:local","note":null}}"#,
            #"{"id":"2","event":"reload","data":{}}"#,
        ])
    }

    @Test func aRestartingDaemonIsWaitedForAndASilentStreamIsLeft() throws {
        let stream = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n"
        let server = try ScriptedServer { connection in
            switch connection {
            case 1: [.send(stream + "id: 1\nevent: reload\ndata: {}\n\n")]
            case 2: [.send("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 55\r\n\r\n{\"error\":{\"code\":\"stopping\",\"message\":\"shutting down\"}}")]
            case 3: [.send(stream), .silence(milliseconds: 3000)]
            default: [.send(stream + "id: 2\nevent: reload\ndata: {}\n\n"), .silence(milliseconds: 3000)]
            }
        }
        let watch = Background(try Self.watcher([:], idleLimit: .milliseconds(300)), ["watch", "--url", server.url])
        #expect(eventually { watch.test.output.lines.count >= 2 })
        #expect(watch.stop() == 0)
        #expect(watch.test.output.lines == ["14:30:00 configuration reloaded", "14:30:00 configuration reloaded"])
        let errors = watch.test.error.lines
        #expect(errors.count == 5)
        #expect(errors.first == "ccagentctl: the event stream was lost: the daemon closed it; reconnecting in 0.02 s (resuming after event 1)")
        #expect(errors.dropFirst().first == "ccagentctl: the event stream was lost: shutting down; reconnecting in 0.04 s (resuming after event 1)")
        #expect(errors.contains("ccagentctl: the event stream was lost: the connection to \(server.url) was lost: nothing arrived for 0.3 s; reconnecting in 0.02 s (resuming after event 1)"))
        #expect(server.requestHeads.dropFirst().allSatisfy { $0.contains("\r\nLast-Event-ID: 1") })
    }

    @Test func theFirstConnectionsFailureEndsItWithItsStatus() throws {
        let daemon = try FakeDaemon { _, _, _ in }
        let unauthorized = Background(try Self.watcher(["CCAGENTD_URL": daemon.url]), ["watch"])
        #expect(unauthorized.exit(within: 5) == 77)
        let directory = try TemporaryDirectory()
        let unreachable = Background(try Self.watcher([:]), ["watch", "--socket", directory.path + "/none.sock"])
        #expect(unreachable.exit(within: 5) == 69)
        let notEvents = try ScriptedServer { _ in [.send("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html>")] }
        let html = Background(try Self.watcher([:]), ["watch", "--url", notEvents.url])
        #expect(html.exit(within: 5) == 69)
        #expect(html.test.error.lines == ["Error: the daemon's answer could not be read: GET /v1/events answered text/html, not text/event-stream"])
    }

    @Test func aRefusalAfterAReconnectEndsIt() throws {
        let server = try ScriptedServer { connection in
            connection == 1
                ? [.send("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\nid: 9\nevent: reload\ndata: {}\n\n")]
                : [.send("HTTP/1.1 401 Unauthorized\r\nContent-Length: 59\r\n\r\n{\"error\":{\"code\":\"unauthorized\",\"message\":\"token expired\"}}")]
        }
        let watch = Background(try Self.watcher([:]), ["watch", "--url", server.url, "--token", "expired-token"])
        #expect(watch.exit(within: 5) == 77)
        #expect(watch.test.error.lines.last == "Error: token expired")
    }
}
