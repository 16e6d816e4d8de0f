import AgentCore
import Foundation
import Testing
import TestSupport
@testable import Store

/// Runs `StoreCrashHelper` (built beside the test binary), kills it with SIGKILL while it is
/// committing, then checks that every change it reported as committed is in the database.
@Suite(.timeLimit(.minutes(2))) struct DurabilityTests {
    static let agent: AgentID = "crash@example.com"

    @Test(arguments: [1, 25, 120])
    func aKilledWriterLosesNoCommittedChange(killAfter: Int) throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("crash.sqlite")
        let helper = try BuiltExecutable.path("StoreCrashHelper")

        let child = try ChildProcess(executable: helper, arguments: [path])
        defer { child.kill() }
        // Checked every millisecond, so the kill lands while the helper is committing. When the
        // child ended early, the checks below say why.
        _ = eventually(timeout: .seconds(60), every: .milliseconds(1)) { child.stdout.count >= killAfter || child.stdout.ended }
        child.signal(SIGKILL)
        let termination = try #require(child.waitForExit(timeout: .seconds(10)), "StoreCrashHelper outlived SIGKILL")
        _ = eventually { child.stdout.ended }
        let received = child.stdout.bytes
        #expect(termination.signalled, "\(termination)\n\(child.tail())")

        // Only complete lines count: a line cut by the kill was never fully reported.
        let lines = String(decoding: received, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        let reported = lines.compactMap { Int($0) }
        #expect(reported == Array(0..<reported.count))
        #expect(reported.count >= killAfter)

        let store = try Store(path: path)  // opens clean: quick_check passed
        let audited = Set(try store.audit(limit: 1_000_000).compactMap { $0.detail.flatMap { Int($0) } })
        let history = try store.history(agent: Self.agent, from: Timestamp(millisecondsSince1970: 0), to: Timestamp(millisecondsSince1970: .max))
        let calls = Set(try store.calls(agent: Self.agent, from: Timestamp(millisecondsSince1970: 0), to: Timestamp(millisecondsSince1970: .max)).map(\.uniqueID))
        for counter in reported {
            #expect(audited.contains(counter), "audit line \(counter) was reported committed but is missing")
            #expect(calls.contains("c\(counter)"), "call \(counter) was reported committed but is missing")
        }
        // Each commit wrote all of its rows or none: history, audit and calls agree in number.
        #expect(history.count >= reported.count)
        #expect(history.count == audited.count && history.count == calls.count)
        for (previous, next) in zip(history, history.dropFirst()) { #expect(previous.to == next.from) }
        let saved = try store.loadAgents()
        #expect(saved.count == 1)
        #expect(saved.first?.since.millisecondsSince1970 == Int64(history.count - 1))
    }
}
