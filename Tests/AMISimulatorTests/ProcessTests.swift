import Foundation
import Testing

extension SimulatorTests {
@Suite struct ProcessTests {
    /// The built `amisim` sits next to the test bundle in the build products directory.
    private static var binary: URL? {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("amisim")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return nil
    }

    @Test(.enabled(if: binary != nil, "amisim binary not found next to the test bundle"))
    func amisimStartsPrintsItsPortAndStopsOnSIGTERM() throws {
        guard let binary = Self.binary else { return }
        let process = Process()
        process.executableURL = binary
        process.arguments = ["--port", "0"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        var line = ""
        let deadline = Date().addingTimeInterval(5)
        while !line.contains("\n") && Date() < deadline {
            let data = output.fileHandleForReading.availableData
            if data.isEmpty { break }
            line += String(decoding: data, as: UTF8.self)
        }
        #expect(line.hasPrefix("amisim listening on 127.0.0.1:"))
        let port = try #require(Int(line.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ":").last ?? ""))
        let client = try TestClient(port: port)
        #expect(client.login("ccagentd", "change-me")?["Message"] == "Authentication accepted")
        process.terminate()
        // Never hang the suite on a process that ignores SIGTERM: wait a while, then kill it.
        let exitDeadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < exitDeadline { Thread.sleep(forTimeInterval: 0.02) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            Issue.record("amisim did not stop within 10 s of SIGTERM")
            return
        }
        #expect(process.terminationStatus == 0)
    }

    @Test(.enabled(if: binary != nil, "amisim binary not found next to the test bundle"))
    func amisimRejectsUnknownArguments() throws {
        guard let binary = Self.binary else { return }
        let process = Process()
        process.executableURL = binary
        process.arguments = ["--bogus"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 64)
    }
}
}
