import AgentCore
import Foundation
import Testing
import TestSupport

extension EndToEnd {
    /// The store on a real file system that fills up (a 600 KiB tmpfs: root only, as in CI):
    /// every status change answered 200 is in the history, in order, and the one a restart
    /// restores; every other one was answered 503 `store_unavailable` and left no trace.
    @Suite struct FullDiskTests {
        static let isRoot = getuid() == 0

        @Test(.enabled(if: isRoot, "mounting a tmpfs needs root"))
        func aFullDiskRefusesChangesAndLosesNoneItAcknowledged() throws {
            let harness = try Harness()
            defer { harness.shutdown() }
            let mount = harness.directory + "/store"
            try FileManager.default.createDirectory(atPath: mount, withIntermediateDirectories: true)
            try #require(try Self.run("/bin/mount", ["-t", "tmpfs", "-o", "size=600k", "tmpfs", mount]) == 0)
            defer { _ = try? Self.run("/bin/umount", ["-l", mount]) }
            let database = mount + "/ccagentd.sqlite"
            let tokens = harness.directory + "/api-tokens"
            try "ops \(APITests.adminToken)\n".write(toFile: tokens, atomically: true, encoding: .utf8)
            chmod(tokens, 0o600)
            let config = TestConfigs.daemon(
                port: harness.port, database: database, breakTimeout: 600, users: TestConfigs.teams(),
                api: "admin_tokens = \(tokens)")
            try harness.startDaemon(config: config)
            let token = APITests.adminToken
            let login = try harness.api("POST", "/v1/agents/dana@example.com/login", body: ["extension": "101"], token: token)
            try #require(login.status == 200, "\(login.text)")

            // Fill the file system to the last byte.
            let filler = mount + "/filler"
            try Self.fill(filler)

            var acknowledged: [String] = []
            var refused = 0
            for step in 0..<64 {
                let status = step % 2 == 0 ? "break" : "connected"
                let answer = try harness.api("PUT", "/v1/agents/dana@example.com/status", body: ["status": .string(status)], token: token)
                switch answer.status {
                case 200: acknowledged.append(status)
                case 503:
                    #expect(answer.errorCode == "store_unavailable", "\(answer.text)")
                    #expect(answer.headers["Retry-After"] != nil)
                    refused += 1
                default: Issue.record("unexpected answer \(answer.status) \(answer.text)")
                }
            }
            let daemon = try harness.running()
            #expect(refused > 0, "the full disk refused nothing: the test proves little\n\(daemon.tail())")
            let health = try harness.api("GET", "/healthz")
            #expect(health.status == 503 && health.json?["store"] == "failing", "\(health.text)")
            // What the daemon shows is what was acknowledged last.
            let shown = try harness.api("GET", "/v1/agents/dana@example.com", token: token)
            #expect(shown.json?["status"]?.stringValue == (acknowledged.last ?? "connected"), "\(shown.text)")

            // Space comes back: the store recovers by itself and takes changes again.
            try FileManager.default.removeItem(atPath: filler)
            let recovered = eventually(timeout: .seconds(10), every: .milliseconds(100)) {
                (try? harness.api("GET", "/healthz"))?.json?["store"] == "writable"
            }
            #expect(recovered, "\(daemon.tail())")
            let last = (acknowledged.last ?? "connected") == "break" ? "connected" : "break"
            let after = try harness.api("PUT", "/v1/agents/dana@example.com/status", body: ["status": .string(last)], token: token)
            #expect(after.status == 200, "\(after.text)")
            acknowledged.append(last)

            // A restart restores the last acknowledged status; the history holds exactly what was
            // acknowledged, in order, with no gap.
            daemon.signal(SIGTERM)
            #expect(daemon.waitForExit(timeout: .seconds(10))?.status == 0)
            try harness.startDaemon()
            let restored = try harness.api("GET", "/v1/agents/dana@example.com", token: token)
            #expect(restored.json?["status"]?.stringValue == last, "\(restored.text)")
            let history = try harness.history("dana@example.com", database: database)
            #expect(contiguityProblems(history) == [], "\(history.map(\.short))")
            #expect(history.dropFirst().map(\.to.rawValue) == acknowledged, "acknowledged \(acknowledged), stored \(history.map(\.short))")
        }

        /// Appends until the file system says it is full.
        static func fill(_ path: String) throws {
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            try #require(fd >= 0)
            defer { close(fd) }
            let block = [UInt8](repeating: 0x55, count: 4096)
            while block.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) > 0 {}
            var small: UInt8 = 0
            while write(fd, &small, 1) > 0 {}
            #expect(errno == ENOSPC)
        }

        /// Runs a system tool to its end: its exit status.
        static func run(_ executable: String, _ arguments: [String]) throws -> Int32 {
            try ChildProcess.run(executable, arguments).status
        }
    }
}
