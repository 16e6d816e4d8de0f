import AgentCore
import Foundation
import Testing
@testable import Store

/// Runs `StoreCrashHelper` (built beside the test binary), kills it with SIGKILL while it is
/// committing, then checks that every change it reported as committed is in the database.
@Suite struct DurabilityTests {
    static let agent: AgentID = "crash@example.com"

    @Test(arguments: [1, 25, 120])
    func aKilledWriterLosesNoCommittedChange(killAfter: Int) throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("crash.sqlite")
        let helper = try Self.helperPath()

        let child = Process()
        child.executableURL = URL(fileURLWithPath: helper)
        child.arguments = [path]
        let output = Pipe()
        child.standardOutput = output
        try child.run()

        var received: [UInt8] = []
        while received.count(where: { $0 == UInt8(ascii: "\n") }) < killAfter {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }  // the child ended early: the checks below say why
            received += chunk
        }
        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        received += output.fileHandleForReading.readDataToEndOfFile()
        #expect(child.terminationReason == .uncaughtSignal)

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

    /// The helper sits beside the test binary in the build directory.
    static func helperPath() throws -> String {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var directory = executable.deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("StoreCrashHelper").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        throw HelperMissing(near: executable.path)
    }

    struct HelperMissing: Error, CustomStringConvertible {
        let near: String
        var description: String { "StoreCrashHelper not found near \(near); build with --build-tests" }
    }
}
