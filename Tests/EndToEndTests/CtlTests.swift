#if canImport(Glibc)
import Glibc
#endif
import ControlPort
import ControlAPI
@testable import Crypt
@testable import HTTPServing
@testable import HTTPWire
import Foundation
import Testing
import TestSupport

extension EndToEnd {
    /// The built `ccagentctl` against the running daemon, the way an admin uses it.
    @Suite struct CtlTests {
        /// Runs `ccagentctl ARGS` to its end: exit status, stdout, stderr.
        static func ctl(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, out: String, err: String) {
            let child = try ChildProcess(
                name: "ccagentctl", executable: try BuiltExecutable.path("ccagentctl"), arguments: arguments, environment: environment)
            guard let exit = child.waitForExit(timeout: .seconds(20)) else { throw HarnessError("ccagentctl hung\n\(child.tail())") }
            _ = eventually(timeout: .seconds(2)) { child.stdout.ended && child.stderr.ended }
            return (exit.status, child.stdout.lines.joined(separator: "\n"), child.stderr.lines.joined(separator: "\n"))
        }

        @Test func anAdminDrivesAgentsFromTheCommandLine() throws {
            let harness = try APITests.start()
            defer { harness.shutdown() }
            let socket = ["--socket", harness.socketPath]

            let login = try Self.ctl(socket + ["login", "dana@example.com", "101"])
            #expect(login.status == 0 && login.out.contains("dana@example.com") && login.out.contains("101"), "\(login)")
            try harness.waitForQueues(["PJSIP/101": TestConfigs.allQueues])
            let status = try Self.ctl(socket + ["status", "dana@example.com", "break"])
            #expect(status.status == 0 && status.out.contains("break"), "\(status)")
            try harness.waitForQueues(["PJSIP/101": []])

            let table = try Self.ctl(socket + ["agents"])
            #expect(table.status == 0)
            let danaRow = table.out.split(separator: "\n").first { $0.hasPrefix("dana@example.com") }
            #expect(danaRow?.contains("break") == true && danaRow?.contains("101") == true, "\(table.out)")
            let json = try Self.ctl(socket + ["agent", "dana@example.com", "--json"])
            let shown = try JSONValue.parse(json.out)
            #expect(shown["status"] == "break")

            // Exit statuses scripts can trust.
            let unknown = try Self.ctl(socket + ["status", "dana@example.com", "nap"])
            #expect(unknown.status == 1 && unknown.err.contains("unknown status nap"), "\(unknown)")
            let usage = try Self.ctl(socket + ["status", "dana@example.com"])
            #expect(usage.status == 64)
            let port = try harness.apiPort()
            let noToken = try Self.ctl(["--url", "http://127.0.0.1:\(port)", "agents"])
            #expect(noToken.status == 77, "\(noToken)")
            let withToken = try Self.ctl(["--url", "http://127.0.0.1:\(port)", "--token", APITests.adminToken, "agents", "--json"])
            #expect(withToken.status == 0)
            let listed = try JSONValue.parse(withToken.out)["agents"]?.arrayValue?.count
            #expect(listed == 4)
            let nothing = try Self.ctl(["--socket", harness.directory + "/no.sock", "agents"])
            #expect(nothing.status == 69)

            // `watch` prints each change as it happens and stops on SIGTERM with 0.
            let watch = try ChildProcess(
                name: "ccagentctl watch", executable: try BuiltExecutable.path("ccagentctl"), arguments: socket + ["watch", "--json"])
            Thread.sleep(forTimeInterval: 0.5)
            #expect(try Self.ctl(socket + ["status", "dana@example.com", "lunch"]).status == 0)
            #expect(eventually(timeout: .seconds(10)) { watch.stdout.lines.contains { $0.contains("\"to\":\"lunch\"") } }, "\(watch.tail())")
            watch.signal(SIGTERM)
            #expect(watch.waitForExit(timeout: .seconds(5))?.status == 0)

            // The day's report, from the store, as a table and as JSON.
            let report = try Self.ctl(socket + ["report", "--tz", "UTC"])
            #expect(report.status == 0 && report.out.contains("day ") && report.out.contains("dana@example.com"), "\(report)")
            let reportJSON = try Self.ctl(socket + ["report", "dana@example.com", "--json"])
            #expect(reportJSON.status == 0)
            let reported = try JSONValue.parse(reportJSON.out)["agents"]?.arrayValue?.first?["login"]
            #expect(reported == "dana@example.com")

            let audit = try harness.auditRows()
            #expect(audit.contains { $0.actor == "admin:local" && $0.source == "api:local" && $0.action == "set_status" })
        }
    }
}
